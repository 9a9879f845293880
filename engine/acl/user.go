package acl

import (
	"encoding/hex"
	"strings"

	"github.com/goredis-dev/goredis/internal/shasum"
	"github.com/goredis-dev/goredis/netserver/resp"
)

// User flags, in the order ACL LIST and GETUSER show them.
const (
	flagEnabled uint8 = 1 << iota
	flagDisabled
	flagNoPass
	flagSkipSanitize
	flagSanitize
)

var userFlagNames = [...]struct {
	name string
	flag uint8
}{
	{"on", flagEnabled},
	{"off", flagDisabled},
	{"nopass", flagNoPass},
	{"skip-sanitize-payload", flagSkipSanitize},
	{"sanitize-payload", flagSanitize},
}

// User is one ACL user.
type User struct {
	name      string
	flags     uint8
	passwords []string // SHA-256 hex digests, in the order added
	selectors []*Selector
	// desc caches Describe until the next change.
	desc string
}

func newUser(t *Table, name string, pubsubAll bool) *User {
	return &User{name: name, flags: flagDisabled, selectors: []*Selector{newSelector(t, true, pubsubAll)}}
}

// Name is the user's name.
func (u *User) Name() string { return u.name }

// Enabled reports "on".
func (u *User) Enabled() bool { return u.flags&flagDisabled == 0 }

// NoPass reports "nopass": any password authenticates.
func (u *User) NoPass() bool { return u.flags&flagNoPass != 0 }

// SkipSanitizePayload reports skip-sanitize-payload (RESTORE may skip
// deep checks of payloads).
func (u *User) SkipSanitizePayload() bool { return u.flags&flagSkipSanitize != 0 }

// Passwords are the user's password digests.
func (u *User) Passwords() []string { return u.passwords }

func (u *User) root() *Selector { return u.selectors[0] }

func (u *User) clone() *User {
	c := &User{name: u.name, flags: u.flags, desc: u.desc}
	c.passwords = append([]string(nil), u.passwords...)
	c.selectors = make([]*Selector, len(u.selectors))
	for i, s := range u.selectors {
		c.selectors[i] = s.clone()
	}
	return c
}

// HashPassword is the SHA-256 digest in lower-case hex that #<hash> rules
// and ACL GETUSER show.
func HashPassword(pass string) string {
	sum := shasum.SHA256([]byte(pass))
	return hex.EncodeToString(sum[:])
}

func validHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// CheckPassword reports whether pass authenticates the user (a disabled
// user never authenticates).
func (u *User) CheckPassword(pass string) bool {
	if !u.Enabled() {
		return false
	}
	if u.NoPass() {
		return true
	}
	h := HashPassword(pass)
	ok := false
	for _, p := range u.passwords {
		if sameDigest(h, p) {
			ok = true
		}
	}
	return ok
}

// sameDigest compares two hex digests in time independent of where they
// differ (Redis's time_independent_strcmp).
func sameDigest(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	var diff byte
	for i := 0; i < len(a); i++ {
		diff |= a[i] ^ b[i]
	}
	return diff == 0
}

// apply is ACLSetUser: one rule.
func (u *User) apply(t *Table, op string, pubsubAll bool) error {
	u.desc = ""
	if op == "" {
		return nil
	}
	switch {
	case strings.EqualFold(op, "on"):
		u.flags = u.flags&^flagDisabled | flagEnabled
	case strings.EqualFold(op, "off"):
		u.flags = u.flags&^flagEnabled | flagDisabled
	case strings.EqualFold(op, "skip-sanitize-payload"):
		u.flags = u.flags&^flagSanitize | flagSkipSanitize
	case strings.EqualFold(op, "sanitize-payload"):
		u.flags = u.flags&^flagSkipSanitize | flagSanitize
	case strings.EqualFold(op, "nopass"):
		u.flags |= flagNoPass
		u.passwords = nil
	case strings.EqualFold(op, "resetpass"):
		u.flags &^= flagNoPass
		u.passwords = nil
	case op[0] == '>' || op[0] == '#':
		h := op[1:]
		if op[0] == '>' {
			h = HashPassword(h)
		} else if !validHash(h) {
			return errBadHash
		}
		if !contains(u.passwords, h) {
			u.passwords = append(u.passwords, h)
		}
		u.flags &^= flagNoPass
	case op[0] == '<' || op[0] == '!':
		h := op[1:]
		if op[0] == '<' {
			h = HashPassword(h)
		} else if !validHash(h) {
			return errBadHash
		}
		i := index(u.passwords, h)
		if i < 0 {
			return errNoSuchPassword
		}
		u.passwords = append(u.passwords[:i:i], u.passwords[i+1:]...)
	case op[0] == '(' && op[len(op)-1] == ')':
		s := newSelector(t, false, pubsubAll)
		// Unbalanced quotes give no rules: an empty selector, as Redis.
		args, _ := resp.SplitArgs(op[1 : len(op)-1])
		for _, a := range args {
			if a == "" {
				// An empty rule inside parentheses is ACLSetSelector's
				// op[0] == '\0': a syntax error.
				return errSyntax
			}
			if err := s.apply(t, a); err != nil {
				return err
			}
		}
		u.selectors = append(u.selectors, s)
	case strings.EqualFold(op, "clearselectors"):
		u.selectors = u.selectors[:1:1]
	case strings.EqualFold(op, "reset"):
		u.flags &^= flagNoPass
		u.passwords = nil
		r := u.root()
		r.allKeys, r.keys = false, nil
		r.allChannels, r.channels = pubsubAll, nil
		u.flags = u.flags&^(flagEnabled|flagSkipSanitize) | flagDisabled | flagSanitize
		u.selectors = u.selectors[:1:1]
		r.setAll(false)
	default:
		return u.root().apply(t, op)
	}
	return nil
}

func contains(list []string, s string) bool { return index(list, s) >= 0 }

func index(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// MergeSelectorArgs joins a selector spread over several arguments
// ("(~x", "+get)") into one, as ACLMergeSelectorArguments; bad is the
// index of an unclosed "(" argument, or -1.
func MergeSelectorArgs(args []string) (merged []string, bad int) {
	open := -1
	var sel string
	for j, op := range args {
		// As Redis, a "(" inside an open selector starts it again.
		if len(op) > 0 && op[0] == '(' && op[len(op)-1] != ')' {
			sel, open = op, j
			continue
		}
		if open >= 0 {
			sel += " " + op
			if len(op) > 0 && op[len(op)-1] == ')' {
				open = -1
				merged = append(merged, sel)
			}
			continue
		}
		merged = append(merged, op)
	}
	if open >= 0 {
		return nil, open
	}
	return merged, -1
}
