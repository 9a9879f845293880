package netserver

import (
	"runtime"
	"runtime/debug"
	"testing"
)

var sink [][]byte

// TestIdleReclaimer: garbage left by a burst of allocation is given back
// once allocation stops, and only then.
func TestIdleReclaimer(t *testing.T) {
	// No collection during the burst: one would count the burst as live
	// and hide it from the reclaimer until the next collection, which
	// makes the outcome depend on the heap left by earlier tests.
	runtime.GC()
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	r := newIdleReclaimer()
	calls := 0
	r.free = func() { calls++; debug.FreeOSMemory() }
	for range 64 {
		sink = append(sink, make([]byte, 1<<20))
	}
	r.tick()   // allocation since the last tick: not idle
	sink = nil // now garbage, which no collection will see without allocation
	if calls != 0 {
		t.Fatalf("reclaimed while allocating")
	}
	for range 3 {
		r.tick()
	}
	if calls != 1 {
		t.Fatalf("reclaimed %d times after the burst, want 1", calls)
	}
}
