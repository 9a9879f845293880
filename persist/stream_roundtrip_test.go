package persist

import (
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// streamDataset builds streams of every shape: many small nodes, deleted
// entries, trimmed heads, consumer groups with pending entries, consumers
// without any, an empty stream with a group, XSETID counters.
func streamDataset(seed uint64) [][]string {
	rng := rand.New(rand.NewPCG(seed, 0x57ea))
	cmds := [][]string{{"CONFIG", "SET", "stream-node-max-entries", "7"}}
	for k := 0; k < 40; k++ {
		key := fmt.Sprintf("st:%d", k)
		n := 1 + rng.IntN(60)
		ms := 1
		for i := 0; i < n; i++ {
			ms += rng.IntN(3) + 1
			c := []string{"XADD", key, fmt.Sprintf("%d-%d", ms, rng.IntN(5))}
			if rng.IntN(3) == 0 {
				c = append(c, "a", fmt.Sprint(rng.IntN(1000)-300), "b", strings.Repeat("x", rng.IntN(40)))
			} else {
				c = append(c, "f", fmt.Sprint(rng.Int64()), "g", "v")
			}
			cmds = append(cmds, c)
		}
		if rng.IntN(2) == 0 {
			cmds = append(cmds, []string{"XDEL", key, fmt.Sprintf("%d-0", 2+rng.IntN(ms)), fmt.Sprintf("%d-1", 2+rng.IntN(ms))})
		}
		if rng.IntN(3) == 0 {
			cmds = append(cmds, []string{"XTRIM", key, "MAXLEN", fmt.Sprint(rng.IntN(n + 1))})
		}
		if rng.IntN(2) == 0 {
			cmds = append(cmds, []string{"XGROUP", "CREATE", key, "g1", "0"},
				[]string{"XREADGROUP", "GROUP", "g1", "alice", "COUNT", fmt.Sprint(1 + rng.IntN(10)), "STREAMS", key, ">"},
				[]string{"XREADGROUP", "GROUP", "g1", "bob", "COUNT", "3", "STREAMS", key, ">"},
				[]string{"XGROUP", "CREATECONSUMER", key, "g1", "idle"},
				[]string{"XGROUP", "CREATE", key, "g2", "$", "ENTRIESREAD", "3"},
				[]string{"XREADGROUP", "GROUP", "g2", "carol", "NOACK", "STREAMS", key, "0"})
		}
		if rng.IntN(4) == 0 {
			cmds = append(cmds, []string{"XSETID", key, fmt.Sprintf("%d-9", ms+100), "ENTRIESADDED", "1000", "MAXDELETEDID", fmt.Sprintf("%d-0", ms+50)})
		}
	}
	cmds = append(cmds, []string{"XGROUP", "CREATE", "empty", "g", "$", "MKSTREAM"},
		[]string{"XADD", "trimmed", "MAXLEN", "0", "5-5", "a", "b"})
	return cmds
}

// streamState is every stream's DUMP payload and full XINFO, which name
// the nodes, counters, groups, PELs and times byte for byte.
func streamState(t *testing.T, do func(args ...string) string) map[string]string {
	t.Helper()
	out := map[string]string{"digest": do("DEBUG", "DIGEST")}
	lines := strings.Split(do("KEYS", "*"), "\r\n")
	for i := 2; i < len(lines); i += 2 {
		k := lines[i]
		out[k] = do("DUMP", k) + do("XINFO", "STREAM", k, "FULL", "COUNT", "0")
	}
	return out
}

// TestStreamRoundTripWithRedis: streams redis-server saved load into
// GoRedis with identical DUMP payloads and XINFO; GoRedis's dump of them
// passes redis-check-rdb and loads back into redis-server the same.
func TestStreamRoundTripWithRedis(t *testing.T) {
	redisDir, goDir := t.TempDir(), t.TempDir()
	rs := startRedis(t, redisDir, "dump.rdb")
	rc := rs.conn(t)
	require.NoError(t, rc.pipeline(streamDataset(3)))
	want := streamState(t, rc.do)
	require.Greater(t, len(want), 40)
	require.Equal(t, "+OK\r\n", rc.do("SAVE"))

	require.NoError(t, copyFile(filepath.Join(redisDir, "dump.rdb"), filepath.Join(goDir, "dump.rdb")))
	eng, p := testEngine(t, goDir)
	require.NoError(t, p.LoadAtStartup(nil))
	c := newSession(eng)
	assert.Equal(t, want, streamState(t, c.do))

	require.Equal(t, "+OK\r\n", c.do("SAVE"))
	path := filepath.Join(goDir, "dump.rdb")
	if check, err := exec.LookPath("redis-check-rdb"); err == nil {
		out, err := exec.Command(check, path).CombinedOutput()
		require.NoError(t, err, "%s", out)
		assert.Contains(t, string(out), "RDB looks OK")
	}
	loadDir := t.TempDir()
	require.NoError(t, copyFile(path, filepath.Join(loadDir, "dump.rdb")))
	rs2 := startRedis(t, loadDir, "dump.rdb")
	assert.Equal(t, want, streamState(t, rs2.conn(t).do))
}
