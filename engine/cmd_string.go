package engine

import "strings"

func stringHandlers() []handlerEntry {
	return []handlerEntry{
		{"get", cmdGet},
		{"set", cmdSet},
	}
}

// GET key
func cmdGet(s *Session, args [][]byte) {
	v, found, bad := s.lookupString(args[1])
	if bad {
		return
	}
	if !found {
		s.w.Null()
		return
	}
	s.w.BulkString(v)
}

// setOptions are SET's parsed flags.
type setOptions struct {
	nx, xx, get, keepTTL bool
	deadline             int64 // unix ms; 0 = none
}

// SET key value [NX | XX] [GET] [EX seconds | PX milliseconds |
// EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]
func cmdSet(s *Session, args [][]byte) {
	var o setOptions
	expireSeen := false
	for i := 3; i < len(args); i++ {
		a := args[i]
		next := i+1 < len(args)
		switch {
		case equalFold(a, "nx") && !o.xx:
			o.nx = true
		case equalFold(a, "xx") && !o.nx:
			o.xx = true
		case equalFold(a, "get"):
			o.get = true
		case equalFold(a, "keepttl") && !expireSeen:
			o.keepTTL, expireSeen = true, true
		case (equalFold(a, "ex") || equalFold(a, "px") || equalFold(a, "exat") || equalFold(a, "pxat")) && !expireSeen && next:
			unit := strings.ToLower(string(a))
			at, err := s.deadlineFromArg(args[i+1], unit, "set")
			if err != nil {
				s.w.Error(err.Error())
				return
			}
			o.deadline, expireSeen = at, true
			i++
		default:
			s.w.Error(errSyntax)
			return
		}
	}
	key := args[1]
	old, found, bad := s.lookupString(key)
	if o.get && bad {
		return
	}
	if bad {
		found = true // another type: SET replaces it
	}
	if (o.nx && found) || (o.xx && !found) {
		if o.get {
			s.replyOld(old, found && !bad)
		} else {
			s.w.Null()
		}
		return
	}
	if len(args[2]) > int(s.e.config.int("proto-max-bulk-len")) {
		s.w.Error(errStringTooLong)
		return
	}
	s.setString(key, string(args[2]), o.keepTTL)
	if o.deadline != 0 {
		s.setDeadline(key, o.deadline)
	}
	s.notifyEvent(notifyString, "set", key)
	if o.deadline != 0 {
		s.notifyEvent(notifyGeneric, "expire", key)
	}
	if o.get {
		s.replyOld(old, found && !bad)
		return
	}
	s.w.OK()
}

func (s *Session) replyOld(old string, found bool) {
	if found {
		s.w.BulkString(old)
	} else {
		s.w.Null()
	}
}

// deadlineFromArg turns an EX/PX/EXAT/PXAT argument into unix ms, with
// Redis's checks: an integer, positive, and no overflow.
func (s *Session) deadlineFromArg(arg []byte, unit, cmd string) (int64, error) {
	n, ok := parseInt(arg)
	if !ok {
		return 0, argError(errNotInt)
	}
	invalid := argError("ERR invalid expire time in '" + cmd + "' command")
	if n <= 0 {
		return 0, invalid
	}
	const maxMs = int64(1<<63-1) / 1000
	switch unit {
	case "ex":
		if n > maxMs {
			return 0, invalid
		}
		n *= 1000
		if n > 1<<63-1-s.e.nowMs {
			return 0, invalid
		}
		return s.e.nowMs + n, nil
	case "px":
		if n > 1<<63-1-s.e.nowMs {
			return 0, invalid
		}
		return s.e.nowMs + n, nil
	case "exat":
		if n > maxMs {
			return 0, invalid
		}
		return n * 1000, nil
	default: // pxat
		return n, nil
	}
}
