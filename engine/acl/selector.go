package acl

import "strings"

// Key permissions of a key pattern.
const (
	PermRead  uint8 = 1
	PermWrite uint8 = 2
	PermAll         = PermRead | PermWrite
)

// KeyPattern is one ~pattern, %R~pattern or %W~pattern.
type KeyPattern struct {
	Pattern string
	Perm    uint8
}

// Selector is one set of permissions: the user's root rules, or one
// "(...)" selector. A command is allowed when any selector allows it.
type Selector struct {
	root        bool
	allKeys     bool
	allChannels bool
	allCommands bool
	allowed     []uint64 // by command ID; the last bit is "future commands" (+@all)
	firstArgs   map[int][]string
	keys        []KeyPattern
	channels    []string
}

func newSelector(t *Table, root, allChannels bool) *Selector {
	return &Selector{root: root, allChannels: allChannels, allowed: make([]uint64, t.words())}
}

func (s *Selector) clone() *Selector {
	c := *s
	c.allowed = append([]uint64(nil), s.allowed...)
	c.keys = append([]KeyPattern(nil), s.keys...)
	c.channels = append([]string(nil), s.channels...)
	if s.firstArgs != nil {
		c.firstArgs = make(map[int][]string, len(s.firstArgs))
		for id, a := range s.firstArgs {
			c.firstArgs[id] = append([]string(nil), a...)
		}
	}
	return &c
}

func (s *Selector) bit(id int) bool { return s.allowed[id/64]&(1<<(id%64)) != 0 }

func (s *Selector) setBit(id int, on bool) {
	if on {
		s.allowed[id/64] |= 1 << (id % 64)
	} else {
		s.allowed[id/64] &^= 1 << (id % 64)
		s.allCommands = false
	}
}

// changePerm allows or denies a command and all its subcommands, as
// ACLChangeSelectorPerm.
func (s *Selector) changePerm(c *Command, allow bool) {
	s.setBit(c.id, allow)
	delete(s.firstArgs, c.id)
	for _, sub := range c.Subs {
		s.setBit(sub.id, allow)
	}
}

func (s *Selector) setCategory(t *Table, bit uint32, allow bool) {
	for _, c := range t.top {
		if c.Categories&bit != 0 {
			s.changePerm(c, allow)
		}
		for _, sub := range c.Subs {
			if sub.Categories&bit != 0 {
				s.changePerm(sub, allow)
			}
		}
	}
}

func (s *Selector) setAll(allow bool) {
	var w uint64
	if allow {
		w = ^uint64(0)
	}
	for i := range s.allowed {
		s.allowed[i] = w
	}
	s.allCommands = allow
	s.firstArgs = nil
}

func (s *Selector) addFirstArg(id int, arg string) {
	if s.firstArgs == nil {
		s.firstArgs = map[int][]string{}
	}
	for _, a := range s.firstArgs[id] {
		if strings.EqualFold(a, arg) {
			return
		}
	}
	s.firstArgs[id] = append(s.firstArgs[id], arg)
}

// ruleError is why a rule was refused, in ACLSetUserStringError's words.
type ruleError int

const (
	errWrongFormat ruleError = iota + 1
	errUnknownName
	errSyntax
	errKeyAfterAll
	errChannelAfterAll
	errNoSuchPassword
	errBadHash
	errDuplicateUser
	errFirstArgOfSub
)

func (e ruleError) Error() string {
	switch e {
	case errUnknownName:
		return "Unknown command or category name in ACL"
	case errSyntax:
		return "Syntax error"
	case errKeyAfterAll:
		return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"
	case errChannelAfterAll:
		return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"
	case errNoSuchPassword:
		return "The password you are trying to remove from the user does not exist"
	case errBadHash:
		return "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
	case errDuplicateUser:
		return "Duplicate user found. A user can only be defined once in config files"
	case errFirstArgOfSub:
		return "Allowing first-arg of a subcommand is not supported"
	}
	return "Wrong format"
}

// hasSpaces is ACLStringHasSpaces: C's isspace or a NUL byte.
func hasSpaces(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\v', '\f', '\r', 0:
			return true
		}
	}
	return false
}

// apply is ACLSetSelector: one rule about commands, keys or channels.
func (s *Selector) apply(t *Table, op string) error {
	switch {
	case strings.EqualFold(op, "allkeys") || op == "~*":
		s.allKeys, s.keys = true, nil
	case strings.EqualFold(op, "resetkeys"):
		s.allKeys, s.keys = false, nil
	case strings.EqualFold(op, "allchannels") || op == "&*":
		s.allChannels, s.channels = true, nil
	case strings.EqualFold(op, "resetchannels"):
		s.allChannels, s.channels = false, nil
	case strings.EqualFold(op, "allcommands") || strings.EqualFold(op, "+@all"):
		s.setAll(true)
	case strings.EqualFold(op, "nocommands") || strings.EqualFold(op, "-@all"):
		s.setAll(false)
	case op[0] == '~' || op[0] == '%':
		return s.addKeyPattern(op)
	case op[0] == '&':
		if s.allChannels {
			return errChannelAfterAll
		}
		if hasSpaces(op[1:]) {
			return errSyntax
		}
		for _, c := range s.channels {
			if c == op[1:] {
				return nil
			}
		}
		s.channels = append(s.channels, op[1:])
		s.allChannels = false
	case op[0] == '+' && (len(op) < 2 || op[1] != '@'):
		return s.allowCommand(t, op[1:])
	case op[0] == '-' && (len(op) < 2 || op[1] != '@'):
		c := t.Lookup(op[1:])
		if c == nil {
			return errUnknownName
		}
		s.changePerm(c, false)
	case (op[0] == '+' || op[0] == '-') && op[1] == '@':
		bit := CategoryBit(op[2:])
		if bit == 0 {
			return errUnknownName
		}
		s.setCategory(t, bit, op[0] == '+')
	default:
		return errSyntax
	}
	return nil
}

func (s *Selector) addKeyPattern(op string) error {
	if s.allKeys {
		return errKeyAfterAll
	}
	perm := PermAll
	off := 1
	if op[0] == '%' {
		perm = 0
		for ; off < len(op); off++ {
			c := op[off]
			if (c == 'R' || c == 'r') && perm&PermRead == 0 {
				perm |= PermRead
			} else if (c == 'W' || c == 'w') && perm&PermWrite == 0 {
				perm |= PermWrite
			} else if c == '~' {
				off++
				break
			} else {
				return errSyntax
			}
		}
		// Redis 7.0 accepts "%~x" and then panics describing it: refused
		// here instead (7.2 refuses it too).
		if perm == 0 {
			return errSyntax
		}
	}
	pat := op[off:]
	if hasSpaces(pat) {
		return errSyntax
	}
	for i := range s.keys {
		if s.keys[i].Pattern == pat {
			s.keys[i].Perm |= perm
			s.allKeys = false
			return nil
		}
	}
	s.keys = append(s.keys, KeyPattern{pat, perm})
	s.allKeys = false
	return nil
}

// allowCommand is "+command", "+command|subcommand" or the deprecated
// "+command|first-arg".
func (s *Selector) allowCommand(t *Table, name string) error {
	bar := strings.LastIndexByte(name, '|')
	if bar < 0 {
		c := t.Lookup(name)
		if c == nil {
			return errUnknownName
		}
		s.changePerm(c, true)
		return nil
	}
	c := t.Lookup(name[:bar])
	if c == nil {
		return errUnknownName
	}
	if c.Parent != nil {
		return errFirstArgOfSub
	}
	sub := name[bar+1:]
	if sub == "" {
		return errSyntax
	}
	if c.Subs != nil {
		sc := t.Lookup(name)
		if sc == nil {
			return errUnknownName
		}
		s.changePerm(sc, true)
		return nil
	}
	s.addFirstArg(c.id, sub)
	return nil
}
