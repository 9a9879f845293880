package engine

import (
	"sync/atomic"
	"time"
)

// What hosts report of their clients' traffic, for INFO and CLIENT LIST:
// bytes read and written (total_net_*_bytes, total_reads_processed,
// total_writes_processed, the replication links' bytes apart, as Redis
// counts them) and query buffer sizes (qbuf, qbuf-free,
// client_recent_max_input_buffer). Hosts report without taking the
// engine's lock, from their own goroutines.

// inputPeakSlots is how many seconds client_recent_max_input_buffer
// remembers (Redis's CLIENTS_PEAK_MEM_USAGE_SLOTS).
const inputPeakSlots = 8

type netStats struct {
	inBytes, outBytes         atomic.Int64
	replInBytes, replOutBytes atomic.Int64
	reads, writes             atomic.Int64
	// peaks[sec%8] is the largest query buffer seen during second sec
	// (guarded by Engine.mu).
	peaks [inputPeakSlots]struct{ sec, size int64 }
}

// CountNetInput counts one read of n bytes from a client.
func (e *Engine) CountNetInput(n int) {
	e.net.inBytes.Add(int64(n))
	e.net.reads.Add(1)
}

// CountReplInput counts n bytes read from this replica's master
// (total_net_repl_input_bytes).
func (e *Engine) CountReplInput(n int) { e.net.replInBytes.Add(int64(n)) }

// CountReplOutput counts n bytes written to a replica by a transport that
// does not go through its session's output (total_net_repl_output_bytes).
func (e *Engine) CountReplOutput(n int) { e.net.replOutBytes.Add(int64(n)) }

// countOutput counts one write of n bytes to s (Consumed), on the
// replication counter when s is a replica's link, as Redis does.
func (s *Session) countOutput(n int) {
	net := &s.e.net
	net.writes.Add(1)
	if s.replLink.Load() {
		net.replOutBytes.Add(int64(n))
		return
	}
	net.outBytes.Add(int64(n))
}

// NoteQueryBuffer records the size of the session's query buffer: used
// bytes not yet run, and its whole capacity.
func (s *Session) NoteQueryBuffer(used, capacity int) {
	s.qbufUsed.Store(int64(used))
	s.qbufCap.Store(int64(capacity))
}

// ClientsCron samples the clients' query buffers, as Redis's clientsCron
// does for client_recent_max_input_buffer. Hosts call it about every 100 ms.
func (e *Engine) ClientsCron() {
	if e.cronPaused.Load() {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.sampleInputPeak(e.now().Unix())
	e.trackInstantaneousMetrics(time.Now().UnixMilli())
	if e.migrator != nil && e.now().Unix() != e.srv.lastMigrateSweep {
		// Once a second, as Redis's cron closes idle MIGRATE sockets.
		e.srv.lastMigrateSweep = e.now().Unix()
		e.migrator.CachedConnections()
	}
	e.checkOutputLimits()
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
	slot := &e.net.peaks[sec%inputPeakSlots]
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
	for _, p := range e.net.peaks {
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

// Instantaneous metrics, as Redis's trackInstantaneousMetric: a rate per
// second sampled every cron tick, averaged over the last 16 samples.
const instMetricSamples = 16

const (
	instCommands = iota
	instNetInput
	instNetOutput
	instReplInput
	instReplOutput
	instMetricCount
)

type instMetric struct {
	samples    [instMetricSamples]int64
	idx        int
	lastMs     int64
	lastCount  int64
	hasSampled bool
}

func (m *instMetric) track(nowMs, count int64) {
	if m.hasSampled {
		rate := int64(0)
		if dt := nowMs - m.lastMs; dt > 0 {
			rate = (count - m.lastCount) * 1000 / dt
		}
		m.samples[m.idx] = rate
		m.idx = (m.idx + 1) % instMetricSamples
	}
	m.lastMs, m.lastCount, m.hasSampled = nowMs, count, true
}

func (m *instMetric) value() int64 {
	var sum int64
	for _, v := range m.samples {
		sum += v
	}
	return sum / instMetricSamples
}

func (e *Engine) trackInstantaneousMetrics(nowMs int64) {
	m := &e.srv.inst
	m[instCommands].track(nowMs, e.stats.commands)
	m[instNetInput].track(nowMs, e.net.inBytes.Load())
	m[instNetOutput].track(nowMs, e.net.outBytes.Load())
	m[instReplInput].track(nowMs, e.net.replInBytes.Load())
	m[instReplOutput].track(nowMs, e.net.replOutBytes.Load())
}
