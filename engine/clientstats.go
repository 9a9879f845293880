package engine

import "sync/atomic"

// What hosts report of their clients' input, for INFO and CLIENT LIST:
// bytes read (total_net_input_bytes) and query buffer sizes (qbuf,
// qbuf-free, client_recent_max_input_buffer). Hosts report without taking
// the engine's lock, from their own goroutines.

// inputPeakSlots is how many seconds client_recent_max_input_buffer
// remembers (Redis's CLIENTS_PEAK_MEM_USAGE_SLOTS).
const inputPeakSlots = 8

type inputStats struct {
	netBytes atomic.Int64
	// peaks[sec%8] is the largest query buffer seen during second sec
	// (guarded by Engine.mu).
	peaks [inputPeakSlots]struct{ sec, size int64 }
}

// CountNetInput adds n bytes read from clients to total_net_input_bytes.
func (e *Engine) CountNetInput(n int) { e.input.netBytes.Add(int64(n)) }

// ClientsCron samples the clients' query buffers, as Redis's clientsCron
// does for client_recent_max_input_buffer. Hosts call it about every 100 ms.
func (e *Engine) ClientsCron() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cronPaused {
		return
	}
	e.tick()
	e.sampleInputPeak(e.now().Unix())
	e.checkOutputLimits()
	e.resizeReplyBuffers()
	e.evictClients()
	e.evictionCron()
	if used := uint64(e.usedMemory()); used > e.srv.peakMemory {
		e.srv.peakMemory = used // used_memory_peak, as Redis's cron samples it
	}
}

func (e *Engine) sampleInputPeak(sec int64) {
	var biggest int64
	for _, s := range e.sessions {
		biggest = max(biggest, s.qbufCap.Load())
	}
	slot := &e.input.peaks[sec%inputPeakSlots]
	if slot.sec != sec {
		slot.sec, slot.size = sec, 0
	}
	slot.size = max(slot.size, biggest)
}

// recentMaxInputBuffer is the largest query buffer of the last seconds.
func (e *Engine) recentMaxInputBuffer() int64 {
	sec := e.now().Unix()
	e.sampleInputPeak(sec)
	var m int64
	for _, p := range e.input.peaks {
		if sec-p.sec < inputPeakSlots {
			m = max(m, p.size)
		}
	}
	return m
}

// InfoString describes the session as a CLIENT LIST line, for the host's
// log lines about a client (Redis's catClientInfoString).
func (s *Session) InfoString() string {
	e := s.e
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.clientInfoLine(s, nil, nil)
}
