package acl

import "unsafe"

// Result is the outcome of a permission check, ordered as Redis's
// ACL_DENIED_* codes: when no selector allows a command, the highest
// reason is reported.
type Result uint8

// Results of a check.
const (
	OK Result = iota
	DeniedCmd
	DeniedKey
	DeniedAuth
	DeniedChannel
)

// Key is one key argument of a command: its position and the access its
// key spec declares.
type Key struct {
	Pos    int
	Access bool // reads the value (key spec flag "access")
	Write  bool // inserts, updates or deletes (flags "insert", "update", "delete")
}

// Channel is one channel argument of a publishing or subscribing command.
type Channel struct {
	Pos     int
	Pattern bool // PSUBSCRIBE: matched literally against the user's patterns
}

// Finder locates the keys and channels of a command's arguments. It is
// only asked when some selector restricts keys or channels and the
// command has them (Command.HasKeys, Command.HasChannels).
type Finder interface {
	Keys(c *Command, args [][]byte) []Key
	Channels(c *Command, args [][]byte) []Channel
}

// Unrestricted reports whether the user may run anything on any key or
// channel: the check then has nothing to do.
func (u *User) Unrestricted() bool {
	if u == nil {
		return true
	}
	r := u.selectors[0]
	return r.allCommands && r.allKeys && r.allChannels
}

// check is one selector's ACLSelectorCheckCmd.
type checker struct {
	match    func(pattern, s string) bool
	f        Finder
	c        *Command
	args     [][]byte
	keys     []Key
	haveKeys bool
}

func (k *checker) selector(s *Selector) (Result, int) {
	c := k.c
	if !s.allCommands && !c.NoAuth && !s.bit(c.id) {
		first := s.firstArgs[c.id]
		idx := 1
		if c.Parent != nil {
			idx = 2
		}
		if len(k.args) < 2 || first == nil || idx >= len(k.args) {
			return DeniedCmd, 0
		}
		found := false
		for _, a := range first {
			if equalFoldBytes(k.args[idx], a) {
				found = true
				break
			}
		}
		if !found {
			return DeniedCmd, 0
		}
	}
	if !s.allKeys && c.HasKeys {
		if !k.haveKeys {
			k.keys, k.haveKeys = k.f.Keys(c, k.args), true
		}
		for _, key := range k.keys {
			if !s.keyAllowed(k.match, view(k.args[key.Pos]), key) {
				return DeniedKey, key.Pos
			}
		}
	}
	if !s.allChannels && c.HasChannels {
		for _, ch := range k.f.Channels(c, k.args) {
			if !channelAllowed(k.match, s.channels, view(k.args[ch.Pos]), ch.Pattern) {
				return DeniedChannel, ch.Pos
			}
		}
	}
	return OK, 0
}

func (s *Selector) keyAllowed(match func(p, s string) bool, key string, k Key) bool {
	if s.allKeys {
		return true
	}
	var need uint8
	if k.Access {
		need |= PermRead
	}
	if k.Write {
		need |= PermWrite
	}
	for _, p := range s.keys {
		if p.Perm&need != need {
			continue
		}
		if match(p.Pattern, key) {
			return true
		}
	}
	return false
}

func channelAllowed(match func(p, s string) bool, list []string, ch string, isPattern bool) bool {
	for _, p := range list {
		if (isPattern && p == ch) || (!isPattern && match(p, ch)) {
			return true
		}
	}
	return false
}

// Check is ACLCheckAllUserCommandPerm: OK when any selector allows the
// command with these arguments; otherwise the reason and, for a key or a
// channel, the argument's position.
func (u *User) Check(match func(p, s string) bool, c *Command, args [][]byte, f Finder) (Result, int) {
	if r := u.selectors[0]; r.allCommands && r.allKeys && (r.allChannels || !c.HasChannels) {
		// The usual "+@all ~*" user: nothing to look up.
		return OK, 0
	}
	k := checker{match: match, f: f, c: c, args: args}
	relevant, last := DeniedCmd, 0
	for _, s := range u.selectors {
		res, pos := k.selector(s)
		if res == OK {
			return OK, 0
		}
		if res > relevant || (res == relevant && pos > last) {
			relevant, last = res, pos
		}
	}
	return relevant, last
}

// CheckKey is ACLUserCheckKeyPerm: may the user touch this key with this
// access (for commands that find keys as they run, like SORT BY)?
func (u *User) CheckKey(match func(p, s string) bool, key string, k Key) bool {
	for _, s := range u.selectors {
		if s.keyAllowed(match, key, k) {
			return true
		}
	}
	return false
}

// CheckChannel is ACLUserCheckChannelPerm.
func (u *User) CheckChannel(match func(p, s string) bool, ch string, isPattern bool) bool {
	for _, s := range u.selectors {
		if s.allChannels || channelAllowed(match, s.channels, ch, isPattern) {
			return true
		}
	}
	return false
}

// view is an argument as a string without copying it, for the duration
// of a check: the match function must not keep it.
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

func equalFoldBytes(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// CheckWithAllKeysRead is ACLUserCheckCmdWithUnrestrictedKeyAccess for
// read access: some selector allows the command and may read every key
// (SORT's BY and GET patterns read keys no key spec names).
func (u *User) CheckWithAllKeysRead(match func(p, s string) bool, c *Command, args [][]byte, f Finder) bool {
	if u.Unrestricted() {
		return true
	}
	k := checker{match: match, f: f, c: c, args: args}
	for _, s := range u.selectors {
		if res, _ := k.selector(s); res == OK && s.readsAllKeys() {
			return true
		}
	}
	return false
}

func (s *Selector) readsAllKeys() bool {
	if s.allKeys {
		return true
	}
	for _, p := range s.keys {
		if p.Perm&PermRead != 0 && p.Pattern == "*" {
			return true
		}
	}
	return false
}
