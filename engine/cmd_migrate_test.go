package engine

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeMigrator records MIGRATE's requests and answers with canned
// results, one per call.
type fakeMigrator struct {
	reqs    []MigrateRequest
	results []MigrateResult
	forgot  int
	lastDB  int64
}

func (f *fakeMigrator) Migrate(req *MigrateRequest) MigrateResult {
	f.reqs = append(f.reqs, *req)
	r := f.results[0]
	f.results = f.results[1:]
	return r
}
func (f *fakeMigrator) Forget(host, port string)              { f.forgot++ }
func (f *fakeMigrator) SetLastDB(host, port string, db int64) { f.lastDB = db }
func (f *fakeMigrator) CachedConnections() int                { return 0 }

func TestMigrate(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	f := &fakeMigrator{}
	e.SetMigrator(f)
	require.Equal(t, "+OK\r\n", c.line("SET a 1"))
	require.Equal(t, "+OK\r\n", c.line("SET b 2"))
	require.Equal(t, ":1\r\n", c.line("PEXPIRE b 5000"))
	steps := []struct {
		cmd     string
		results []MigrateResult
		want    string
	}{
		{"MIGRATE h 1 a 0 100 BOGUS", nil, "-ERR syntax error\r\n"},
		{"MIGRATE h 1 a 0 100 AUTH", nil, "-ERR syntax error\r\n"},
		{"MIGRATE h 1 a 0 100 AUTH2 u", nil, "-ERR syntax error\r\n"},
		{"MIGRATE h 1 a 0 100 KEYS a", nil, "-ERR When using MIGRATE KEYS option, the key argument must be set to the empty string\r\n"},
		{"MIGRATE h 1 a x 100", nil, "-ERR value is not an integer or out of range\r\n"},
		{"MIGRATE h 1 nokey 0 100", nil, "+NOKEY\r\n"},
		{"MIGRATE h 1 a 0 100", []MigrateResult{{ConnectFailed: true}}, "-IOERR error or timeout connecting to the client\r\n"},
		{"MIGRATE h 1 a 0 100 COPY", []MigrateResult{{Selected: true, SelectReply: "+OK", Replies: []string{"+OK"}}}, "+OK\r\n"},
		{"MIGRATE h 1 a 0 100", []MigrateResult{{Replies: []string{"-BUSYKEY Target key name already exists."}}}, "-ERR Target instance replied with error: BUSYKEY Target key name already exists.\r\n"},
		// A write failure is retried once on a new connection.
		{"MIGRATE h 1 a 0 100", []MigrateResult{{WriteFailed: true}, {WriteFailed: true}}, "-IOERR error or timeout writing to target instance\r\n"},
		{"MIGRATE h 1 a 0 100", []MigrateResult{{WriteFailed: true, TimedOut: true}}, "-IOERR error or timeout writing to target instance\r\n"},
		{"MIGRATE h 1 a 0 100", []MigrateResult{{}, {Replies: []string{"+OK"}}}, "+OK\r\n"},
	}
	for _, st := range steps {
		f.results = st.results
		assert.Equal(t, st.want, c.line(st.cmd), st.cmd)
		assert.Empty(t, f.results, st.cmd)
	}
	assert.Equal(t, ":0\r\n", c.line("EXISTS a"), "moved without COPY")
	f.results = []MigrateResult{{Replies: []string{"-ERR x"}}}
	assert.Equal(t, "-ERR Target instance replied with error: ERR x\r\n", c.do("MIGRATE", "h", "1", "", "3", "100", "AUTH2", "user", "pw", "REPLACE", "KEYS", "b", "missing"))
	require.Equal(t, "+OK\r\n", c.line("SET a 1"))
	dump := c.line("DUMP a")
	f.results = []MigrateResult{{Replies: []string{"+OK"}}}
	assert.Equal(t, "-IOERR error or timeout reading to target instance\r\n", c.do("MIGRATE", "h", "1", "", "3", "100", "AUTH", "pw", "REPLACE", "KEYS", "b", "a"))
	last := f.reqs[len(f.reqs)-1]
	assert.Equal(t, "pw", last.Password)
	assert.Equal(t, int64(3), last.DB)
	require.Len(t, last.Restores, 2)
	assert.Equal(t, "RESTORE", string(last.Restores[0][0]))
	assert.Equal(t, "b", string(last.Restores[0][1]))
	ttl := string(last.Restores[0][2])
	assert.True(t, ttl != "0" && len(ttl) <= 4, ttl)
	assert.Equal(t, "REPLACE", string(last.Restores[0][4]))
	assert.Equal(t, "0", string(last.Restores[1][2]))
	// The payload is DUMP's.
	assert.True(t, strings.Contains(dump, string(last.Restores[1][3])))
	assert.Equal(t, ":0\r\n", c.line("EXISTS b"), "b's reply was read: it moved")
	assert.Equal(t, ":1\r\n", c.line("EXISTS a"), "a's reply never came: it stays")
}
