package engine

import "strconv"

// Dataset copies for the append-only file's rewrite. Until the engine has
// a snapshot that is read while clients write, a rewrite takes this copy
// under the engine lock: it copies string headers (never the bytes, which
// are immutable) and so costs one pass over the keyspace, during which
// commands wait.

// KeyDump is one key of a Dump: its type and contents as strings.
type KeyDump struct {
	DB   int
	Key  string
	Type string // "string", "list", "set", "zset", "hash"
	// Str is a string's value.
	Str string
	// Items are a list's elements, a set's members, a hash's field and
	// value pairs, a sorted set's member and score pairs (the score as
	// Redis's AOF rewrite writes it, %.17g).
	Items []string
	// ExpireMs is the deadline in unix ms, or -1.
	ExpireMs int64
}

// Dump returns a point-in-time copy of the main keyspace, database by
// database, for the AOF rewrite. Logically expired keys are left out.
func (e *Engine) Dump() []KeyDump {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.tick()
	return e.DumpLocked()
}

// DumpLocked is Dump for a caller that holds the engine lock: an
// AppendOnlyFile method, or a function run by Exclusive.
func (e *Engine) DumpLocked() []KeyDump {
	var out []KeyDump
	for _, db := range e.main.dbs {
		db.strs.each(func(k string, v string) bool {
			if !e.isExpired(db, k) {
				out = append(out, KeyDump{DB: db.id, Key: k, Type: "string", Str: v, ExpireMs: db.deadline(k)})
			}
			return true
		})
		db.objs.each(func(k string, o object) bool {
			if e.isExpired(db, k) {
				return true
			}
			kd := KeyDump{DB: db.id, Key: k, Type: o.typeName(), ExpireMs: db.deadline(k)}
			switch v := o.(type) {
			case *list:
				kd.Items = make([]string, 0, v.len())
				v.each(0, v.len()-1, func(s string) { kd.Items = append(kd.Items, s) })
			case *setObj:
				kd.Items = make([]string, 0, v.len())
				v.each(func(m string) bool { kd.Items = append(kd.Items, m); return true })
			case *hash:
				kd.Items = make([]string, 0, 2*v.len())
				v.each(func(f, val string) bool { kd.Items = append(kd.Items, f, val); return true })
			case *zset:
				kd.Items = make([]string, 0, 2*v.len())
				v.walk(0, v.len(), false, func(m string, sc float64) {
					kd.Items = append(kd.Items, m, formatG17(sc))
				})
			default:
				return true
			}
			out = append(out, kd)
			return true
		})
	}
	return out
}

// formatG17 formats a score as C's "%.17g".
func formatG17(f float64) string {
	switch {
	case f != f:
		return "nan"
	case f > 1.7976931348623157e308:
		return "inf"
	case f < -1.7976931348623157e308:
		return "-inf"
	}
	s := strconv.FormatFloat(f, 'g', 17, 64)
	// Go writes e+06 / e-07 as C does (at least two exponent digits).
	return s
}

// Exclusive runs fn with the engine locked, so that what fn does (switch
// the AOF's incr file and take a Dump) happens between two commands.
func (e *Engine) Exclusive(fn func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.tick()
	fn()
}
