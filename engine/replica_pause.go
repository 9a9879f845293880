package engine

import "bytes"

// A client pause on a replica holds its master's stream back too: Redis
// postpones the master client like any other (processCommand exempts
// only replicas), so the write the pause caught and everything the master
// sent after it wait, unapplied. slave_repl_offset, what the replica
// acknowledges and what a manual failover compares, counts only what was
// applied; slave_read_repl_offset counts what arrived. When the pause
// ends the stream resumes in order.

// heldStream is the master's stream waiting behind a paused command.
type heldStream struct {
	// raw is the paused command's bytes, passed on once it ran.
	raw []byte
	// next is what the master sent after it, in order.
	next []streamCommand
}

// streamCommand is one command of the master's stream (args nil: bytes
// the link answered itself, such as REPLCONF GETACK).
type streamCommand struct {
	args [][]byte
	raw  []byte
}

// streamApplied passes a command of the master's stream that ran on to
// this server's replicas and backlog and counts it as applied.
func (e *Engine) streamApplied(s *Session, raw []byte) {
	if m := e.master; m != nil && e.repl.feeding {
		e.feedReplicas(raw)
		m.offset = e.repl.offset
		m.lastIO = e.now()
		m.streamDB = s.db.id
	}
}

// holdStream keeps a command of the master's stream for when the pause
// ends: the paused command's bytes (args nil, s.stream nil) or one that
// arrived after it.
func (s *Session) holdStream(args [][]byte, raw []byte) {
	e := s.e
	raw = bytes.Clone(raw)
	if s.stream == nil {
		s.stream = &heldStream{raw: raw}
	} else {
		var cp [][]byte
		if args != nil {
			cp = make([][]byte, len(args))
			for i, a := range args {
				cp[i] = bytes.Clone(a)
			}
		}
		s.stream.next = append(s.stream.next, streamCommand{cp, raw})
	}
	if m := e.master; m != nil {
		m.heldBytes += int64(len(raw))
		m.lastIO = e.now()
	}
}

// resumeStream runs, once the paused command of the master's stream ran,
// what waited behind it, until a pause holds one back again. s is locked
// and current.
func (e *Engine) resumeStream(s *Session) {
	hs := s.stream
	s.stream = nil
	e.unholdBytes(hs.raw)
	e.streamApplied(s, hs.raw)
	for i, c := range hs.next {
		if s.closed {
			return
		}
		e.unholdBytes(c.raw)
		if c.args != nil {
			s.dispatchProtected(c.args)
			if len(e.prop.pending) > 0 {
				e.flushPropagation()
			}
			if e.isHeld(s) {
				// Held again: what follows is still counted as held.
				s.stream = &heldStream{raw: c.raw, next: hs.next[i+1:]}
				if m := e.master; m != nil {
					m.heldBytes += int64(len(c.raw))
				}
				return
			}
		}
		e.streamApplied(s, c.raw)
	}
}

func (e *Engine) unholdBytes(raw []byte) {
	if m := e.master; m != nil {
		m.heldBytes = max(m.heldBytes-int64(len(raw)), 0)
	}
}

// dropHeldStream forgets the held stream of a master link that closed:
// the master sends it again from the applied offset.
func (s *Session) dropHeldStream() {
	if s.stream == nil {
		return
	}
	s.stream = nil
	if m := s.e.master; m != nil {
		m.heldBytes = 0
	}
}
