package engine

import "strconv"

// MONITOR
func cmdMonitor(s *Session, args [][]byte) {
	if s.inExec {
		s.w.Error("ERR MONITOR isn't allowed for DENY BLOCKING client")
		return
	}
	if s.monitor {
		// Redis ignores a second MONITOR without replying.
		return
	}
	s.monitor = true
	h := s.ks.hub()
	h.monitors = append(h.monitors, s)
	s.w.OK()
}

// hiddenFlagsOf gives the flags Redis 7.0 sets on a command but COMMAND
// INFO does not show, so the spec lacks them: MAY_REPLICATE, on the
// commands that may propagate without being writes.
func hiddenFlagsOf(name string) cmdFlags {
	switch name {
	case "publish", "spublish", "pfcount", "eval", "evalsha", "fcall":
		return flagMayReplicate
	}
	return 0
}

// mayReplicate reports whether c may propagate without being a write (a
// MONITOR client may not run it; CLIENT PAUSE WRITE holds it back).
func mayReplicate(c *Command) bool { return c.flags&flagMayReplicate != 0 }

// stopMonitor leaves monitor mode (RESET, a closing session).
func (s *Session) stopMonitor() {
	if !s.monitor {
		return
	}
	s.monitor = false
	h := s.ks.hub()
	h.monitors = removeSession(h.monitors, s)
}

// feedMonitors streams a command that just ran to the monitors of the
// session's keyspace, in the line format Redis uses:
//
//	+1700000000.123456 [0 127.0.0.1:50000] "set" "a" "1"
//
// It is called after the command, as Redis 7.0 does, so the database shown
// is the one the command left selected (SELECT shows the new one).
func (s *Session) feedMonitors(args [][]byte) {
	h := s.ks.pubsub
	if h == nil || len(h.monitors) == 0 {
		return
	}
	now := s.e.now().UnixMicro()
	line := make([]byte, 0, 64)
	line = strconv.AppendInt(line, now/1_000_000, 10)
	line = append(line, '.')
	us := now % 1_000_000
	for d := int64(100_000); d > 1 && us < d; d /= 10 {
		line = append(line, '0')
	}
	line = strconv.AppendInt(line, us, 10)
	line = append(line, " ["...)
	line = strconv.AppendInt(line, int64(s.db.id), 10)
	line = append(line, ' ')
	line = append(line, s.info.Addr...)
	line = append(line, "] "...)
	for i, a := range args {
		if i > 0 {
			line = append(line, ' ')
		}
		if redactedArg(args, i) {
			a = []byte("(redacted)")
		}
		line = appendRepr(line, a)
	}
	text := string(line)
	for _, m := range h.monitors {
		m.pushAsync(func(w *Writer) { w.Simple(text) })
	}
}

// appendRepr quotes b as Redis's sdscatrepr: printable bytes as they are,
// \\ \" \n \r \t \a \b escaped, anything else as \xhh.
func appendRepr(dst, b []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for _, c := range b {
		switch c {
		case '\\', '"':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\a':
			dst = append(dst, '\\', 'a')
		case '\b':
			dst = append(dst, '\\', 'b')
		default:
			if c >= 0x20 && c < 0x7f {
				dst = append(dst, c)
			} else {
				dst = append(dst, '\\', 'x', hex[c>>4], hex[c&15])
			}
		}
	}
	return append(dst, '"')
}
