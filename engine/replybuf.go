package engine

// The reply buffer every client has (Redis's c->buf, 7.0): CLIENT LIST
// shows its size as rbs and the most of it used since the last reset as
// rbp, and the clients cron resizes it to what the client uses: an idle
// client's shrinks to 1 KB, a busy one's grows back to 16 KB (Redis's
// clientsCronResizeOutputBuffer). GoRedis's writer grows and recycles
// its buffers by itself; rbs is the size the client is accounted for: the
// fixed part of its output (obl) and of its memory (tot-mem).

const (
	// replyBufMinBytes is Redis's PROTO_REPLY_MIN_BYTES.
	replyBufMinBytes = 1024
	// replyBufPeakResetMs is Redis's REPLY_BUFFER_DEFAULT_PEAK_RESET_TIME.
	replyBufPeakResetMs = 5000
)

// replyBufState is the engine's side of reply buffer resizing, which
// DEBUG REPLYBUFFER tunes.
type replyBufState struct {
	// resizingOff is DEBUG REPLYBUFFER RESIZING 0.
	resizingOff bool
	// peakResetMs is how often a client's peak is reset to its current
	// use (-1: never); 0 means the default.
	peakResetMs int64
	// shrinks and expands are INFO's reply_buffer_shrinks and
	// reply_buffer_expands.
	shrinks, expands int64
}

// replyBufSize is the reply buffer's size (rbs).
func (w *Writer) replyBufSize() int64 {
	if w.rbs == 0 {
		return replyChunkBytes
	}
	return w.rbs
}

// noteReplyBufPeak records how much of the reply buffer the pending
// output fills, as Redis's _addReplyToBuffer updates buf_peak.
func (w *Writer) noteReplyBufPeak() {
	if used := min(w.pending(), w.replyBufSize()); used > w.rbp {
		w.rbp = used
	}
}

// resizeReplyBuffer is Redis's clientsCronResizeOutputBuffer for one
// client: shrink to the peak when it is under half the buffer, double
// (up to 16 KB) when the peak filled it, and reset the peak every
// peakResetMs. Called with s.mu held.
func (s *Session) resizeReplyBuffer(nowMs int64) {
	e := s.e
	if e.replyBuf.resizingOff {
		return
	}
	w := &s.w
	size := w.replyBufSize()
	newSize := int64(0)
	switch {
	case size/2 >= replyBufMinBytes && w.rbp < size/2:
		newSize = max(replyBufMinBytes, w.rbp+1)
		e.replyBuf.shrinks++
	case size*2 < replyChunkBytes*2 && w.rbp == size:
		newSize = min(replyChunkBytes, size*2)
		e.replyBuf.expands++
	}
	reset := e.replyBuf.peakResetMs
	if reset == 0 {
		reset = replyBufPeakResetMs
	}
	if reset >= 0 && nowMs-s.rbpResetMs >= reset {
		w.rbp = min(w.pending(), size)
		s.rbpResetMs = nowMs
	}
	if newSize != 0 {
		w.rbs = newSize
		s.noteMemory()
	}
}

// resizeReplyBuffers runs resizeReplyBuffer for every client (the
// clients cron).
func (e *Engine) resizeReplyBuffers() {
	for _, s := range e.sessions {
		s.mu.Lock()
		if !s.closed {
			s.dropIdleSpares()
			s.resizeReplyBuffer(e.nowMs)
		}
		s.mu.Unlock()
	}
}

// dropIdleSpares lets a client's recycled reply blocks go once its peak
// output since the last peak reset used under half its reply buffer: a
// quiet client keeps none, a pipelining one keeps them warm. It does not
// depend on resizing (DEBUG REPLYBUFFER RESIZING 0), which Redis users
// see; the spares are GoRedis's own. Called with s.mu held.
func (s *Session) dropIdleSpares() {
	if w := &s.w; w.rbp < w.replyBufSize()/2 {
		w.q.dropSpares()
	}
}

// DEBUG REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time> | RESIZING <0|1>
func (s *Session) debugReplyBuffer(sub, opt, val []byte) {
	e := s.e
	switch {
	case equalFold(opt, "peak-reset-time"):
		switch {
		case equalFold(val, "never"):
			e.replyBuf.peakResetMs = -1
		case equalFold(val, "reset"):
			e.replyBuf.peakResetMs = 0
		default:
			n, ok := parseInt(val)
			if !ok {
				s.w.Error(errNotInt)
				return
			}
			// 0 is a valid setting (reset at every cron run): keep it
			// apart from "the default".
			if n == 0 {
				n = 1
			}
			e.replyBuf.peakResetMs = n
		}
	case equalFold(opt, "resizing"):
		// Like Redis (atoi), anything that is not a number means 0.
		n, _ := parseInt(val)
		e.replyBuf.resizingOff = n == 0
	default:
		s.w.Error("ERR unknown subcommand or wrong number of arguments for '" + truncateArg(sub) + "'. Try DEBUG HELP.")
		return
	}
	s.w.OK()
}
