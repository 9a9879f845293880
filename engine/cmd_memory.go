package engine

import "runtime/debug"

func memoryHandlers() []handlerEntry {
	return []handlerEntry{
		{"memory|help", cmdMemoryHelp},
		{"memory|malloc-stats", cmdMemoryMallocStats},
		{"memory|purge", cmdMemoryPurge},
		{"memory|usage", cmdMemoryUsage},
	}
}

// MEMORY USAGE key [SAMPLES count]
//
// Redis sums the allocator's size of the key, its dict entry and the value
// (sampling nested elements); GoRedis estimates the same parts from what it
// holds. A sample count is accepted as in Redis, but the whole value is
// measured: the estimate is already O(N) cheap arithmetic.
func cmdMemoryUsage(s *Session, args [][]byte) {
	for j := 3; j < len(args); j++ {
		if !equalFold(args[j], "samples") || j+1 >= len(args) {
			s.w.Error(errSyntax)
			return
		}
		n, ok := parseInt(args[j+1])
		if !ok {
			s.w.Error(errNotInt)
			return
		}
		if n < 0 {
			s.w.Error(errSyntax)
			return
		}
		j++
	}
	str, obj, found := s.lookup(args[2])
	if !found {
		s.w.Null()
		return
	}
	// A dict entry (24 bytes) and the key as an sds string.
	usage := 24 + allocSize(int64(len(args[2]))+4)
	if obj == nil {
		usage += stringObjectSize(str)
	} else if sz, ok := obj.(sizer); ok {
		usage += 16 + sz.approxBytes()
	} else {
		usage += 16 + 64
	}
	s.w.Int(usage)
}

// stringObjectSize is what Redis's objectComputeSize gives a string: the
// object header alone for a shared-able integer, header and bytes together
// for an embedded string, else header plus a separate sds allocation.
func stringObjectSize(v string) int64 {
	switch stringEncoding(v) {
	case "int":
		return 16
	case "embstr":
		return allocSize(16 + int64(len(v)) + 4)
	}
	return 16 + allocSize(int64(len(v))+9)
}

// allocSize rounds a request up to a jemalloc-like size class: 8, then
// steps of 16 up to 128, then four classes per doubling.
func allocSize(n int64) int64 {
	switch {
	case n <= 8:
		return 8
	case n <= 128:
		return (n + 15) &^ 15
	}
	step := int64(16)
	for step*8 < n {
		step *= 2
	}
	return (n + step - 1) / step * step
}

// MEMORY PURGE: hand freed memory back to the operating system, as Redis
// asks jemalloc to purge its dirty pages.
func cmdMemoryPurge(s *Session, args [][]byte) {
	debug.FreeOSMemory()
	s.w.OK()
}

// MEMORY MALLOC-STATS: Redis's answer when its allocator is not jemalloc;
// Go's allocator statistics are in INFO memory.
func cmdMemoryMallocStats(s *Session, args [][]byte) {
	s.w.BulkString("Stats not supported for the current allocator")
}

// MEMORY HELP
func cmdMemoryHelp(s *Session, args [][]byte) {
	writeHelp(&s.w, "MEMORY", []string{
		"DOCTOR",
		"    Return memory problems reports.",
		"MALLOC-STATS",
		"    Return internal statistics report from the memory allocator.",
		"PURGE",
		"    Attempt to purge dirty pages for reclamation by the allocator.",
		"STATS",
		"    Return information about the memory usage of the server.",
		"USAGE <key> [SAMPLES <count>]",
		"    Return memory in bytes used by <key> and its value. Nested values are",
		"    sampled up to <count> times (default: 5, 0 means sample all).",
	})
}
