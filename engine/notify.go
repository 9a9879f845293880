package engine

// Keyspace notification classes (notify-keyspace-events), as Redis's
// NOTIFY_* flags.
const (
	notifyKeyspace = 1 << iota // K
	notifyKeyevent             // E
	notifyGeneric              // g
	notifyString               // $
	notifyList                 // l
	notifySet                  // s
	notifyHash                 // h
	notifyZset                 // z
	notifyExpired              // x
	notifyEvicted              // e
	notifyStream               // t
	notifyKeyMiss              // m
	notifyModule               // d
	notifyNew                  // n
	notifyAll      = notifyGeneric | notifyString | notifyList | notifySet | notifyHash | notifyZset | notifyExpired | notifyEvicted | notifyStream | notifyModule
)

// parseNotifyFlags reads a notify-keyspace-events value; ok is false for an
// unknown class letter.
func parseNotifyFlags(v string) (int, bool) {
	f := 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case 'A':
			f |= notifyAll
		case 'g':
			f |= notifyGeneric
		case '$':
			f |= notifyString
		case 'l':
			f |= notifyList
		case 's':
			f |= notifySet
		case 'h':
			f |= notifyHash
		case 'z':
			f |= notifyZset
		case 'x':
			f |= notifyExpired
		case 'e':
			f |= notifyEvicted
		case 'K':
			f |= notifyKeyspace
		case 'E':
			f |= notifyKeyevent
		case 't':
			f |= notifyStream
		case 'm':
			f |= notifyKeyMiss
		case 'd':
			f |= notifyModule
		case 'n':
			f |= notifyNew
		default:
			return 0, false
		}
	}
	return f, true
}

// formatNotifyFlags is the inverse of parseNotifyFlags, in Redis's order.
func formatNotifyFlags(f int) string {
	var b []byte
	if f&notifyAll == notifyAll {
		b = append(b, 'A')
	} else {
		for _, c := range []struct {
			flag int
			ch   byte
		}{{notifyGeneric, 'g'}, {notifyString, '$'}, {notifyList, 'l'}, {notifySet, 's'}, {notifyHash, 'h'}, {notifyZset, 'z'}, {notifyExpired, 'x'}, {notifyEvicted, 'e'}, {notifyStream, 't'}, {notifyModule, 'd'}} {
			if f&c.flag != 0 {
				b = append(b, c.ch)
			}
		}
	}
	if f&notifyKeyspace != 0 {
		b = append(b, 'K')
	}
	if f&notifyKeyevent != 0 {
		b = append(b, 'E')
	}
	if f&notifyKeyMiss != 0 {
		b = append(b, 'm')
	}
	// Redis 7.0 never shows 'n' here (keyspaceEventsFlagsToString has no
	// case for it), though the class is enabled.
	return string(b)
}

// notifyKeyspaceEvent publishes a keyspace notification if its class is
// enabled (Redis's notifyKeyspaceEvent).
func (e *Engine) notifyKeyspaceEvent(class int, event string, db *DB, key string) {
	flags := e.config.notifyFlags
	if flags&class == 0 || flags&(notifyKeyspace|notifyKeyevent) == 0 {
		return
	}
	e.publishKeyspaceEvent(flags, event, db, key)
}

// notify is the handlers' short form of notifyKeyspaceEvent.
func (s *Session) notifyEvent(class int, event string, key []byte) {
	if s.e.config.notifyFlags&class == 0 {
		return
	}
	s.e.notifyKeyspaceEvent(class, event, s.db, string(key))
}
