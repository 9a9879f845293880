// Package repl is GoRedis's replication driver, beside the engine: the
// engine keeps the replication stream, its backlog and the replicas
// (engine/replication.go); this package does the work that needs
// goroutines and files, starting with the RDB payload of a replica's full
// synchronization.
package repl

import (
	"bytes"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/persist"
)

// Syncer makes full-synchronization payloads in memory (Redis's diskless
// sync: the payload never touches the dump file), one goroutine each.
type Syncer struct{}

var _ engine.FullSyncer = Syncer{}

// FullSync writes snap as an RDB payload from a goroutine of its own and
// hands it to done.
func (Syncer) FullSync(snap *engine.Snapshot, done func(payload []byte, err error)) {
	go func() {
		var buf bytes.Buffer
		st := snap.Settings()
		err := persist.WriteRDB(&buf, snap, persist.WriteOptions{
			Compression:    st.Compression,
			Checksum:       st.Checksum,
			KeySaveDelayUs: st.KeySaveDelayUs,
			RedisVersion:   engine.Version,
			Replication:    st.Replication,
		})
		snap.Close()
		done(buf.Bytes(), err)
	}()
}
