package engine

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A read or TOUCH that refreshes a string key's access record assigns the
// map entry again: the key it stores must be the stored copy (from the
// packed value, or a fresh copy), never the request's bytes, which the
// host reuses for the next command.
func TestAccessRecordNeverStoresRequestBytes(t *testing.T) {
	for _, policy := range []string{"allkeys-lru", "allkeys-lfu", "noeviction"} {
		t.Run(policy, func(t *testing.T) {
			e, clk := testEngine(t)
			c := newClient(t, e)
			require.Equal(t, ok, c.line("CONFIG SET maxmemory-policy "+policy))
			big := strings.Repeat("v", packedValueMax+1)
			require.Equal(t, ok, c.line("SET small v"))   // packed with its key
			require.Equal(t, ok, c.line("SET big "+big))  // key and value apart
			require.Equal(t, ok, c.do("SET", "none", "")) // empty value
			for _, key := range []string{"small", "big", "none"} {
				for _, cmd := range []string{"GET", "TOUCH"} {
					clk.Advance(2 * time.Second)
					buf := []byte(key)
					c.s.Exec([][]byte{[]byte(cmd), buf})
					c.s.TakeOutput(nil)
					for i := range buf {
						buf[i] = '#' // the host reuses its buffer
					}
					db := e.main.dbs[0]
					_, found := db.strs.get(key)
					require.True(t, found, "%s %s", cmd, key)
					db.strs.each(func(k string, _ strEntry) bool {
						require.NotContains(t, k, "#", "%s %s", cmd, key)
						return true
					})
				}
			}
			assert.Equal(t, bulk("v"), c.line("GET small"))
			assert.Equal(t, bulk(big), c.line("GET big"))
			assert.Equal(t, integer(3), c.line("DBSIZE"))
		})
	}
}

// A value replacing another of any type keeps the key's access record,
// so an LFU counter survives SET over a list and the other way round
// (Redis's dbOverwrite); a deleted key's record goes with it. With
// lfu-log-factor 0 every access counts, so the counters are exact.
func TestAccessRecordSurvivesOverwrite(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	require.Equal(t, ok, c.line("CONFIG SET maxmemory-policy allkeys-lfu"))
	require.Equal(t, ok, c.line("CONFIG SET lfu-log-factor 0"))
	require.Equal(t, ok, c.line("SET k v"))
	for range 20 {
		c.line("GET k")
	}
	assert.Equal(t, integer(25), c.line("OBJECT FREQ k"))
	require.Equal(t, integer(1), c.line("DEL k"))
	require.Equal(t, integer(1), c.line("RPUSH k a"))
	assert.Equal(t, integer(lfuInitVal), c.line("OBJECT FREQ k"), "a deleted key's record went with it")
	for range 20 {
		c.line("LLEN k")
	}
	assert.Equal(t, integer(25), c.line("OBJECT FREQ k"))
	require.Equal(t, ok, c.line("SET k v"), "a list replaced by a string")
	assert.Equal(t, integer(26), c.line("OBJECT FREQ k"), "as Redis: SET's lookup counts, dbOverwrite keeps it")
	require.Equal(t, integer(1), c.line("SADD s m"))
	require.Equal(t, integer(1), c.line("SUNIONSTORE k s"), "a string replaced by a set")
	got, err := strconv.Atoi(strings.Trim(c.line("OBJECT FREQ k"), ":\r\n"))
	require.NoError(t, err)
	assert.GreaterOrEqual(t, got, 26)
}
