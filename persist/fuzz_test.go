package persist

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/goredis-dev/goredis/engine"
)

// FuzzLoad feeds the whole loader (format and value building) arbitrary
// dumps: never a panic, and the engine stays usable.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.rdb"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		eng := engine.New(engine.Options{})
		ld := eng.BeginLoad(int64(len(data)))
		_, _ = ReadRDB(bytes.NewReader(data), int64(len(data)), ld, ReadOptions{Checksum: false})
		ld.End()
		c := newSession(eng)
		if r := c.do("DBSIZE"); r[0] != ':' {
			t.Fatalf("engine unusable after a load: %q", r)
		}
	})
}
