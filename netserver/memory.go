package netserver

import (
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// idleReclaimer gives memory back to the OS once a burst of writes is
// over. Go's collector lets the heap grow to twice the live data (GOGC=100)
// before it collects, and nothing collects while no one allocates: after
// loading a dataset the process can keep up to that much garbage and free
// pages for good. Redis frees at once (malloc/free), so without this an
// idle GoRedis looks up to twice as big as it is. When a cron tick sees
// (almost) no allocation since the previous one (reads allocate nothing)
// and the heap holds much more than the live data, it runs one collection
// and returns the free pages (debug.FreeOSMemory). This costs one GC per
// burst, only when idle; a lower GOGC would instead cost CPU on every write
// (measured in cmd/redisbench: GOGC=50 doubled the load time of 1M keys).
type idleReclaimer struct {
	samples    []metrics.Sample
	lastAllocs uint64
	// free is the operation that returns memory, debug.FreeOSMemory;
	// tests count calls instead.
	free func()
}

const (
	// reclaimMinBytes ignores small amounts of garbage.
	reclaimMinBytes = 8 << 20
	// reclaimRatio: act when garbage and free pages exceed live/ratio.
	reclaimRatio = 8
	// idleAllocBytes: allocating less than this in a tick counts as idle
	// (the cron's own small allocations, a trickle of commands).
	idleAllocBytes = 64 << 10
)

func newIdleReclaimer() *idleReclaimer {
	return &idleReclaimer{
		samples: []metrics.Sample{
			{Name: "/gc/heap/allocs:bytes"},              // allocated ever
			{Name: "/memory/classes/heap/objects:bytes"}, // live + unswept garbage
			{Name: "/memory/classes/heap/free:bytes"},    // free, still held from the OS
			{Name: "/gc/heap/live:bytes"},                // live at the last GC
		},
		free: debug.FreeOSMemory,
	}
}

// tick is called periodically (every 100 ms).
func (r *idleReclaimer) tick() {
	metrics.Read(r.samples)
	for _, s := range r.samples {
		if s.Value.Kind() != metrics.KindUint64 {
			return // metric unsupported by this runtime
		}
	}
	allocs := r.samples[0].Value.Uint64()
	objects := r.samples[1].Value.Uint64()
	free := r.samples[2].Value.Uint64()
	live := r.samples[3].Value.Uint64()
	idle := allocs-r.lastAllocs < idleAllocBytes
	r.lastAllocs = allocs
	if !idle || objects < live {
		return
	}
	excess := objects - live + free
	if excess > reclaimMinBytes && excess > live/reclaimRatio {
		r.free()
		// the collection itself allocates a little: read afresh so the
		// next tick can tell idleness again
		metrics.Read(r.samples[:1])
		r.lastAllocs = r.samples[0].Value.Uint64()
	}
}

// released notes that a closed peer freed n bytes (its unwritten replies
// and unrun requests). Once a large amount was freed, the memory goes back
// to the OS at once rather than when Go's scavenger gets to it: a client
// that leaves stops costing. A forced collection takes a while, so it runs
// in its own goroutine, at most once per releaseInterval: what is freed
// meanwhile is returned by one more run at the end of the interval.
func (s *Server) released(n int64) {
	if s.freed.Add(max(n, 0)) < releaseMinBytes || !s.releasing.CompareAndSwap(false, true) {
		return
	}
	wait := time.Until(time.Unix(0, s.lastRelease.Load()).Add(releaseInterval))
	time.AfterFunc(max(wait, 0), func() {
		s.freed.Store(0)
		s.lastRelease.Store(time.Now().UnixNano())
		debug.FreeOSMemory()
		s.releasing.Store(false)
		if s.freed.Load() >= releaseMinBytes {
			s.released(0)
		}
	})
}

const (
	releaseMinBytes = 32 << 20
	releaseInterval = time.Second
)
