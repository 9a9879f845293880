package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestOverwriteDoesNotAliasRequest: a Go map assignment to an existing key
// stores the key given, so overwriting a key (SET, a new deadline) must
// store a copy, not a view of the request buffer the host reuses.
func TestOverwriteDoesNotAliasRequest(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	c.do("SET", "key1", "a")
	buf := []byte("key1")
	c.s.Exec([][]byte{[]byte("SET"), buf, []byte("b")})
	c.s.Exec([][]byte{[]byte("SET"), buf, []byte("c"), []byte("PX"), []byte("100000")})
	c.s.Exec([][]byte{[]byte("SET"), buf, []byte("d"), []byte("KEEPTTL")})
	c.s.TakeOutput(nil)
	copy(buf, "zzzz") // the host reads the next request into the buffer
	assert.Equal(t, "$1\r\nd\r\n", c.do("GET", "key1"))
	assert.Equal(t, "$-1\r\n", c.do("GET", "zzzz"))
	assert.Equal(t, int64(100000), e.main.dbs[0].deadline("key1")-e.nowMs)
}

// TestExecBatch runs a batch under one lock: every command answered in
// order, and the batch stops at a command that closes the client.
func TestExecBatch(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	cmds := [][][]byte{
		{[]byte("SET"), []byte("k"), []byte("v")},
		{[]byte("GET"), []byte("k")},
		{[]byte("NOSUCH")},
		{[]byte("QUIT")},
		{[]byte("GET"), []byte("k")},
	}
	i := 0
	n, st := c.s.ExecBatch(func() [][]byte {
		if i == len(cmds) {
			return nil
		}
		i++
		return cmds[i-1]
	})
	assert.Equal(t, 4, n)
	assert.Equal(t, StatusClose, st)
	assert.Equal(t, "+OK\r\n$1\r\nv\r\n-ERR unknown command 'NOSUCH', with args beginning with: \r\n+OK\r\n", string(c.s.TakeOutput(nil)))
}

// TestEmptyPartsDoNotAliasRequest: a key or value stored packed with an
// empty other half is a copy, not the request's bytes (a concatenation
// with an empty string returns the other operand itself).
func TestEmptyPartsDoNotAliasRequest(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	key, val := []byte("key1"), []byte("value1")
	c.s.Exec([][]byte{[]byte("SET"), key, []byte("")})
	c.s.Exec([][]byte{[]byte("SET"), []byte(""), val})
	c.s.Exec([][]byte{[]byte("APPEND"), []byte("key2"), []byte("")})
	c.s.TakeOutput(nil)
	copy(key, "zzzz")
	copy(val, "yyyyyy")
	assert.Equal(t, "$0\r\n\r\n", c.do("GET", "key1"))
	assert.Equal(t, "$6\r\nvalue1\r\n", c.do("GET", ""))
	assert.Equal(t, "$-1\r\n", c.do("GET", "zzzz"))
	assert.Equal(t, ":3\r\n", c.do("DBSIZE"))
}
