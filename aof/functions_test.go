package aof

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goredis-dev/goredis/engine"
)

// Two function libraries, one loaded before a rewrite and one after.
const (
	libCounter = "#!lua name=counter\n" +
		"redis.register_function('bump', function(keys, args) return redis.call('INCR', keys[1]) end)\n"
	libGreet = "#!lua name=greet\n" +
		"redis.register_function{function_name='hello', callback=function() return 'hello' end, flags={'no-writes'}, description='says hello'}\n"
)

// One function a library: FUNCTION LIST orders a library's functions as
// Redis's dict happens to, with a seed random per process.

// functionState is what a server says of its libraries: each one's
// FUNCTION LIST WITHCODE entry (listed by name, so the order of the
// libraries does not matter) and an FCALL of each.
func functionState(do func(args ...string) string) string {
	return strings.Join([]string{
		do("FUNCTION", "LIST", "LIBRARYNAME", "counter", "WITHCODE"),
		do("FUNCTION", "LIST", "LIBRARYNAME", "greet", "WITHCODE"),
		do("FCALL", "bump", "1", "fn-counter"),
		do("FCALL", "hello", "0"),
	}, "\n")
}

func sessionDo(t *testing.T, s *engine.Session) func(args ...string) string {
	return func(args ...string) string {
		return readReply(t, bufio.NewReader(strings.NewReader(runArgs(s, args...))))
	}
}

// TestFunctionsInRewrite: an AOF rewrite keeps the function libraries (in
// the RDB base's function records, or as FUNCTION LOAD commands at the
// head of an AOF-format base, as Redis's rewriteFunctions writes them), a
// restart loads them back, and redis-server loads the same directory
// with the same libraries.
func TestFunctionsInRewrite(t *testing.T) {
	for _, preamble := range []string{"yes", "no"} {
		t.Run("aof-use-rdb-preamble "+preamble, func(t *testing.T) {
			dir := t.TempDir()
			conf := map[string]string{"appendonly": "yes", "aof-use-rdb-preamble": preamble}
			e, a, _, err := openEngine(t, dir, conf)
			require.NoError(t, err)
			s := e.NewSession(engine.ClientInfo{})
			require.Equal(t, "$7\r\ncounter\r\n", runArgs(s, "FUNCTION", "LOAD", libCounter))
			run(s, "SET fn-counter 10")
			run(s, "BGREWRITEAOF")
			waitRewrite(t, e)
			require.Equal(t, "$5\r\ngreet\r\n", runArgs(s, "FUNCTION", "LOAD", libGreet))
			run(s, "BGREWRITEAOF")
			waitRewrite(t, e)
			ad := filepath.Join(dir, "appendonlydir")
			base := map[string]string{"yes": "appendonly.aof.3.base.rdb", "no": "appendonly.aof.3.base.aof"}[preamble]
			if preamble == "no" {
				// Redis's rewriteFunctions: the libraries first, each a FUNCTION LOAD.
				b := readFile(t, filepath.Join(ad, base))
				head, _, found := strings.Cut(b, "*2\r\n$6\r\nSELECT\r\n")
				require.True(t, found, b)
				for _, code := range []string{libCounter, libGreet} {
					assert.Contains(t, head, string(AppendCommand(nil, [][]byte{[]byte("FUNCTION"), []byte("LOAD"), []byte(code)})))
				}
				assert.True(t, strings.HasPrefix(head, "*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n"), head)
			}
			want := functionState(sessionDo(t, s))
			s.Close()
			require.NoError(t, a.Close())

			// GoRedis restarts on its own files.
			e2, a2, _, err := openEngine(t, dir, conf)
			require.NoError(t, err)
			s2 := e2.NewSession(engine.ClientInfo{})
			got := functionState(sessionDo(t, s2))
			assert.Equal(t, strings.Replace(want, ":11", ":12", 1), got)
			s2.Close()
			require.NoError(t, a2.Close())

			// redis-server starts on the same directory (the FCALL above
			// was appended: the counter is at 12).
			if _, err := exec.LookPath("redis-server"); err != nil {
				t.Skip("redis-server not on PATH")
			}
			out, err := exec.Command("redis-check-aof", filepath.Join(ad, "appendonly.aof.manifest")).CombinedOutput()
			require.NoError(t, err, string(out))
			startRedis(t, portRedis2, dir, "--appendonly", "yes")
			rc := dialRESP(t, portRedis2)
			if !assert.Equal(t, strings.Replace(want, ":11", ":13", 1), functionState(rc.do)) {
				t.Log(readFile(t, filepath.Join(dir, "redis.log")))
			}
		})
	}
}

// TestFunctionsFromRedisRewrite: GoRedis starts on a directory whose base
// redis-server wrote with its libraries in it, in both base formats.
func TestFunctionsFromRedisRewrite(t *testing.T) {
	for _, preamble := range []string{"yes", "no"} {
		t.Run("aof-use-rdb-preamble "+preamble, func(t *testing.T) {
			dir := t.TempDir()
			startRedis(t, portRedis, dir, "--appendonly", "yes", "--aof-use-rdb-preamble", preamble, "--appendfsync", "always")
			rc := dialRESP(t, portRedis)
			require.Equal(t, "counter", rc.do("FUNCTION", "LOAD", libCounter))
			require.Equal(t, "greet", rc.do("FUNCTION", "LOAD", libGreet))
			rc.do("SET", "fn-counter", "10")
			require.Equal(t, "+Background append only file rewriting started", rc.do("BGREWRITEAOF"))
			for i := 0; i < 200 && !strings.Contains(rc.do("INFO", "persistence"), "aof_rewrite_in_progress:0"); i++ {
				time.Sleep(20 * time.Millisecond)
			}
			time.Sleep(200 * time.Millisecond)
			if preamble == "no" {
				base, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.2.base.aof"))
				require.NoError(t, err)
				assert.Contains(t, string(base), "$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n")
			}
			want := functionState(rc.do)

			e, _, logs, err := openEngine(t, dir, map[string]string{"appendonly": "yes"})
			require.NoError(t, err, logs.String())
			s := e.NewSession(engine.ClientInfo{})
			defer s.Close()
			assert.Equal(t, strings.Replace(want, ":11", ":12", 1), functionState(sessionDo(t, s)))
		})
	}
}

// TestDebugLoadAOFFunctions: DEBUG LOADAOF empties the libraries with the
// keys before it replays the files (Redis's emptyData), so a library the
// files create is not refused as already loaded, and one they do not
// create is gone.
func TestDebugLoadAOFFunctions(t *testing.T) {
	dir := t.TempDir()
	conf := map[string]string{"appendonly": "yes", "appendfsync": "always"}
	e, a, _, err := openEngine(t, dir, conf)
	require.NoError(t, err)
	defer a.Close()
	s := e.NewSession(engine.ClientInfo{})
	defer s.Close()
	do := sessionDo(t, s)
	require.Equal(t, "counter", do("FUNCTION", "LOAD", libCounter))
	require.Equal(t, ":1", do("FCALL", "bump", "1", "fn-counter"))
	do("BGREWRITEAOF") // the library in the RDB base
	waitRewrite(t, e)
	require.Equal(t, "+OK", do("DEBUG", "LOADAOF"))
	assert.Equal(t, ":2", do("FCALL", "bump", "1", "fn-counter"))
	assert.Equal(t, "[[library_name counter engine LUA functions [[name bump description (nil) flags []]]]]", do("FUNCTION", "LIST"))
}
