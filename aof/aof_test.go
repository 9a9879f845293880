package aof

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goredis-dev/goredis/engine"
)

// fillScript writes keys of every type, with deadlines, in two databases.
var fillScript = []string{
	"SET s hello", "SET n 42", "SET ttl v EX 1000", "APPEND s world", "INCRBYFLOAT f 3.25",
	"RPUSH l a b c d e", "LPOP l", "SADD set x y z 1 2 3", "SPOP set", "ZADD z 1.5 a 2 b -3 c inf d",
	"ZINCRBY z 0.1 a", "HSET h f1 v1 f2 v2", "HINCRBYFLOAT h f3 1.5", "PEXPIRE l 500000",
	"SELECT 5", "SET other db5", "RPUSH l5 x", "MULTI", "INCR cnt", "INCR cnt", "EXEC",
}

func digest(t *testing.T, e *engine.Engine) string {
	t.Helper()
	s := e.NewSession(engine.ClientInfo{Kind: "test"})
	defer s.Close()
	out := run(s, "DEBUG DIGEST")
	require.True(t, strings.HasPrefix(out, "+"), out)
	return out
}

func fill(t *testing.T, e *engine.Engine, script []string) {
	t.Helper()
	s := e.NewSession(engine.ClientInfo{Kind: "test"})
	defer s.Close()
	for _, line := range script {
		out := run(s, line)
		require.Falsef(t, strings.HasPrefix(out, "-"), "%s: %s", line, out)
	}
}

func TestRestartLoadsEverything(t *testing.T) {
	dir := t.TempDir()
	conf := map[string]string{"appendonly": "yes", "appendfsync": "always"}
	e, a, logs, err := openEngine(t, dir, conf)
	require.NoError(t, err)
	assert.Contains(t, logs.String(), "* Creating AOF base file appendonly.aof.1.base.rdb on server start")
	assert.Contains(t, logs.String(), "* Creating AOF incr file appendonly.aof.1.incr.aof on server start")
	fill(t, e, fillScript)
	want := digest(t, e)
	require.NoError(t, a.Close())

	e2, _, logs2, err := openEngine(t, dir, conf)
	require.NoError(t, err)
	assert.Equal(t, want, digest(t, e2))
	assert.Contains(t, logs2.String(), "* DB loaded from incr file appendonly.aof.1.incr.aof: ")
	assert.Contains(t, logs2.String(), "* DB loaded from append only file: ")
	assert.Contains(t, logs2.String(), "* Opening AOF incr file appendonly.aof.1.incr.aof on server start")
}

func TestAppendOnlyNoDoesNotLoad(t *testing.T) {
	dir := t.TempDir()
	e, a, _, err := openEngine(t, dir, map[string]string{"appendonly": "yes"})
	require.NoError(t, err)
	fill(t, e, []string{"SET a 1"})
	require.NoError(t, a.Close())
	e2, _, _, err := openEngine(t, dir, nil)
	require.NoError(t, err)
	s := e2.NewSession(engine.ClientInfo{})
	assert.Equal(t, ":0\r\n", run(s, "DBSIZE"))
	assert.Contains(t, run(s, "INFO persistence"), "aof_enabled:0\r\n")
}

func writeIncr(t *testing.T, dir, content string) string {
	t.Helper()
	ad := filepath.Join(dir, "appendonlydir")
	require.NoError(t, os.MkdirAll(ad, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(ad, "appendonly.aof.manifest"), []byte("file appendonly.aof.1.incr.aof seq 1 type i\n"), 0o644))
	p := filepath.Join(ad, "appendonly.aof.1.incr.aof")
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

const twoSets = "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n"

func TestTruncatedFile(t *testing.T) {
	t.Run("loaded with aof-load-truncated", func(t *testing.T) {
		dir := t.TempDir()
		p := writeIncr(t, dir, twoSets+"*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$5\r\nab")
		e, _, logs, err := openEngine(t, dir, map[string]string{"appendonly": "yes", "aof-load-truncated": "yes"})
		require.NoError(t, err)
		s := e.NewSession(engine.ClientInfo{})
		assert.Equal(t, ":2\r\n", run(s, "DBSIZE"))
		l := logs.String()
		assert.Contains(t, l, "# !!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!")
		assert.Contains(t, l, fmt.Sprintf("# !!! Truncating the AOF appendonly.aof.1.incr.aof at offset %d !!!", len(twoSets)))
		assert.Contains(t, l, "# AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled")
		// The file was cut after the last whole command, and goes on from there.
		run(s, "SET d 4")
		s.Close()
		assert.True(t, strings.HasPrefix(readFile(t, p), twoSets+"*2\r\n$6\r\nSELECT"))
	})
	t.Run("refused without", func(t *testing.T) {
		dir := t.TempDir()
		writeIncr(t, dir, twoSets+"*3\r\n$3\r\nSET")
		_, _, logs, err := openEngine(t, dir, map[string]string{"appendonly": "yes", "aof-load-truncated": "no"})
		require.Error(t, err)
		assert.Contains(t, logs.String(), "# Unexpected end of file reading the append only file appendonly.aof.1.incr.aof. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.")
	})
}

func TestBadFiles(t *testing.T) {
	tests := []struct{ name, content, log string }{
		{"format", twoSets + "garbage\r\n", "# Bad file format reading the append only file appendonly.aof.1.incr.aof: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>"},
		{"unknown command", "*1\r\n$6\r\nNOSUCH\r\n", "# Unknown command 'NOSUCH' reading the append only file appendonly.aof.1.incr.aof"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeIncr(t, dir, tc.content)
			_, _, logs, err := openEngine(t, dir, map[string]string{"appendonly": "yes"})
			require.Error(t, err)
			assert.Contains(t, logs.String(), tc.log)
		})
	}
	t.Run("missing file", func(t *testing.T) {
		dir := t.TempDir()
		p := writeIncr(t, dir, twoSets)
		require.NoError(t, os.Remove(p))
		_, _, logs, err := openEngine(t, dir, map[string]string{"appendonly": "yes"})
		require.Error(t, err)
		assert.Contains(t, logs.String(), "# Unable to obtain the AOF file appendonly.aof.1.incr.aof length. stat: No such file or directory")
	})
	t.Run("bad manifest", func(t *testing.T) {
		dir := t.TempDir()
		ad := filepath.Join(dir, "appendonlydir")
		require.NoError(t, os.MkdirAll(ad, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(ad, "appendonly.aof.manifest"), []byte("file x seq 1 type q\n"), 0o644))
		_, _, logs, err := openEngine(t, dir, map[string]string{"appendonly": "yes"})
		require.Error(t, err)
		l := logs.String()
		assert.Contains(t, l, "*** FATAL AOF MANIFEST FILE ERROR ***")
		assert.Contains(t, l, "Reading the manifest file, at line 1")
		assert.Contains(t, l, ">>> 'file x seq 1 type q'")
		assert.Contains(t, l, "Unknown AOF file type")
	})
}

func TestOpenTransactionReverted(t *testing.T) {
	dir := t.TempDir()
	p := writeIncr(t, dir, twoSets+"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\n3\r\n")
	e, _, logs, err := openEngine(t, dir, map[string]string{"appendonly": "yes", "aof-load-truncated": "yes"})
	require.NoError(t, err)
	s := e.NewSession(engine.ClientInfo{})
	assert.Equal(t, ":2\r\n", run(s, "DBSIZE"))
	assert.Contains(t, logs.String(), "# Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof.1.incr.aof")
	s.Close()
	assert.True(t, strings.HasPrefix(readFile(t, p), twoSets+"*2\r\n$6\r\nSELECT") || readFile(t, p) == twoSets)
}

func waitRewrite(t *testing.T, e *engine.Engine) {
	t.Helper()
	s := e.NewSession(engine.ClientInfo{})
	defer s.Close()
	for i := 0; i < 500; i++ {
		if strings.Contains(run(s, "INFO persistence"), "aof_rewrite_in_progress:0\r\n") {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("rewrite did not end")
}

func TestBackgroundRewrite(t *testing.T) {
	dir := t.TempDir()
	conf := map[string]string{"appendonly": "yes"}
	e, a, logs, err := openEngine(t, dir, conf)
	require.NoError(t, err)
	fill(t, e, fillScript)
	s := e.NewSession(engine.ClientInfo{})
	assert.Equal(t, "+Background append only file rewriting started\r\n", run(s, "BGREWRITEAOF"))
	run(s, "SET after rewrite")
	waitRewrite(t, e)
	want := digest(t, e)
	info := run(s, "INFO persistence")
	assert.Contains(t, info, "aof_rewrites:1\r\n")
	assert.Contains(t, info, "aof_last_bgrewrite_status:ok\r\n")
	ad := filepath.Join(dir, "appendonlydir")
	assert.Equal(t, "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n", readFile(t, filepath.Join(ad, "appendonly.aof.manifest")))
	entries, _ := os.ReadDir(ad)
	var names []string
	for _, en := range entries {
		names = append(names, en.Name())
	}
	assert.ElementsMatch(t, []string{"appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"}, names)
	l := logs.String()
	for _, line := range []string{
		"* Creating AOF incr file appendonly.aof.2.incr.aof on background rewrite",
		"* Background append only file rewriting started by pid ",
		"* Background AOF rewrite terminated with success",
		"* Successfully renamed the temporary AOF base file temp-rewriteaof-bg-",
		"* Removing the history file appendonly.aof.1.incr.aof in the background",
		"* Background AOF rewrite finished successfully",
	} {
		assert.Contains(t, l, line)
	}
	s.Close()
	require.NoError(t, a.Close())
	e2, _, _, err := openEngine(t, dir, conf)
	require.NoError(t, err)
	assert.Equal(t, want, digest(t, e2))
}

func TestEnableAtRunTime(t *testing.T) {
	dir := t.TempDir()
	e, a, logs, err := openEngine(t, dir, nil)
	require.NoError(t, err)
	fill(t, e, fillScript)
	s := e.NewSession(engine.ClientInfo{})
	assert.Equal(t, "+OK\r\n", run(s, "CONFIG SET appendonly yes"))
	run(s, "SET during x")
	waitRewrite(t, e)
	run(s, "SET later y")
	info := run(s, "INFO persistence")
	assert.Contains(t, info, "aof_enabled:1\r\n")
	assert.Contains(t, info, "aof_current_size:")
	want := digest(t, e)
	l := logs.String()
	assert.Contains(t, l, "* Creating AOF incr file temp-appendonly.aof.incr on background rewrite")
	assert.Contains(t, l, "* Successfully renamed the temporary AOF incr file temp-appendonly.aof.incr into appendonly.aof.1.incr.aof")
	s.Close()
	require.NoError(t, a.Close())
	e2, _, _, err := openEngine(t, dir, map[string]string{"appendonly": "yes"})
	require.NoError(t, err)
	assert.Equal(t, want, digest(t, e2))

	// And off again: nothing more is appended.
	s2 := e2.NewSession(engine.ClientInfo{})
	assert.Equal(t, "+OK\r\n", run(s2, "CONFIG SET appendonly no"))
	incr := filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof")
	before := readFile(t, incr)
	run(s2, "SET ignored 1")
	assert.Equal(t, before, readFile(t, incr))
}

func TestRewriteScheduledInTransaction(t *testing.T) {
	dir := t.TempDir()
	e, _, _, err := openEngine(t, dir, map[string]string{"appendonly": "yes"})
	require.NoError(t, err)
	s := e.NewSession(engine.ClientInfo{})
	run(s, "MULTI")
	run(s, "BGREWRITEAOF")
	assert.Equal(t, "*1\r\n+Background append only file rewriting scheduled\r\n", run(s, "EXEC"))
	assert.Contains(t, run(s, "INFO persistence"), "aof_rewrite_scheduled:1\r\n")
}

// TestRedisLoadsGoRedisFiles: redis-server starts on a directory GoRedis
// wrote (after a rewrite and more writes), with the same data; and
// redis-check-aof accepts it.
func TestRedisLoadsGoRedisFiles(t *testing.T) {
	for _, preamble := range []string{"yes", "no"} {
		t.Run("aof-use-rdb-preamble "+preamble, func(t *testing.T) { testRedisLoadsGoRedisFiles(t, preamble) })
	}
}

func testRedisLoadsGoRedisFiles(t *testing.T, preamble string) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not on PATH")
	}
	dir := t.TempDir()
	e, a, _, err := openEngine(t, dir, map[string]string{"appendonly": "yes", "aof-use-rdb-preamble": preamble})
	require.NoError(t, err)
	fill(t, e, fillScript[:10])
	s := e.NewSession(engine.ClientInfo{})
	run(s, "BGREWRITEAOF")
	waitRewrite(t, e)
	fill(t, e, fillScript[10:])
	want := digest(t, e)
	s.Close()
	require.NoError(t, a.Close())

	out, err := exec.Command("redis-check-aof", filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest")).CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Contains(t, string(out), "All AOF files and manifest are valid")

	startRedis(t, portRedis2, dir, "--appendonly", "yes")
	rc := dialRESP(t, portRedis2)
	if !assert.Equal(t, strings.TrimSuffix(want, "\r\n"), rc.do("DEBUG", "DIGEST")) {
		t.Log(readFile(t, filepath.Join(dir, "redis.log")))
	}
}

// TestGoRedisLoadsRedisFiles: GoRedis starts on a directory redis-server
// wrote (an RDB or AOF-format base after a rewrite, then more writes).
func TestGoRedisLoadsRedisFiles(t *testing.T) {
	for _, preamble := range []string{"yes", "no"} {
		t.Run("aof-use-rdb-preamble "+preamble, func(t *testing.T) { testGoRedisLoadsRedisFiles(t, preamble) })
	}
}

func testGoRedisLoadsRedisFiles(t *testing.T, preamble string) {
	dir := t.TempDir()
	startRedis(t, portRedis, dir, "--appendonly", "yes", "--aof-use-rdb-preamble", preamble, "--appendfsync", "always")
	rc := dialRESP(t, portRedis)
	for _, line := range fillScript[:10] {
		rc.do(strings.Fields(line)...)
	}
	require.Equal(t, "+Background append only file rewriting started", rc.do("BGREWRITEAOF"))
	for i := 0; i < 200 && !strings.Contains(rc.do("INFO", "persistence"), "aof_rewrite_in_progress:0"); i++ {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	for _, line := range fillScript[10:] {
		rc.do(strings.Fields(line)...)
	}
	want := rc.do("DEBUG", "DIGEST")

	e, _, logs, err := openEngine(t, dir, map[string]string{"appendonly": "yes"})
	require.NoError(t, err, logs.String())
	assert.Equal(t, want+"\r\n", digest(t, e))
	ext := map[string]string{"yes": "rdb", "no": "aof"}[preamble]
	assert.Contains(t, logs.String(), "* DB loaded from base file appendonly.aof.2.base."+ext+": ")
}

// TestPastDeadlineWhileLoading: a deadline already past does not delete
// the key while the file loads (later commands still see it), as Redis's
// checkAlreadyExpired; the key is gone once loaded.
func TestPastDeadlineWhileLoading(t *testing.T) {
	dir := t.TempDir()
	var b []byte
	for _, c := range [][]string{{"RPUSH", "list", "foo"}, {"PEXPIREAT", "list", "1000"}, {"RPUSH", "list", "bar"}} {
		args := make([][]byte, len(c))
		for i, a := range c {
			args[i] = []byte(a)
		}
		b = AppendCommand(b, args)
	}
	writeIncr(t, dir, string(b))
	e, _, _, err := openEngine(t, dir, map[string]string{"appendonly": "yes"})
	require.NoError(t, err)
	s := e.NewSession(engine.ClientInfo{})
	assert.Equal(t, ":0\r\n", run(s, "LLEN list"))
}

// DEBUG LOADAOF and DEBUG RELOAD are never written to the file: in it, a
// LOADAOF would reload the file while loading it, growing it forever
// (unit/expire calls LOADAOF several times in one process).
func TestDebugLoadAOFNotAppended(t *testing.T) {
	dir := t.TempDir()
	conf := map[string]string{"appendonly": "yes", "appendfsync": "always", "enable-debug-command": "yes"}
	e, a, _, err := openEngine(t, dir, conf)
	require.NoError(t, err)
	defer a.Close()
	s := e.NewSession(engine.ClientInfo{Kind: "test"})
	defer s.Close()
	run(s, "SET foo bar EX 100")
	assert.Equal(t, "+OK\r\n", run(s, "DEBUG LOADAOF"))
	run(s, "GETEX foo PERSIST")
	assert.Equal(t, "+OK\r\n", run(s, "DEBUG LOADAOF"))
	assert.Equal(t, "+OK\r\n", run(s, "DEBUG LOADAOF"))
	assert.Equal(t, ":-1\r\n", run(s, "TTL foo"))
	incr, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	require.NoError(t, err)
	assert.NotContains(t, strings.ToLower(string(incr)), "loadaof")
	assert.Less(t, len(incr), 1000)
}

// TestAutoGCTurnedBackOn: with aof-disable-auto-gc yes rewrites keep the
// old files as history; CONFIG SET aof-disable-auto-gc no removes them at
// once (Redis's updateAofAutoGCEnabled), as integration/aof-multi-part's
// "AOF enable/disable auto gc" checks.
func TestAutoGCTurnedBackOn(t *testing.T) {
	dir := t.TempDir()
	e, _, logs, err := openEngine(t, dir, map[string]string{"appendonly": "yes"})
	require.NoError(t, err)
	s := e.NewSession(engine.ClientInfo{})
	defer s.Close()
	assert.Equal(t, "+OK\r\n", run(s, "CONFIG SET aof-disable-auto-gc yes"))
	for i := 0; i < 2; i++ {
		run(s, "SET k v"+strconv.Itoa(i))
		run(s, "BGREWRITEAOF")
		waitRewrite(t, e)
	}
	ad := filepath.Join(dir, "appendonlydir")
	manifest := filepath.Join(ad, "appendonly.aof.manifest")
	assert.Equal(t, "file appendonly.aof.3.base.rdb seq 3 type b\n"+
		"file appendonly.aof.2.incr.aof seq 2 type h\n"+
		"file appendonly.aof.2.base.rdb seq 2 type h\n"+
		"file appendonly.aof.1.incr.aof seq 1 type h\n"+
		"file appendonly.aof.1.base.rdb seq 1 type h\n"+
		"file appendonly.aof.3.incr.aof seq 3 type i\n", readFile(t, manifest))
	assert.FileExists(t, filepath.Join(ad, "appendonly.aof.1.incr.aof"))

	assert.Equal(t, "+OK\r\n", run(s, "CONFIG SET aof-disable-auto-gc no"))
	assert.Equal(t, "file appendonly.aof.3.base.rdb seq 3 type b\nfile appendonly.aof.3.incr.aof seq 3 type i\n", readFile(t, manifest))
	entries, _ := os.ReadDir(ad)
	var names []string
	for _, en := range entries {
		names = append(names, en.Name())
	}
	assert.ElementsMatch(t, []string{"appendonly.aof.3.base.rdb", "appendonly.aof.3.incr.aof", "appendonly.aof.manifest"}, names)
	assert.Contains(t, logs.String(), "* Removing the history file appendonly.aof.2.base.rdb in the background")
}
