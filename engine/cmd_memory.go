package engine

import "runtime/debug"

func memoryHandlers() []handlerEntry {
	return []handlerEntry{
		{"memory|doctor", cmdMemoryDoctor},
		{"memory|help", cmdMemoryHelp},
		{"memory|stats", cmdMemoryStats},
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
	usage := 24 + allocSize(sdsSize(len(args[2])))
	if obj == nil {
		usage += stringObjectSize(str)
	} else {
		usage += 16 + objectMem(obj) - objHeaderBytes
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

// sdsSize is the bytes of an sds string of n bytes: the smallest header
// for its length, the bytes and a terminating zero.
func sdsSize(n int) int64 {
	hdr := 9
	switch {
	case n < 1<<5:
		hdr = 1
	case n < 1<<8:
		hdr = 3
	case n < 1<<16:
		hdr = 5
	}
	return int64(hdr + n + 1)
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

// MEMORY MALLOC-STATS: Redis's answer when its allocator is not jemalloc
// (Go's allocator's figures are in INFO memory and MEMORY STATS).
func cmdMemoryMallocStats(s *Session, args [][]byte) {
	s.w.Verbatim("txt", "Stats not supported for the current allocator")
}

// MEMORY DOCTOR
func cmdMemoryDoctor(s *Session, args [][]byte) {
	s.w.Verbatim("txt", s.e.memDoctor())
}

// MEMORY STATS: used_memory in parts, with Redis's names and order.
func cmdMemoryStats(s *Session, args [][]byte) {
	e := s.e
	m := e.memStats()
	var dbs []*DB
	for _, db := range e.main.dbs {
		if db.size() > 0 {
			dbs = append(dbs, db)
		}
	}
	w := &s.w
	w.Map(27 + len(dbs))
	pair := func(name string, v int64) {
		w.BulkString(name)
		w.Int(v)
	}
	pairF := func(name string, v float64) {
		w.BulkString(name)
		w.Double(v)
	}
	pair("peak.allocated", m.peak)
	pair("total.allocated", m.used)
	pair("startup.allocated", m.b.startup)
	pair("replication.backlog", m.b.backlog)
	pair("clients.slaves", m.b.replicas)
	pair("clients.normal", m.b.clients)
	pair("cluster.links", 0)
	pair("aof.buffer", 0)
	pair("lua.caches", 0)
	pair("functions.caches", 0)
	for _, db := range dbs {
		w.BulkString("db." + itoa(int64(db.id)))
		w.Map(3)
		pair("overhead.hashtable.main", int64(db.size())*keySlotBytes)
		pair("overhead.hashtable.expires", int64(len(db.expires))*expireSlotBytes)
		pair("overhead.hashtable.slot-to-keys", 0)
	}
	pair("overhead.total", m.overhead)
	pair("keys.count", m.b.keys)
	perKey := int64(0)
	if m.b.keys > 0 {
		perKey = (m.used - m.b.startup) / m.b.keys
	}
	pair("keys.bytes-per-key", perKey)
	pair("dataset.bytes", m.dataset)
	pairF("dataset.percentage", m.datasetPerc)
	pairF("peak.percentage", m.peakPerc)
	pair("allocator.allocated", m.allocated)
	pair("allocator.active", m.active)
	pair("allocator.resident", m.resident)
	pairF("allocator-fragmentation.ratio", m.allocFragRatio)
	pair("allocator-fragmentation.bytes", m.active-m.allocated)
	pairF("allocator-rss.ratio", m.allocRSSRatio)
	pair("allocator-rss.bytes", m.resident-m.active)
	pairF("rss-overhead.ratio", m.rssOverheadRatio)
	pair("rss-overhead.bytes", m.rss-m.resident)
	pairF("fragmentation", m.fragRatio)
	pair("fragmentation.bytes", m.rss-m.used)
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
