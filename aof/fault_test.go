package aof

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goredis-dev/goredis/engine"
)

// smallDisk mounts a tmpfs of size bytes on a fresh directory (unmounted
// at the end), or skips the test when mounting is not allowed.
func smallDisk(t *testing.T, size int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+strconv.Itoa(size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	return dir
}

// fillDisk writes a file until the file system is full and returns its
// path.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	block := make([]byte, 4096)
	for {
		if _, err := f.Write(block); err != nil {
			require.True(t, errors.Is(err, syscall.ENOSPC), err)
			return path
		}
	}
}

// TestWriteErrorRefusesWrites: with the disk full, a write to the AOF
// fails; writes (and PING) get Redis's -MISCONF with the errno's text,
// reads go on, INFO says aof_last_write_status:err; once there is room
// again the buffered effects are written, the log says so and writes are
// accepted, and nothing was lost or duplicated.
func TestWriteErrorRefusesWrites(t *testing.T) {
	dir := smallDisk(t, 256<<10)
	conf := map[string]string{"appendonly": "yes", "appendfsync": "everysec"}
	e, a, logs, err := openEngine(t, dir, conf)
	require.NoError(t, err)
	s := e.NewSession(engine.ClientInfo{})
	defer s.Close()
	assert.Equal(t, "+OK\r\n", run(s, "SET before 1"))
	filler := fillDisk(t, dir)

	// The write is accepted (it is in memory) but cannot reach the file.
	assert.Equal(t, "+OK\r\n", runArgs(s, "SET", "big", strings.Repeat("v", 16<<10)))
	a.flush(false)
	const misconf = "-MISCONF Errors writing to the AOF file: No space left on device\r\n"
	assert.Equal(t, misconf, run(s, "SET after 2"))
	assert.Equal(t, misconf, run(s, "PING"))
	// Scripts as in Redis 7.0.15 (replies checked against redis-server on
	// a full tmpfs): a write inside an EVAL, a shebang script with writes.
	assert.Equal(t, "-MISCONF Errors writing to the AOF file: No space left on device script: 4cb91861d207e5689edc816618ab68f9d6de3b44, on @user_script:1.\r\n",
		runArgs(s, "EVAL", "return redis.call('set','x',1)", "0"))
	assert.Equal(t, misconf, runArgs(s, "EVAL", "#!lua\nreturn redis.call('set','x',1)", "0"))
	assert.Equal(t, "$1\r\n1\r\n", run(s, "GET before"))
	assert.Contains(t, run(s, "INFO persistence"), "aof_last_write_status:err\r\n")
	l := logs.String()
	assert.True(t, strings.Contains(l, "# Error writing to the AOF file: No space left on device") ||
		strings.Contains(l, "# Short write while writing to the AOF file: (nwritten="), l)

	// A retry while the disk is still full logs nothing more (30 s rate).
	n := len(logs.lines)
	a.flush(false)
	assert.Equal(t, n, len(logs.lines))

	require.NoError(t, os.Remove(filler))
	a.flush(false)
	assert.Contains(t, logs.String(), "# AOF write error looks solved, Redis can write again.")
	assert.Contains(t, run(s, "INFO persistence"), "aof_last_write_status:ok\r\n")
	assert.Equal(t, "+OK\r\n", run(s, "SET after 3"))
	assert.Equal(t, "+PONG\r\n", run(s, "PING"))
	want := digest(t, e)
	require.NoError(t, a.Close())

	// The file holds each effect once: a restart has the same data.
	e2, _, _, err := openEngine(t, dir, conf)
	require.NoError(t, err)
	assert.Equal(t, want, digest(t, e2))
}

// TestWriteErrorAlwaysExits: under appendfsync always a failed write
// ends the process, as Redis's exit(1).
func TestWriteErrorAlwaysExits(t *testing.T) {
	dir := smallDisk(t, 256<<10)
	e := engine.New(engine.Options{Config: map[string]string{"dir": dir, "appendonly": "yes", "appendfsync": "always"}})
	logs := &logLines{}
	exited := -1
	a, _, err := Open(Options{Engine: e, Logf: logs.logf, Exit: func(code int) { exited = code }})
	require.NoError(t, err)
	e.SetAppendOnlyFile(a)
	defer a.Close()
	fillDisk(t, dir)
	s := e.NewSession(engine.ClientInfo{})
	defer s.Close()
	runArgs(s, "SET", "big", strings.Repeat("v", 16<<10))
	assert.Equal(t, 1, exited)
	assert.Contains(t, logs.String(), "# Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...")
}

// TestRewriteLimiter follows aofRewriteLimited: no limit below three
// consecutive failures; then waits of 1, 2, 4, ... minutes, at most 60,
// each logged once when it begins.
func TestRewriteLimiter(t *testing.T) {
	var l rewriteLimiter
	logs := &logLines{}
	t0 := time.Unix(1700000000, 0)
	assert.False(t, l.limited(2, t0, logs.logf))
	assert.True(t, l.limited(3, t0, logs.logf))
	assert.Equal(t, "# Background AOF rewrite has repeatedly failed and triggered the limit, will retry in 1 minutes", logs.String())
	assert.True(t, l.limited(3, t0.Add(59*time.Second), logs.logf))
	assert.Len(t, logs.lines, 1)
	assert.False(t, l.limited(3, t0.Add(60*time.Second), logs.logf)) // the retry
	at := t0.Add(61 * time.Second)
	for _, want := range []int{2, 4, 8, 16, 32, 60, 60} {
		require.True(t, l.limited(4, at, logs.logf))
		assert.True(t, strings.HasSuffix(logs.lines[len(logs.lines)-1], "will retry in "+strconv.Itoa(want)+" minutes"))
		at = at.Add(time.Duration(want) * time.Minute)
		require.False(t, l.limited(4, at, logs.logf))
	}
	// Success resets.
	assert.False(t, l.limited(0, at, logs.logf))
	assert.True(t, l.limited(3, at, logs.logf))
	assert.True(t, strings.HasSuffix(logs.lines[len(logs.lines)-1], "will retry in 1 minutes"))
}

// TestFailedRewritesAreLimited: rewrites that cannot create their temp
// file fail with Redis's log lines and count as consecutive failures;
// after three, an automatic rewrite waits (logged), while BGREWRITEAOF
// still runs at once, as in Redis.
func TestFailedRewritesAreLimited(t *testing.T) {
	dir := t.TempDir()
	e, a, logs, err := openEngine(t, dir, map[string]string{"appendonly": "yes"})
	require.NoError(t, err)
	// A directory where the temp file goes makes its creation fail.
	tmp := filepath.Join(dir, "temp-rewriteaof-bg-"+strconv.Itoa(os.Getpid())+".aof")
	require.NoError(t, os.Mkdir(tmp, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(tmp, "keep"), nil, 0o644)) // unlink fails on it
	s := e.NewSession(engine.ClientInfo{})
	defer s.Close()
	for i := 1; i <= 3; i++ {
		assert.Equal(t, "+Background append only file rewriting started\r\n", run(s, "BGREWRITEAOF"))
		waitRewrite(t, e)
		info := run(s, "INFO persistence")
		assert.Contains(t, info, "aof_last_bgrewrite_status:err\r\n")
		assert.Contains(t, info, "aof_rewrites_consecutive_failures:"+strconv.Itoa(i)+"\r\n")
	}
	l := logs.String()
	assert.Contains(t, l, "# Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): Is a directory")
	assert.Contains(t, l, "# Background AOF rewrite terminated with error")

	// An automatic rewrite is due (any growth over a tiny base) but waits.
	run(s, "CONFIG SET auto-aof-rewrite-min-size 1")
	run(s, "CONFIG SET auto-aof-rewrite-percentage 1")
	for i := 0; i < 50; i++ {
		runArgs(s, "SET", "k"+strconv.Itoa(i), strings.Repeat("x", 100))
	}
	a.flush(false)
	a.maybeRewrite()
	assert.Contains(t, logs.String(), "# Background AOF rewrite has repeatedly failed and triggered the limit, will retry in 1 minutes")
	assert.NotContains(t, logs.String(), "Starting automatic rewriting")
	assert.Contains(t, run(s, "INFO persistence"), "aof_rewrite_in_progress:0\r\n")

	// Once the fault is gone, BGREWRITEAOF succeeds and resets the count.
	require.NoError(t, os.RemoveAll(tmp))
	assert.Equal(t, "+Background append only file rewriting started\r\n", run(s, "BGREWRITEAOF"))
	waitRewrite(t, e)
	info := run(s, "INFO persistence")
	assert.Contains(t, info, "aof_last_bgrewrite_status:ok\r\n")
	assert.Contains(t, info, "aof_rewrites_consecutive_failures:0\r\n")
}

// TestFlushAllDuringRewrite: FLUSHALL does not end a running rewrite
// (Redis kills only an RDB child): the rewrite finishes with the data of
// its start, the incr file after it holds the FLUSHALL, and a restart has
// only what was written after the flush.
func TestFlushAllDuringRewrite(t *testing.T) {
	dir := t.TempDir()
	conf := map[string]string{"appendonly": "yes", "rdb-key-save-delay": "2000"}
	e, a, logs, err := openEngine(t, dir, conf)
	require.NoError(t, err)
	s := e.NewSession(engine.ClientInfo{})
	defer s.Close()
	for i := 0; i < 100; i++ {
		run(s, "SET k"+strconv.Itoa(i)+" v")
	}
	assert.Equal(t, "+Background append only file rewriting started\r\n", run(s, "BGREWRITEAOF"))
	assert.Equal(t, "+OK\r\n", run(s, "FLUSHALL"))
	assert.Contains(t, run(s, "INFO persistence"), "aof_rewrite_in_progress:1\r\n")
	run(s, "SET after flush")
	waitRewrite(t, e)
	info := run(s, "INFO persistence")
	assert.Contains(t, info, "aof_last_bgrewrite_status:ok\r\n")
	assert.Contains(t, info, "aof_rewrites:1\r\n")
	assert.Contains(t, logs.String(), "* Background AOF rewrite finished successfully")
	want := digest(t, e)
	require.NoError(t, a.Close())
	e2, _, _, err := openEngine(t, dir, map[string]string{"appendonly": "yes"})
	require.NoError(t, err)
	assert.Equal(t, want, digest(t, e2))
	s2 := e2.NewSession(engine.ClientInfo{})
	defer s2.Close()
	assert.Equal(t, ":1\r\n", run(s2, "DBSIZE"))
}
