package persist

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goredis-dev/goredis/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// infoField reads one field of INFO persistence.
func infoField(c *session, name string) string {
	for _, line := range strings.Split(c.do("INFO", "persistence"), "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return v
		}
	}
	return ""
}

// waitBgsave waits for the background save to end.
func waitBgsave(t *testing.T, c *session) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if infoField(c, "rdb_bgsave_in_progress") == "0" {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("bgsave did not end")
}

func TestSaveAndLastSave(t *testing.T) {
	dir := t.TempDir()
	eng, _ := testEngine(t, dir)
	c := newSession(eng)
	c.do("SET", "a", "1")
	c.do("RPUSH", "l", "x", "y")
	assert.Equal(t, "2", infoField(c, "rdb_changes_since_last_save"))
	assert.Equal(t, "+OK\r\n", c.do("SAVE"))
	assert.Equal(t, "0", infoField(c, "rdb_changes_since_last_save"))
	assert.Equal(t, "1", infoField(c, "rdb_saves"))
	assert.Equal(t, "ok", infoField(c, "rdb_last_bgsave_status"))
	assert.Equal(t, ":"+infoField(c, "rdb_last_save_time")+"\r\n", c.do("LASTSAVE"))
	_, err := os.Stat(filepath.Join(dir, "dump.rdb"))
	require.NoError(t, err)
	matches, _ := filepath.Glob(filepath.Join(dir, "temp-*"))
	assert.Empty(t, matches, "the temp file is renamed into place")
}

func TestBackgroundSave(t *testing.T) {
	dir := t.TempDir()
	eng, _ := testEngine(t, dir)
	c := newSession(eng)
	fillEngine(t, eng, 50)
	c.do("CONFIG", "SET", "rdb-key-save-delay", "2000")
	assert.Equal(t, "+Background saving started\r\n", c.do("BGSAVE"))
	assert.Equal(t, "1", infoField(c, "rdb_bgsave_in_progress"))
	assert.Equal(t, "-ERR Background save already in progress\r\n", c.do("BGSAVE"))
	assert.Equal(t, "-ERR Background save already in progress\r\n", c.do("BGSAVE", "SCHEDULE"))
	assert.Equal(t, "-ERR Background save already in progress\r\n", c.do("SAVE"))
	// Clients are served meanwhile.
	assert.Equal(t, "+OK\r\n", c.do("SET", "during", "save"))
	c.do("CONFIG", "SET", "rdb-key-save-delay", "0")
	waitBgsave(t, c)
	assert.Equal(t, "ok", infoField(c, "rdb_last_bgsave_status"))
	assert.Equal(t, "1", infoField(c, "rdb_changes_since_last_save"), "the write made during the save")
	assert.Equal(t, "-ERR syntax error\r\n", c.do("BGSAVE", "NOW"))

	// BGSAVE inside MULTI is scheduled, and the cron starts it.
	c.do("MULTI")
	c.do("BGSAVE")
	assert.Equal(t, "*1\r\n+Background saving scheduled\r\n", c.do("EXEC"))
	eng.PersistenceCron()
	waitBgsave(t, c)
	assert.Equal(t, "0", infoField(c, "rdb_changes_since_last_save"))
}

// TestFlushAllAbortsBgsave is rdb.tcl's "Test FLUSHALL aborts bgsave".
func TestFlushAllAbortsBgsave(t *testing.T) {
	eng, _ := testEngine(t, t.TempDir())
	c := newSession(eng)
	c.do("CONFIG", "SET", "save", "")
	c.do("CONFIG", "SET", "rdb-key-save-delay", "1000")
	for i := range 5000 {
		// rdb.tcl's populate: SETs, which count as changes (DEBUG
		// POPULATE does not, as in Redis).
		c.do("SET", "key:"+strconv.Itoa(i), "value")
	}
	assert.Equal(t, "5000", infoField(c, "rdb_changes_since_last_save"))
	c.do("BGSAVE")
	assert.Equal(t, "1", infoField(c, "rdb_bgsave_in_progress"))
	c.do("FLUSHALL")
	waitBgsave(t, c)
	assert.Equal(t, "ok", infoField(c, "rdb_last_bgsave_status"))
	// Redis adds the keys FLUSHALL removed, and one: 5000 + 5000 + 1.
	assert.Equal(t, "10001", infoField(c, "rdb_changes_since_last_save"))
	assert.Equal(t, "+OK\r\n", c.do("SET", "x", "xx"))
}

// TestMisconf: a failed background save with save points stops writes
// (and PING) with Redis's MISCONF error until a save succeeds.
func TestMisconf(t *testing.T) {
	dir := t.TempDir()
	gone := filepath.Join(dir, "gone")
	require.NoError(t, os.Mkdir(gone, 0o755))
	eng, _ := testEngine(t, gone)
	c := newSession(eng)
	c.do("SET", "x", "x")
	require.NoError(t, os.Remove(gone))
	assert.Equal(t, "+Background saving started\r\n", c.do("BGSAVE"))
	waitBgsave(t, c)
	assert.Equal(t, "err", infoField(c, "rdb_last_bgsave_status"))
	misconf := "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.\r\n"
	assert.Equal(t, misconf, c.do("SET", "x", "y"))
	assert.Equal(t, misconf, c.do("PING"))
	assert.Equal(t, "$1\r\nx\r\n", c.do("GET", "x"))
	c.do("MULTI")
	assert.Equal(t, misconf, c.do("SET", "x", "z"))
	assert.Equal(t, "-EXECABORT Transaction discarded because of previous errors.\r\n", c.do("EXEC"))
	// Without save points writes go on.
	c.do("CONFIG", "SET", "save", "")
	assert.Equal(t, "+OK\r\n", c.do("SET", "x", "y"))
	c.do("CONFIG", "SET", "save", "3600 1")
	assert.Equal(t, misconf, c.do("SET", "x", "y"))
	c.do("CONFIG", "SET", "stop-writes-on-bgsave-error", "no")
	assert.Equal(t, "+OK\r\n", c.do("SET", "x", "y"))
	c.do("CONFIG", "SET", "stop-writes-on-bgsave-error", "yes")
	// A successful save ends it.
	require.NoError(t, os.Mkdir(gone, 0o755))
	c.do("BGSAVE")
	waitBgsave(t, c)
	assert.Equal(t, "+OK\r\n", c.do("SET", "x", "w"))
}

func TestConfigSetDir(t *testing.T) {
	dir := t.TempDir()
	eng, _ := testEngine(t, dir)
	c := newSession(eng)
	assert.Equal(t, "-ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory\r\n",
		c.do("CONFIG", "SET", "dir", filepath.Join(dir, "missing")))
	assert.Equal(t, "*2\r\n$3\r\ndir\r\n$"+itoa(len(dir))+"\r\n"+dir+"\r\n", c.do("CONFIG", "GET", "dir"))
	other := t.TempDir()
	assert.Equal(t, "+OK\r\n", c.do("CONFIG", "SET", "dir", other))
	assert.Equal(t, "+OK\r\n", c.do("SAVE"))
	_, err := os.Stat(filepath.Join(other, "dump.rdb"))
	assert.NoError(t, err)
}

func itoa(n int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + formatInt(n)) }

func formatInt(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// TestLoadingGate: while a dump loads, commands without the loading flag
// get -LOADING; INFO shows the load.
func TestLoadingGate(t *testing.T) {
	eng, _ := testEngine(t, t.TempDir())
	c := newSession(eng)
	ld := eng.BeginLoad(1000)
	assert.Equal(t, "-LOADING Redis is loading the dataset in memory\r\n", c.do("GET", "x"))
	assert.Equal(t, "1", infoField(c, "loading"))
	assert.Equal(t, "1000", infoField(c, "loading_total_bytes"))
	assert.Equal(t, "+OK\r\n", c.do("SELECT", "1"))
	ld.End()
	assert.Equal(t, "$-1\r\n", c.do("GET", "x"))
	assert.Equal(t, "0", infoField(c, "loading"))
}

// TestDebugReloadUsesTheFile: DEBUG RELOAD saves the dump and loads it
// back; NOSAVE loads the file as it is.
func TestDebugReloadUsesTheFile(t *testing.T) {
	dir := t.TempDir()
	eng, _ := testEngine(t, dir)
	c := newSession(eng)
	fillEngine(t, eng, 100)
	want := digests(t, c.do)
	assert.Equal(t, "+OK\r\n", c.do("DEBUG", "RELOAD"))
	assert.Equal(t, want, digests(t, c.do))
	c.do("SET", "after", "save")
	assert.Equal(t, "+OK\r\n", c.do("DEBUG", "RELOAD", "NOSAVE"))
	assert.Equal(t, want, digests(t, c.do), "NOSAVE loads the file saved before")
	require.NoError(t, os.Remove(filepath.Join(dir, "dump.rdb")))
	assert.Equal(t, "-ERR Error trying to load the RDB dump\r\n", c.do("DEBUG", "RELOAD", "NOSAVE"))
}

// TestShutdownSaves: SHUTDOWN saves when save points are set (or SAVE
// is given), not with NOSAVE, and refuses to stop when the save fails
// unless FORCE.
func TestShutdownSaves(t *testing.T) {
	dir := t.TempDir()
	var mu sync.Mutex
	stopped := 0
	eng := engine.New(engine.Options{Config: map[string]string{"dir": dir}, Shutdown: func() { mu.Lock(); stopped++; mu.Unlock() }})
	New(eng, nil)
	c := newSession(eng)
	c.do("SET", "k", "v")
	c.do("SHUTDOWN")
	_, err := os.Stat(filepath.Join(dir, "dump.rdb"))
	require.NoError(t, err)
	require.NoError(t, os.Remove(filepath.Join(dir, "dump.rdb")))

	c = newSession(eng)
	c.do("SHUTDOWN", "NOSAVE")
	_, err = os.Stat(filepath.Join(dir, "dump.rdb"))
	assert.True(t, os.IsNotExist(err))

	c = newSession(eng)
	c.do("CONFIG", "SET", "save", "")
	c.do("SHUTDOWN")
	_, err = os.Stat(filepath.Join(dir, "dump.rdb"))
	assert.True(t, os.IsNotExist(err), "no save points, no save")
	c = newSession(eng)
	c.do("SHUTDOWN", "SAVE")
	_, err = os.Stat(filepath.Join(dir, "dump.rdb"))
	assert.NoError(t, err)

	require.NoError(t, os.RemoveAll(dir))
	c = newSession(eng)
	assert.Equal(t, "-ERR Errors trying to SHUTDOWN. Check logs.\r\n", c.do("SHUTDOWN", "SAVE"))
	c.do("SHUTDOWN", "SAVE", "FORCE")
	mu.Lock()
	assert.Equal(t, 5, stopped)
	mu.Unlock()
}

// TestSavePointCron: a due save point starts a BGSAVE.
func TestSavePointCron(t *testing.T) {
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	eng := engine.New(engine.Options{Now: clock, Config: map[string]string{"dir": t.TempDir(), "save": "10 2"}})
	New(eng, nil)
	c := newSession(eng)
	c.do("SET", "a", "1")
	c.do("SET", "b", "1")
	eng.PersistenceCron()
	assert.Equal(t, "0", infoField(c, "rdb_bgsave_in_progress"), "not 10 seconds yet")
	mu.Lock()
	now = now.Add(11 * time.Second)
	mu.Unlock()
	eng.PersistenceCron()
	waitBgsave(t, c)
	assert.Equal(t, "0", infoField(c, "rdb_changes_since_last_save"))
	assert.Equal(t, "1", infoField(c, "rdb_saves"))
}
