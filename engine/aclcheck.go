package engine

import (
	"strings"
	"time"

	"github.com/goredis-dev/goredis/engine/acl"
)

// linkACL builds the ACL's view of the command table, once for every
// engine, and numbers the commands. The ACL knows every Redis 7.0
// command, implemented here or not, as Redis's ACL knows its original
// table whatever rename-command did: rules written for Redis load, and
// ACL LIST describes them as Redis does.
func (cat *commandCatalog) linkACL() {
	byName := map[string]*acl.Command{}
	var top []*acl.Command
	specs := commandSpecs()
	for _, sp := range specs {
		ac := &acl.Command{Name: sp.Name, Categories: acl.CategoryBits(sp.ACLCategories), NoAuth: parseFlags(sp.Flags)&flagNoAuth != 0}
		byName[sp.Name] = ac
		if sp.Container == "" {
			top = append(top, ac)
		}
	}
	for _, sp := range specs {
		if parent := byName[sp.Container]; sp.Container != "" && parent != nil {
			parent.Subs = append(parent.Subs, byName[sp.Name])
		}
	}
	cat.aclTable = acl.NewTable(top)
	cat.aclCmds = make([]*Command, len(byName))
	link := func(c *Command) {
		cat.newCommand(c)
		c.acl = byName[c.Name]
		c.specFlags = make([]keyFlags, len(c.KeySpecs))
		for i := range c.KeySpecs {
			c.specFlags[i] = specKeyFlags(&c.KeySpecs[i])
		}
		c.acl.HasKeys = commandHasKeys(c)
		switch c.Name {
		case "publish", "spublish", "subscribe", "ssubscribe", "psubscribe":
			c.acl.HasChannels = true
		}
		cat.aclCmds[c.acl.ID()] = c
	}
	// In name order, so ids do not depend on map order.
	for _, sp := range specs {
		if sp.Container != "" {
			continue
		}
		if c := cat.table[sp.Name]; c != nil {
			link(c)
			for _, sc := range c.subs {
				link(sc)
			}
		}
	}
	// Commands GoRedis lacks still answer ACL DRYRUN as in Redis.
	for _, sp := range specs {
		if ac := byName[sp.Name]; cat.aclCmds[ac.ID()] == nil {
			link(&Command{CommandSpec: sp, flags: parseFlags(sp.Flags)})
		}
	}
}

// aclSetup makes the engine's users over the shared ACL table.
func (e *Engine) aclSetup() {
	e.aclCmds = e.cat.aclCmds
	e.users = acl.NewUsers(e.cat.aclTable, acl.Options{
		Match:             func(p, s string) bool { return globMatch(p, s, false) },
		PubsubAllChannels: e.config.param("acl-pubsub-default").value == "allchannels",
	})
	e.users.SetDefaultPassword(e.config.requirepass())
	e.aclDefaultChanged()
}

// aclDefaultChanged notes whether the default user lets clients in
// without AUTH, for Session.Authenticated (read without the engine lock).
func (e *Engine) aclDefaultChanged() {
	d := e.users.Default()
	e.defaultOpen.Store(d.NoPass() && d.Enabled())
}

// authRequired is Redis's authRequired: the default user needs a
// password (or is off) and the client has not authenticated.
func (s *Session) authRequired() bool {
	return !s.authed && !s.e.defaultOpen.Load()
}

// setDefaultAuth is clientSetDefaultAuth: a new or RESET client is the
// default user, authenticated when that needs no password.
func (s *Session) setDefaultAuth() {
	d := s.e.users.Default()
	s.user = d
	s.authed = d.NoPass() && d.Enabled()
}

// aclFinder locates keys and channels for the ACL check.
type aclFinder Engine

// commandHasKeys is doesCommandHaveKeys: a key spec that names keys, or
// a key finder of the command's own.
func commandHasKeys(c *Command) bool {
	if c.Name == "sort" || c.Name == "sort_ro" || c.Name == "migrate" {
		return true
	}
	for i := range c.KeySpecs {
		if c.keySpecFlags(i)&keyNotKey == 0 {
			return true
		}
	}
	return false
}

func (f *aclFinder) Keys(c *acl.Command, args [][]byte) []acl.Key {
	f.aclKeyRefs, f.aclKeys = aclKeysOf(f.aclCmds[c.ID()], args, f.aclKeyRefs, f.aclKeys[:0])
	return f.aclKeys
}

// aclKeysOf finds a command's keys for the ACL check (getKeys), with the
// permissions each needs: read for access, write for insert, update or
// delete.
func aclKeysOf(cmd *Command, args [][]byte, refs []keyRef, out []acl.Key) ([]keyRef, []acl.Key) {
	refs = getKeys(cmd, args, refs[:0])
	for _, r := range refs {
		out = append(out, acl.Key{Pos: r.pos, Access: r.flags&keyAccess != 0, Write: r.flags.writes()})
	}
	return refs, out
}

func (f *aclFinder) Channels(c *acl.Command, args [][]byte) []acl.Channel {
	var out []acl.Channel
	switch c.Name {
	case "publish", "spublish":
		out = append(out, acl.Channel{Pos: 1})
	case "subscribe", "ssubscribe", "psubscribe":
		for i := 1; i < len(args); i++ {
			out = append(out, acl.Channel{Pos: i, Pattern: c.Name == "psubscribe"})
		}
	}
	return out
}

// aclCheck is ACLCheckAllPerm for the session's user.
func (s *Session) aclCheck(cmd *Command, args [][]byte) (acl.Result, int) {
	u := s.user
	if u.Unrestricted() {
		return acl.OK, 0
	}
	return u.Check(s.e.users.Match(), cmd.acl, args, (*aclFinder)(s.e))
}

// aclDenied is the gatekeeper's ACL step: a refused command is logged
// and answered with Redis's NOPERM words.
func (s *Session) aclDenied(cmd *Command, args [][]byte) bool {
	res, pos := s.aclCheck(cmd, args)
	if res == acl.OK {
		return false
	}
	ctx := acl.CtxToplevel
	if s.multi != nil {
		ctx = acl.CtxMulti
	}
	s.aclLog(res, ctx, cmd, args, pos)
	msg := "NOPERM this user has no permissions to access one of the channels used as arguments"
	switch res {
	case acl.DeniedCmd:
		msg = "NOPERM this user has no permissions to run the '" + cmd.Name + "' command"
	case acl.DeniedKey:
		msg = "NOPERM this user has no permissions to access one of the keys used as arguments"
	}
	s.reject(cmd, args, msg)
	return true
}

// aclExecDenied re-checks a queued command when EXEC runs it, as Redis
// does in case the rules changed since it was queued.
func (s *Session) aclExecDenied(cmd *Command, args [][]byte) bool {
	res, pos := s.aclCheck(cmd, args)
	if res == acl.OK {
		return false
	}
	s.aclLog(res, acl.CtxMulti, cmd, args, pos)
	reason := "no permission to access one of the channels used as arguments"
	switch res {
	case acl.DeniedCmd:
		reason = "no permission to execute the command or subcommand"
	case acl.DeniedKey:
		reason = "no permission to touch the specified keys"
	}
	s.w.Error("NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: " + reason)
	return true
}

// aclLog is addACLLogEntry. The client info shows the refused command
// as its last one, as Redis's does.
func (s *Session) aclLog(res acl.Result, ctx string, cmd *Command, args [][]byte, pos int) {
	var object string
	switch res {
	case acl.DeniedCmd:
		object = cmd.Name
	case acl.DeniedKey, acl.DeniedChannel:
		object = string(args[pos])
	}
	s.e.aclLogAdd(s, res, ctx, object, s.user.Name())
}

// aclLogAdd adds an entry. Redis has already taken the refused command
// as the client's last one and its last interaction: so does the entry's
// client info, and so does CLIENT LIST afterwards.
func (e *Engine) aclLogAdd(s *Session, res acl.Result, ctx, object, username string) {
	if s.run.cmd != nil {
		s.lastCmd = s.run.cmd.Name
	}
	s.lastAt = time.UnixMilli(e.nowMs)
	e.aclLogEntries.Add(acl.LogEntry{
		Reason:     acl.ReasonName(res),
		Context:    ctx,
		Object:     object,
		Username:   username,
		TimeMs:     e.now().UnixMilli(),
		ClientInfo: e.clientInfoLine(s, nil, nil),
	}, e.config.int("acllog-max-len"))
}

// aclUserChanged applies an ACL SETUSER to the clients of user u (before
// is the user as it was): a pub/sub client whose subscriptions the new
// rules no longer allow is disconnected, as ACLKillPubsubClientsIfNeeded.
func (e *Engine) aclUserChanged(self *Session, u *acl.User) {
	if u == e.users.Default() {
		e.aclDefaultChanged()
	}
	match := e.users.Match()
	for _, c := range e.sortedSessions() {
		if c.user != u || !c.pubsub.active() {
			continue
		}
		ok := true
		for p := range c.pubsub.patterns {
			ok = ok && u.CheckChannel(match, p, true)
		}
		for ch := range c.pubsub.channels {
			ok = ok && u.CheckChannel(match, ch, false)
		}
		for ch := range c.pubsub.shards {
			ok = ok && u.CheckChannel(match, ch, false)
		}
		if !ok {
			// freeClient, not freeClientAsync: gone from CLIENT LIST at once.
			if c != self {
				c.closeLocked(nil, true)
			}
			e.killClient(self, c)
		}
	}
}

// aclDropClients closes the clients of users that no longer exist
// (ACL DELUSER, ACL LOAD), as ACLFreeUserAndKillClients: they become
// unauthenticated default-user clients until they are gone.
func (e *Engine) aclDropClients(self *Session, gone []*acl.User) {
	if len(gone) == 0 {
		return
	}
	isGone := map[*acl.User]bool{}
	for _, u := range gone {
		isGone[u] = true
	}
	for _, c := range e.sortedSessions() {
		if !isGone[c.user] {
			continue
		}
		if c != self {
			c.mu.Lock()
		}
		c.user, c.authed = e.users.Default(), false
		if c != self {
			c.mu.Unlock()
		}
		e.killClient(self, c)
	}
}

// clientUser is the user= field of CLIENT LIST.
func (c *Session) clientUser() string {
	if c.user == nil {
		return "default"
	}
	return c.user.Name()
}

// aclConfigChanged applies CONFIG SET's requirepass (the default user's
// password, as ACLUpdateDefaultUserPassword) and acl-pubsub-default.
func (e *Engine) aclConfigChanged(pairs []string) {
	for i := 0; i+1 < len(pairs); i += 2 {
		switch strings.ToLower(pairs[i]) {
		case "requirepass":
			e.users.SetDefaultPassword(e.config.requirepass())
			e.aclDefaultChanged()
		case "acl-pubsub-default":
			e.users.SetPubsubDefault(e.config.param("acl-pubsub-default").value == "allchannels")
		}
	}
}

// DefaultUserNoPass reports whether the default user takes any password
// ("nopass"), which is when protected mode refuses remote peers.
func (e *Engine) DefaultUserNoPass() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.users.Default().NoPass()
}

// aclLookupCommand is lookupCommand for ACL DRYRUN: the table's command
// (a subcommand when it has them), else one GoRedis lacks but Redis has.
func (e *Engine) aclLookupCommand(argv [][]byte) *Command {
	cmd := e.lookupCommand(argv[0])
	if cmd == nil {
		if ac := e.users.Table().Lookup(string(argv[0])); ac != nil && ac.Parent == nil {
			cmd = e.aclCmds[ac.ID()]
		}
	}
	if cmd == nil || len(argv) < 2 || cmd.acl == nil || len(cmd.acl.Subs) == 0 {
		return cmd
	}
	ac := e.users.Table().Lookup(cmd.Name + "|" + string(argv[1]))
	if ac == nil || strings.Contains(string(argv[1]), "|") {
		return nil
	}
	return e.aclCmds[ac.ID()]
}

// aclReadsAllKeys tells SORT whether its BY and GET patterns may read
// keys: the session's user must read every key with this command.
func (s *Session) aclReadsAllKeys(args [][]byte) bool {
	if s.user.Unrestricted() {
		return true
	}
	cmd := s.e.lookupCommand(args[0])
	if cmd == nil || cmd.acl == nil {
		return false
	}
	return s.user.CheckWithAllKeysRead(s.e.users.Match(), cmd.acl, args, (*aclFinder)(s.e))
}

// aclScriptError is Redis's scriptVerifyACL for a command a script calls
// (redis.call, run as the calling client's user): "" when allowed, else
// the error text without its code, the refusal logged in the "lua"
// context against the script's caller. The scripting gate calls it after
// its no-script check, as Redis's scriptCall does.
func (s *Session) aclScriptError(cmd *Command, args [][]byte, caller *Session) string {
	res, pos := s.aclCheck(cmd, args)
	if res == acl.OK {
		return ""
	}
	var object string
	switch res {
	case acl.DeniedCmd:
		object = cmd.Name
	default:
		object = string(args[pos])
	}
	if caller == nil {
		caller = s
	}
	s.e.aclLogAdd(caller, res, acl.CtxLua, object, s.user.Name())
	switch res {
	case acl.DeniedCmd:
		return "The user executing the script can't run this command or subcommand"
	case acl.DeniedKey:
		return "The user executing the script can't access at least one of the keys mentioned in the command arguments"
	}
	return "The user executing the script can't publish to the channel mentioned in the command"
}
