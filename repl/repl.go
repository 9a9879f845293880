// Package repl is GoRedis's replication driver, beside the engine: the
// engine keeps the replication stream, its backlog and the replicas
// (engine/replication.go); this package does the work that needs
// goroutines, sockets and files: the RDB payload of a replica's full
// synchronization (master side) and the link to a master (Follower).
package repl

import (
	"fmt"
	"io"
	"os"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/persist"
)

// Syncer makes full-synchronization payloads from a goroutine each, as
// Redis's BGSAVE child for a SYNC: with repl-diskless-sync (and a replica
// that reads EOF-marked payloads) the RDB is encoded straight into the
// replica's output as the snapshot is walked; otherwise it is written to a
// file in dir first, whose length frames the payload, then sent from it.
type Syncer struct{}

var _ engine.FullSyncer = Syncer{}

// FullSync writes snap to out from a goroutine of its own.
func (Syncer) FullSync(snap *engine.Snapshot, out *engine.SyncPayload) {
	go func() {
		err := writePayload(snap, out)
		snap.Close()
		out.End(err)
	}()
}

func writePayload(snap *engine.Snapshot, out *engine.SyncPayload) error {
	st := snap.Settings()
	opts := persist.WriteOptions{
		Compression:    st.Compression,
		Checksum:       st.Checksum,
		KeySaveDelayUs: st.KeySaveDelayUs,
		RedisVersion:   engine.Version,
		Replication:    st.Replication,
	}
	if out.Diskless() {
		if err := out.Begin(-1); err != nil {
			return err
		}
		return persist.WriteRDB(out, snap, opts)
	}
	f, err := os.CreateTemp(st.Dir, fmt.Sprintf("temp-sync-%d-*.rdb", os.Getpid()))
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := persist.WriteRDB(f, snap, opts); err != nil {
		return err
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if err := out.Begin(size); err != nil {
		return err
	}
	buf := make([]byte, 1<<20)
	_, err = io.CopyBuffer(out, io.LimitReader(f, size), buf)
	return err
}
