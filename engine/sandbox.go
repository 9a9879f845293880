package engine

import (
	"time"

	"github.com/goredis-dev/goredis/engine/acl"
)

// Sandbox limits a session on a public server (the tutorial's WebSocket
// peers): it gets a private keyspace, quotas, and no server-wide commands.
// A breach answers an error to that session only.
type Sandbox struct {
	MaxKeys           int           // keys across the session's databases
	MaxBytes          int64         // approximate bytes of keys and values
	CommandsPerSecond int           // sustained rate; bursts up to one second's worth
	MaxBulk           int           // largest single argument
	MaxBlock          time.Duration // longest wait of a blocking command
}

// DefaultSandbox is a sandbox sized for a tutorial session.
func DefaultSandbox() *Sandbox {
	return &Sandbox{
		MaxKeys:           1000,
		MaxBytes:          4 << 20,
		CommandsPerSecond: 200,
		MaxBulk:           64 << 10,
		MaxBlock:          30 * time.Second,
	}
}

// sandboxState is a sandboxed session's quota bookkeeping.
type sandboxState struct {
	limits *Sandbox
	tokens float64 // rate limiter bucket
	lastMs int64
	// written estimates bytes added since the last exact measurement.
	written  int64
	measured int64
}

// sandboxRules are the commands a sandboxed session may run, as ACL
// rules: everything but the admin commands and the other server-wide
// ones. They are checked apart from the session's own user (AUTH cannot
// leave the sandbox), with the sandbox's error words.
var sandboxRules = []string{
	// @admin also holds ROLE and LASTSAVE, which only read.
	"+@all", "-@admin", "+role", "+lastsave",
	"-client|kill", "-client|list", "-client|pause", "-client|unpause", "-client|unblock", "-client|no-evict",
	"-monitor", "-swapdb", "-shutdown", "-debug", "-config", "-save", "-bgsave", "-bgrewriteaof",
	"-replicaof", "-slaveof", "-sync", "-psync", "-failover", "-module", "-acl", "-latency", "-slowlog",
	"-script|flush", "-function|flush", "-function|load", "-function|delete", "-function|restore",
	"~*", "&*",
}

// sandboxRefused says whether the sandbox's rules refuse the command.
func (e *Engine) sandboxRefused(c *Command, args [][]byte) bool {
	if e.sandboxUser == nil {
		// Made at the first sandboxed command: most engines have none.
		sb, err := e.users.Unlinked("sandbox", sandboxRules)
		if err != nil {
			panic("sandbox rules: " + err.Error())
		}
		e.sandboxUser = sb
	}
	res, _ := e.sandboxUser.Check(e.users.Match(), c.acl, args, (*aclFinder)(e))
	return res != acl.OK
}

// sandboxCheck applies the quotas before a command runs; it returns the
// error to reply, or "".
func (s *Session) sandboxCheck(cmd *Command, args [][]byte) string {
	sb := s.sandbox
	l := sb.limits
	if s.e.sandboxRefused(cmd, args) {
		return "ERR sandbox: '" + cmd.Name + "' is not available on this server"
	}
	if l.CommandsPerSecond > 0 {
		now := s.e.nowMs
		rate := float64(l.CommandsPerSecond)
		sb.tokens += float64(now-sb.lastMs) * rate / 1000
		sb.lastMs = now
		if sb.tokens > rate {
			sb.tokens = rate
		}
		if sb.tokens < 1 {
			return "ERR sandbox quota: more than " + itoa(int64(l.CommandsPerSecond)) + " commands per second"
		}
		sb.tokens--
	}
	size := int64(0)
	for _, a := range args {
		if l.MaxBulk > 0 && len(a) > l.MaxBulk {
			return "ERR sandbox quota: argument larger than " + itoa(int64(l.MaxBulk)) + " bytes"
		}
		size += int64(len(a))
	}
	if cmd.flags&flagDenyOOM == 0 {
		return ""
	}
	if l.MaxKeys > 0 {
		n := 0
		for _, db := range s.ks.dbs {
			n += db.size()
		}
		if n >= l.MaxKeys {
			// Writes to existing keys are fine; only count when full.
			if !allKeysExist(s, cmd, args) {
				return "ERR sandbox quota: at most " + itoa(int64(l.MaxKeys)) + " keys"
			}
		}
	}
	if l.MaxBytes > 0 {
		if sb.measured+sb.written+size > l.MaxBytes {
			sb.measured = s.ks.approxBytes()
			sb.written = 0
			if sb.measured+size > l.MaxBytes {
				return "ERR sandbox quota: keyspace larger than " + itoa(l.MaxBytes) + " bytes"
			}
		}
		sb.written += size
	}
	return ""
}

// allKeysExist reports whether every key argument of a write names an
// existing key (so it cannot add keys).
func allKeysExist(s *Session, cmd *Command, args [][]byte) bool {
	keys := commandKeys(cmd, args)
	if keys == nil {
		return false
	}
	for _, k := range keys {
		if !s.db.rawExists(tmpString(args[k])) {
			return false
		}
	}
	return true
}

// commandKeys returns the argument positions of a command's keys from its
// legacy key range, or nil when it has none or they move.
func commandKeys(cmd *Command, args [][]byte) []int {
	if cmd.FirstKey <= 0 || cmd.flags&flagMovableKeys != 0 {
		return nil
	}
	last := cmd.LastKey
	if last < 0 {
		last = len(args) + last
	}
	step := max(cmd.Step, 1)
	var out []int
	for i := cmd.FirstKey; i <= last && i < len(args); i += step {
		out = append(out, i)
	}
	return out
}

// sizer is implemented by values that can estimate their size in bytes.
type sizer interface {
	approxBytes() int64
}

// approxBytes estimates the bytes held by the keyspace: keys, string
// values, and collections that can tell their size.
func (ks *Keyspace) approxBytes() int64 {
	var n int64
	for _, db := range ks.dbs {
		db.strs.each(func(k string, v strEntry) bool {
			n += int64(len(k) + len(v.v))
			return true
		})
		db.objs.each(func(k string, v object) bool {
			n += int64(len(k))
			if sz, ok := v.(sizer); ok {
				n += sz.approxBytes()
			} else {
				n += 64
			}
			return true
		})
	}
	return n
}
