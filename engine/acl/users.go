package acl

import (
	"sort"
	"strconv"
	"strings"
)

// Options configure a user set.
type Options struct {
	// Match is glob matching as KEYS and PSUBSCRIBE do it (Redis's
	// stringmatchlen, case-sensitive). It must not keep s: checks pass
	// arguments without copying them.
	Match func(pattern, s string) bool
	// PubsubAllChannels is acl-pubsub-default allchannels: new users and
	// selectors start with &*.
	PubsubAllChannels bool
}

// Users is the set of ACL users; "default" always exists.
type Users struct {
	t     *Table
	opts  Options
	users map[string]*User
	def   *User
}

// NewUsers creates the set with Redis's default user: "on nopass ~* &*
// +@all".
func NewUsers(t *Table, opts Options) *Users {
	us := &Users{t: t, opts: opts, users: map[string]*User{}}
	us.def = us.newDefault()
	us.users["default"] = us.def
	return us
}

func (us *Users) newDefault() *User {
	u := newUser(us.t, "default", us.opts.PubsubAllChannels)
	for _, op := range []string{"+@all", "~*", "&*", "on", "nopass"} {
		_ = u.apply(us.t, op, us.opts.PubsubAllChannels)
	}
	return u
}

// Table is the command table the users' permissions refer to.
func (us *Users) Table() *Table { return us.t }

// SetPubsubDefault follows acl-pubsub-default for users made from now on.
func (us *Users) SetPubsubDefault(allChannels bool) { us.opts.PubsubAllChannels = allChannels }

// Match is the glob matcher the checks use.
func (us *Users) Match() func(p, s string) bool { return us.opts.Match }

// Default is the default user (the same object for the set's whole life:
// ACL LOAD copies new rules into it).
func (us *Users) Default() *User { return us.def }

// Get finds a user by exact name.
func (us *Users) Get(name string) *User { return us.users[name] }

// Names are the user names in byte order, as ACL USERS lists them.
func (us *Users) Names() []string {
	names := make([]string, 0, len(us.users))
	for n := range us.users {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// List is ACL LIST: "user <name> <rules>" per user in name order.
func (us *Users) List() []string {
	names := us.Names()
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "user " + n + " " + us.users[n].describe(us.t)
	}
	return out
}

// Describe is a user's rules as ACL LIST shows them.
func (us *Users) Describe(u *User) string { return u.describe(us.t) }

// Info is ACL GETUSER's root and extra selectors.
func (us *Users) Info(u *User) (root SelectorInfo, selectors []SelectorInfo) {
	root = u.root().info(us.t)
	for _, s := range u.selectors[1:] {
		selectors = append(selectors, s.info(us.t))
	}
	return root, selectors
}

// SetUserError is an ACL SETUSER failure, worded as Redis.
type SetUserError struct{ Msg string }

func (e *SetUserError) Error() string { return e.Msg }

// SetUser is ACL SETUSER: every rule is applied to a copy first, so a bad
// rule changes nothing. It returns the user as it is now and the user as
// it was (nil when created).
func (us *Users) SetUser(name string, rules []string) (now, before *User, err error) {
	if hasSpaces(name) {
		return nil, nil, &SetUserError{"Usernames can't contain spaces or null characters"}
	}
	merged, bad := MergeSelectorArgs(rules)
	if bad >= 0 {
		return nil, nil, &SetUserError{"Unmatched parenthesis in acl selector starting at '" + rules[bad] + "'."}
	}
	old := us.users[name]
	var tmp *User
	if old != nil {
		tmp = old.clone()
	} else {
		tmp = newUser(us.t, name, us.opts.PubsubAllChannels)
	}
	for _, op := range merged {
		if err := tmp.apply(us.t, op, us.opts.PubsubAllChannels); err != nil {
			return nil, nil, &SetUserError{"Error in ACL SETUSER modifier '" + op + "': " + err.Error()}
		}
	}
	tmp.desc = ""
	if old != nil {
		before = old.clone()
		// Sessions hold the *User: change it in place.
		*old = *tmp
		return old, before, nil
	}
	us.users[name] = tmp
	return tmp, nil, nil
}

// Unlinked builds a user from rules without adding it to the set: a
// permission set the host checks apart (the engine's sandbox).
func (us *Users) Unlinked(name string, rules []string) (*User, error) {
	u := newUser(us.t, name, us.opts.PubsubAllChannels)
	for _, op := range rules {
		if err := u.apply(us.t, op, us.opts.PubsubAllChannels); err != nil {
			return nil, &SetUserError{"Error in ACL SETUSER modifier '" + op + "': " + err.Error()}
		}
	}
	return u, nil
}

// DelUser is ACL DELUSER: the removed users, for the caller to close
// their clients. "default" cannot be removed.
func (us *Users) DelUser(names []string) ([]*User, error) {
	for _, n := range names {
		if n == "default" {
			return nil, &SetUserError{"The 'default' user cannot be removed"}
		}
	}
	var gone []*User
	for _, n := range names {
		if u := us.users[n]; u != nil {
			delete(us.users, n)
			gone = append(gone, u)
		}
	}
	return gone, nil
}

// SetDefaultPassword is requirepass: "resetpass" then ">pass", or
// "nopass" for "".
func (us *Users) SetDefaultPassword(pass string) {
	u := us.def
	_ = u.apply(us.t, "resetpass", us.opts.PubsubAllChannels)
	if pass == "" {
		_ = u.apply(us.t, "nopass", us.opts.PubsubAllChannels)
	} else {
		_ = u.apply(us.t, ">"+pass, us.opts.PubsubAllChannels)
	}
}

// ValidateUserLine checks a config file "user <name> <rules...>" line
// (args without "user") as ACLAppendUserForLoading: unknown commands are
// let through (Redis reports them when it loads). bad is Redis's
// argc_err: the index of the rule at fault among the (merged) rules,
// which Redis then uses to index the whole line, "user" included.
func (us *Users) ValidateUserLine(args []string) (bad int, err error) {
	merged, b := MergeSelectorArgs(args[1:])
	if b >= 0 {
		// Redis reports whatever errno an earlier lookup left: that is
		// ENOENT after any rule naming a command.
		return b, errUnknownName
	}
	tmp := newUser(us.t, "__fakeuser__", us.opts.PubsubAllChannels)
	for j, op := range merged {
		if err := tmp.apply(us.t, op, us.opts.PubsubAllChannels); err != nil && err != errUnknownName {
			return j, err
		}
	}
	return -1, nil
}

// LoadConfigUsers is ACLLoadConfiguredUsers: the config file's user
// lines, in order. The default user is reset before its rules apply. The
// error is the message Redis logs before it exits.
func (us *Users) LoadConfigUsers(lines [][]string) error {
	seen := map[string]bool{}
	for _, l := range lines {
		name := l[0]
		if seen[name] {
			return &SetUserError{"Duplicate user '" + name + "' found"}
		}
		seen[name] = true
		if hasSpaces(name) {
			return &SetUserError{"Spaces not allowed in ACL usernames"}
		}
		u := us.users[name]
		if u == nil {
			u = newUser(us.t, name, us.opts.PubsubAllChannels)
			us.users[name] = u
		} else {
			_ = u.apply(us.t, "reset", us.opts.PubsubAllChannels)
		}
		merged, bad := MergeSelectorArgs(l[1:])
		if bad >= 0 {
			return &SetUserError{"Unmatched parenthesis in acl selector starting at '" + l[1+bad] + "'."}
		}
		for _, op := range merged {
			if err := u.apply(us.t, op, us.opts.PubsubAllChannels); err != nil {
				return &SetUserError{"Error loading ACL rule '" + op + "' for the user named '" + name + "': " + err.Error()}
			}
		}
	}
	return nil
}

// LoadFile is ACLLoadFromFile on the file's text: either every line is
// good and the users are replaced (the default user keeps its identity),
// or nothing changes and the errors are returned in one line. filename
// is only for the messages. replaced are the users that were dropped.
func (us *Users) LoadFile(filename, text string) (replaced []*User, errs string) {
	var b strings.Builder
	fresh := map[string]*User{}
	for i, line := range strings.Split(text, "\n") {
		num := strconv.Itoa(i + 1)
		line = strings.Trim(line, " \t\r\n")
		if line == "" {
			continue
		}
		argv := splitSpaces(line)
		if len(argv) == 0 {
			continue
		}
		if argv[0] != "user" || len(argv) < 2 {
			b.WriteString(filename + ":" + num + " should start with user keyword followed by the username. ")
			continue
		}
		if hasSpaces(argv[1]) {
			b.WriteString("'" + filename + ":" + num + ": username '" + argv[1] + "' contains invalid characters. ")
			continue
		}
		if fresh[argv[1]] != nil {
			b.WriteString("WARNING: Duplicate user '" + argv[1] + "' found on line " + num + ". ")
			continue
		}
		u := newUser(us.t, argv[1], us.opts.PubsubAllChannels)
		fresh[argv[1]] = u
		merged, bad := MergeSelectorArgs(argv[2:])
		if bad >= 0 {
			b.WriteString(filename + ":" + num + ": Unmatched parenthesis in selector definition.")
		}
		syntaxErr := false
		for _, op := range merged {
			op = strings.Trim(op, "\t\r\n")
			if err := u.apply(us.t, op, us.opts.PubsubAllChannels); err != nil {
				if err == errUnknownName {
					b.WriteString(filename + ":" + num + ": Error in applying operation '" + op + "': " + err.Error() + ". ")
				} else if !syntaxErr {
					b.WriteString(filename + ":" + num + ": " + err.Error() + ". ")
					syntaxErr = true
				}
			}
		}
	}
	if b.Len() > 0 {
		b.WriteString("WARNING: ACL errors detected, no change to the previously active ACL rules was performed")
		return nil, b.String()
	}
	newDef := fresh["default"]
	if newDef == nil {
		newDef = us.newDefault()
	}
	newDef.name = "default"
	newDef.desc = ""
	*us.def = *newDef
	fresh["default"] = us.def
	for n, u := range us.users {
		if n != "default" {
			replaced = append(replaced, u)
		}
	}
	us.users = fresh
	return replaced, ""
}

// splitSpaces is sdssplitlen on single spaces: empty fields are kept
// (and ignored later as no-op rules).
func splitSpaces(line string) []string {
	return strings.Split(line, " ")
}

// SaveText is ACL SAVE's file content: one "user" line per user.
func (us *Users) SaveText() string {
	var b strings.Builder
	for _, l := range us.List() {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}
