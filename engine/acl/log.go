package acl

// Contexts of a denial, as ACL LOG names them.
const (
	CtxToplevel = "toplevel"
	CtxMulti    = "multi"
	CtxLua      = "lua"
)

// groupWindowMs is how close in time two denials must be to share an
// entry (ACL_LOG_GROUPING_MAX_TIME_DELTA).
const groupWindowMs = 60000

// LogEntry is one ACL LOG entry.
type LogEntry struct {
	Count      int64
	Reason     string // "command", "key", "channel" or "auth"
	Context    string
	Object     string // the command, key, channel, or AUTH/HELLO
	Username   string
	TimeMs     int64 // last update
	ClientInfo string
}

// Log is the ACL security log, newest first.
type Log struct {
	entries []*LogEntry
}

// ReasonName words a Result as ACL LOG does.
func ReasonName(r Result) string {
	switch r {
	case DeniedCmd:
		return "command"
	case DeniedKey:
		return "key"
	case DeniedChannel:
		return "channel"
	case DeniedAuth:
		return "auth"
	}
	return "unknown"
}

// Add records a denial as addACLLogEntry: an entry like one of the ten
// newest (same reason, context, object and user, within a minute) is
// bumped and moved first; the log keeps at most max entries.
func (l *Log) Add(e LogEntry, max int64) {
	e.Count = 1
	for i := 0; i < len(l.entries) && i < 10; i++ {
		cur := l.entries[i]
		d := cur.TimeMs - e.TimeMs
		if d < 0 {
			d = -d
		}
		if cur.Reason == e.Reason && cur.Context == e.Context && d <= groupWindowMs &&
			cur.Object == e.Object && cur.Username == e.Username {
			cur.ClientInfo, cur.TimeMs = e.ClientInfo, e.TimeMs
			cur.Count++
			copy(l.entries[1:i+1], l.entries[:i])
			l.entries[0] = cur
			return
		}
	}
	l.entries = append(l.entries, nil)
	copy(l.entries[1:], l.entries)
	l.entries[0] = &e
	for int64(len(l.entries)) > max {
		l.entries[len(l.entries)-1] = nil
		l.entries = l.entries[:len(l.entries)-1]
	}
}

// Entries are the newest n entries (all when n exceeds the length).
func (l *Log) Entries(n int) []*LogEntry {
	if n > len(l.entries) {
		n = len(l.entries)
	}
	return l.entries[:n]
}

// Reset empties the log.
func (l *Log) Reset() { l.entries = nil }

// Trim applies a lower acllog-max-len.
func (l *Log) Trim(max int64) {
	for int64(len(l.entries)) > max {
		l.entries = l.entries[:len(l.entries)-1]
	}
}
