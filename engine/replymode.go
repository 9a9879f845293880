package engine

// CLIENT REPLY OFF|SKIP|ON, as Redis 7.0 applies it: a silenced client's
// replies are dropped, but what Redis writes with CLIENT_PUSHING set
// (pub/sub confirmations and messages, tracking invalidations, in RESP2 as
// in RESP3) still reaches it. Redis decides at every write; the engine
// decides when a command ends (or, inside EXEC, when each queued command
// ends), dropping what the command wrote except the pushes it recorded.

// replyState is a session's CLIENT REPLY mode.
type replyState struct {
	off      bool // CLIENT REPLY OFF
	skip     bool // the reply of the command running now is dropped
	skipNext bool // CLIENT REPLY SKIP ran: skip the next command's reply
	// pushes are the pushes written to the session's buffer while it was
	// silenced, kept when its replies are dropped.
	pushes []pushSpan
	// settledTo is set by EXEC, which settles its replies itself, one
	// queued command at a time: the end of the command's output is
	// decided already up to there.
	settledTo int
	settled   bool
}

type pushSpan struct{ start, end int }

// silenced reports whether replies written now are dropped.
func (s *Session) silenced() bool { return s.reply.off || s.reply.skip }

// pushed records buf[start:] as a push, which a silenced client receives
// anyway (Redis's CLIENT_PUSHING).
func (s *Session) pushed(start int) {
	// Only the running command's replies are dropped (settle), so only its
	// own pushes need keeping: a silenced subscriber's messages between
	// its commands are not recorded.
	if s.silenced() && s == s.e.current && len(s.w.buf) > start {
		s.reply.pushes = append(s.reply.pushes, pushSpan{start, len(s.w.buf)})
	}
}

// dropReplies removes what was written since mark, except pushes.
func (s *Session) dropReplies(mark int) {
	out := mark
	for _, p := range s.reply.pushes {
		if p.start >= mark && p.end <= len(s.w.buf) {
			out += copy(s.w.buf[out:], s.w.buf[p.start:p.end])
		}
	}
	s.w.buf = s.w.buf[:out]
	s.reply.pushes = s.reply.pushes[:0]
}

// settle applies the reply mode to what was written since mark.
func (s *Session) settle(mark int) {
	if s.silenced() {
		s.dropReplies(mark)
	}
	s.reply.pushes = s.reply.pushes[:0]
}

// afterReply ends a command for CLIENT REPLY, as Redis's resetClient: the
// command's replies are dropped if it was silenced, SKIP lasts one
// command, and a CLIENT REPLY SKIP that just ran silences the next one. A
// command that blocked keeps its mode for the reply it will get.
func (s *Session) afterReply(mark int) {
	if s.asking && s.multi == nil && (s.run.cmd == nil || s.run.cmd.Name != "asking") {
		// ASKING holds for one command (Redis's resetClient).
		s.asking = false
	}
	if s.reply.settled {
		mark = max(mark, s.reply.settledTo)
		s.reply.settled = false
	}
	if s.blocked != nil && s.blocked.retry != nil {
		s.blocked.muted = s.silenced()
	}
	s.settle(mark)
	s.reply.skip = false
	if s.reply.skipNext {
		s.reply.skipNext = false
		s.reply.skip = true
	}
}

// settleExec is called by EXEC after its header and after each queued
// command: Redis checks the mode at each write, so a CLIENT REPLY inside
// the transaction silences, or lets through, what follows it.
func (s *Session) settleExec(mark int) {
	s.settle(mark)
	s.reply.settledTo, s.reply.settled = len(s.w.buf), true
}

// writeUnblocked writes the reply a blocked command gets later (served,
// timed out, unblocked), silenced if the command was.
func (s *Session) writeUnblocked(b *blockState, fn func()) {
	mark := len(s.w.buf)
	fn()
	if b.muted {
		s.dropReplies(mark)
	}
}
