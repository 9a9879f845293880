package engine

import (
	"testing"
	"time"

	"github.com/goredis-dev/goredis/rdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A replica loads its master's payload from disk as Redis does, in one
// go: the engine stays locked but for a break each
// loading-process-events-interval-bytes, where clients get -LOADING.
// Between breaks no client sees the server loading, however briefly.
func TestMasterLoadHeldYieldsOnlyAtIntervals(t *testing.T) {
	e, _ := testEngine(t)
	c, other := newClient(t, e), newClient(t, e)
	require.Equal(t, "+OK\r\n", c.line("CONFIG SET loading-process-events-interval-bytes 1024"))
	ld := e.BeginMasterLoadHeld(4096)
	got := make(chan string, 1)
	go func() { got <- other.line("GET k") }()
	select {
	case r := <-got:
		t.Fatalf("a command ran while the payload loads: %q", r)
	case <-time.After(200 * time.Millisecond):
	}
	require.NoError(t, ld.Add(0, "k", rdb.Value{Kind: rdb.KindString, Type: rdb.TypeString, Str: "v"}, -1, 0))
	ld.Progress(1000, 0) // within the first interval: no break
	select {
	case r := <-got:
		t.Fatalf("a command ran before the first interval's end: %q", r)
	case <-time.After(200 * time.Millisecond):
	}
	ld.Progress(1100, 0) // past 1024: the waiting client runs, and is told
	assert.Equal(t, "-LOADING Redis is loading the dataset in memory\r\n", <-got)
	ld.End()
	assert.Equal(t, "$1\r\nv\r\n", other.line("GET k"))
	assert.Contains(t, c.line("INFO persistence"), "loading:0\r\n")
}
