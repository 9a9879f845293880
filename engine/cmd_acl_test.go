package engine

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/goredis-dev/goredis/engine/acl"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestACLNoPermWordsAndOrder(t *testing.T) {
	runSteps(t, []step{
		{cmd: "ACL SETUSER u on >pw ~k* &ch +get +set +multi +exec +publish +acl|whoami", want: ok},
		{cmd: "AUTH u pw", want: ok},
		{cmd: "GET k1", want: nilBulk},
		{cmd: "GET other", want: errReply("NOPERM this user has no permissions to access one of the keys used as arguments")},
		{cmd: "DEL k1", want: errReply("NOPERM this user has no permissions to run the 'del' command")},
		{cmd: "PUBLISH other m", want: errReply("NOPERM this user has no permissions to access one of the channels used as arguments")},
		{cmd: "PUBLISH ch m", want: integer(0)},
		// existence and arity come before the ACL, as in Redis
		{cmd: "NOSUCH", want: errReply("ERR unknown command 'NOSUCH', with args beginning with: ")},
		{cmd: "DEL", want: errReply("ERR wrong number of arguments for 'del' command")},
		// a refused command inside MULTI aborts the transaction
		{cmd: "MULTI", want: ok},
		{cmd: "SET k1 v", want: "+QUEUED\r\n"},
		{cmd: "SET other v", want: errReply("NOPERM this user has no permissions to access one of the keys used as arguments")},
		{cmd: "EXEC", want: errReply("EXECABORT Transaction discarded because of previous errors.")},
	})
}

func TestACLRulesChangedBeforeExec(t *testing.T) {
	e, _ := testEngine(t)
	admin := newClient(t, e)
	u := newClient(t, e)
	require.Equal(t, ok, admin.line("ACL SETUSER u on nopass ~* +@all"))
	require.Equal(t, ok, u.line("AUTH u x"))
	require.Equal(t, ok, u.line("MULTI"))
	require.Equal(t, "+QUEUED\r\n", u.line("SET a 1"))
	require.Equal(t, "+QUEUED\r\n", u.line("GET a"))
	require.Equal(t, ok, admin.line("ACL SETUSER u -get"))
	assert.Equal(t, arr(ok, errReply("NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: no permission to execute the command or subcommand")), u.line("EXEC"))
	log := admin.line("ACL LOG 1")
	assert.Contains(t, log, bulk("reason")+bulk("command")+bulk("context")+bulk("multi")+bulk("object")+bulk("get")+bulk("username")+bulk("u"))
}

func TestACLLogEntries(t *testing.T) {
	e, clk := testEngine(t)
	c := newClient(t, e)
	require.Equal(t, ok, c.line("ACL SETUSER u on >pw ~k* +get"))
	assert.Equal(t, errReply("WRONGPASS invalid username-password pair or user is disabled."), c.line("auth u bad"))
	require.Equal(t, ok, c.line("AUTH u pw"))
	c.line("GET x")
	c.line("GET x")
	clk.Advance(1500 * time.Millisecond)
	c.line("SET k v")
	info := "id=1 addr=127.0.0.1:50000 laddr=127.0.0.1:6379 fd=-1 name= age=1 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem=" + totMem(0) + " events=r cmd=set user=u redir=-1 resp=2"
	entry := func(count int64, reason, ctx, object, user, age, cinfo string) string {
		return "*14\r\n" + bulk("count") + integer(count) + bulk("reason") + bulk(reason) + bulk("context") + bulk(ctx) +
			bulk("object") + bulk(object) + bulk("username") + bulk(user) + bulk("age-seconds") + bulk(age) + bulk("client-info") + bulk(cinfo)
	}
	require.Equal(t, ok, c.line("AUTH default x"))
	got := c.line("ACL LOG")
	want := arr(
		entry(1, "command", "toplevel", "set", "u", "0", info),
		entry(2, "key", "toplevel", "x", "u", "1.5", strings.Replace(strings.Replace(info, "cmd=set", "cmd=get", 1), "age=1", "age=0", 1)),
		entry(1, "auth", "toplevel", "auth", "u", "1.5", strings.Replace(strings.Replace(strings.Replace(info, "cmd=set", "cmd=auth", 1), "age=1", "age=0", 1), "user=u", "user=default", 1)),
	)
	assert.Equal(t, want, got)
	assert.Equal(t, ok, c.line("ACL LOG RESET"))
	assert.Equal(t, "*0\r\n", c.line("ACL LOG"))
}

func TestACLDeletedUsersClientsAreClosed(t *testing.T) {
	e, _ := testEngine(t)
	admin := newClient(t, e)
	closed := false
	u := &client{t: t, s: e.NewSession(ClientInfo{Addr: "10.0.0.2:4000", Close: func() { closed = true }})}
	require.Equal(t, ok, admin.line("ACL SETUSER u on nopass +@all ~*"))
	require.Equal(t, ok, u.line("AUTH u x"))
	assert.Contains(t, admin.line("CLIENT LIST"), "user=u ")
	assert.Equal(t, integer(1), admin.line("ACL DELUSER u"))
	assert.True(t, closed)
	assert.True(t, u.s.ShouldClose())
	// a disabled user's clients stay, as in Redis 7.0
	closed = false
	v := &client{t: t, s: e.NewSession(ClientInfo{Addr: "10.0.0.3:4000", Close: func() { closed = true }})}
	require.Equal(t, ok, admin.line("ACL SETUSER v on nopass +@all ~*"))
	require.Equal(t, ok, v.line("AUTH v x"))
	require.Equal(t, ok, admin.line("ACL SETUSER v off"))
	assert.False(t, closed)
	assert.Equal(t, nilBulk, v.line("GET a"))
	// CLIENT KILL USER
	assert.Equal(t, errReply("ERR No such user 'nosuch'"), admin.line("CLIENT KILL USER nosuch"))
	assert.Equal(t, integer(1), admin.line("CLIENT KILL USER v"))
	assert.True(t, closed)
}

func TestACLRevokedChannelsDisconnectSubscribers(t *testing.T) {
	e, _ := testEngine(t)
	admin := newClient(t, e)
	closed := false
	sub := &client{t: t, s: e.NewSession(ClientInfo{Addr: "10.0.0.2:4000", Close: func() { closed = true }})}
	require.Equal(t, ok, admin.line("ACL SETUSER ps on nopass +@all &news.* &sport"))
	require.Equal(t, ok, sub.line("AUTH ps x"))
	sub.line("SUBSCRIBE sport")
	assert.Equal(t, errReply("NOPERM this user has no permissions to access one of the channels used as arguments"), sub.line("SUBSCRIBE other"))
	require.Equal(t, ok, admin.line("ACL SETUSER ps &more"))
	assert.False(t, closed, "gaining channels keeps subscribers")
	require.Equal(t, ok, admin.line("ACL SETUSER ps resetchannels &news.*"))
	assert.True(t, closed)
	assert.NotContains(t, admin.line("CLIENT LIST"), "10.0.0.2:4000")
}

func TestACLRequirepassIsTheDefaultUsersPassword(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	require.Equal(t, ok, c.line("CONFIG SET requirepass s3cret"))
	fresh := newClient(t, e)
	assert.Equal(t, errReply("NOAUTH Authentication required."), fresh.line("GET a"))
	assert.True(t, strings.HasPrefix(fresh.line("HELLO 3"), "-NOAUTH"))
	assert.Equal(t, errReply("WRONGPASS invalid username-password pair or user is disabled."), fresh.line("AUTH nope"))
	assert.Equal(t, ok, fresh.line("AUTH s3cret"))
	assert.Contains(t, c.line("ACL LIST"), "user default on #"+sha256Hex("s3cret")+" ~* &* +@all")
	// the client that set it was in already, and stays in
	assert.Equal(t, nilBulk, c.line("GET a"))
	require.Equal(t, ok, c.do("CONFIG", "SET", "requirepass", ""))
	assert.Equal(t, nilBulk, newClient(t, e).line("GET a"))
	// a default user with a password set by ACL also asks for AUTH
	require.Equal(t, ok, c.line("ACL SETUSER default resetpass >pw"))
	other := newClient(t, e)
	assert.Equal(t, errReply("NOAUTH Authentication required."), other.line("PING"))
	assert.Equal(t, ok, other.line("AUTH default pw"))
	assert.Equal(t, "+RESET\r\n", other.line("RESET"))
	assert.Equal(t, errReply("NOAUTH Authentication required."), other.line("PING"), "RESET drops the authentication")
}

func sha256Hex(s string) string { return acl.HashPassword(s) }

// memACLFile is an in-memory aclfile.
type memACLFile struct{ files map[string]string }

func (m *memACLFile) Read(path string) (string, error) {
	s, ok := m.files[path]
	if !ok {
		return "", errors.New("No such file or directory")
	}
	return s, nil
}

func (m *memACLFile) Write(path, text string) error { m.files[path] = text; return nil }

func TestACLFileLoadSave(t *testing.T) {
	f := &memACLFile{files: map[string]string{"users.acl": "user alice on >pw ~a* +get\nuser default on nopass ~* &* +@all\n"}}
	e := New(Options{Config: map[string]string{"aclfile": "users.acl"}, ACLFile: f})
	require.NoError(t, e.LoadACL())
	c := newClient(t, e)
	assert.Equal(t, bulks("alice", "default"), c.line("ACL USERS"))
	require.Equal(t, ok, c.line("ACL SETUSER bob on nopass"))
	require.Equal(t, ok, c.line("ACL SAVE"))
	assert.Equal(t, "user alice on #"+aclHash("pw")+" ~a* resetchannels -@all +get\nuser bob on nopass resetchannels -@all\nuser default on nopass ~* &* +@all\n", f.files["users.acl"])
	a := newClient(t, e)
	require.Equal(t, ok, a.line("AUTH alice pw"))
	f.files["users.acl"] = "user alice on >pw ~a* +get +nosuch\n"
	assert.Equal(t, errReply("ERR users.acl:1: Error in applying operation '+nosuch': Unknown command or category name in ACL. WARNING: ACL errors detected, no change to the previously active ACL rules was performed"), c.line("ACL LOAD"))
	assert.False(t, a.s.ShouldClose())
	f.files["users.acl"] = "user alice on >pw ~a* +get\n"
	require.Equal(t, ok, c.line("ACL LOAD"))
	assert.Equal(t, bulks("alice", "default"), c.line("ACL USERS"))
	assert.True(t, a.s.ShouldClose(), "ACL LOAD drops the clients of the users it replaced")
	delete(f.files, "users.acl")
	assert.Equal(t, errReply("ERR Error loading ACLs, opening file 'users.acl': No such file or directory"), c.line("ACL LOAD"))
}

func TestACLConfigUsers(t *testing.T) {
	e := New(Options{Users: [][]string{{"default", "on", ">pw", "~*", "&*", "+@all"}, {"ro", "on", "nopass", "~*", "+@read"}}})
	require.NoError(t, e.LoadACL())
	c := newClient(t, e)
	assert.Equal(t, errReply("NOAUTH Authentication required."), c.line("PING"))
	require.Equal(t, ok, c.line("AUTH ro x"))
	assert.Equal(t, errReply("NOPERM this user has no permissions to run the 'set' command"), c.line("SET a b"))
	bad := New(Options{Users: [][]string{{"x", "on", "+nosuch"}}})
	assert.EqualError(t, bad.LoadACL(), "Error loading ACL rule '+nosuch' for the user named 'x': Unknown command or category name in ACL\nCritical error while loading ACLs. Exiting.")
	both := New(Options{Users: [][]string{{"x", "on"}}, Config: map[string]string{"aclfile": "u.acl"}, ACLFile: &memACLFile{}})
	assert.ErrorContains(t, both.LoadACL(), "please define either an ACL file or declare users directly in your redis.conf, but not both")
	bad2, err := ValidateACLUser([]string{"alice", "on", "badrule"})
	assert.Equal(t, 1, bad2)
	assert.EqualError(t, err, "Syntax error")
	_, err = ValidateACLUser([]string{"alice", "on", "+nosuch"})
	assert.NoError(t, err, "unknown commands are reported when the users load")
}

func TestACLGetUserResp3(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	c.line("HELLO 3")
	require.Equal(t, ok, c.line("ACL SETUSER u on nopass ~a (~b +get)"))
	assert.Equal(t, "%6\r\n"+bulk("flags")+"~2\r\n"+bulk("on")+bulk("nopass")+bulk("passwords")+"*0\r\n"+
		bulk("commands")+bulk("-@all")+bulk("keys")+bulk("~a")+bulk("channels")+bulk("")+
		bulk("selectors")+"*1\r\n%3\r\n"+bulk("commands")+bulk("-@all +get")+bulk("keys")+bulk("~b")+bulk("channels")+bulk(""),
		c.line("ACL GETUSER u"))
	assert.Equal(t, "_\r\n", c.line("ACL GETUSER nosuch"))
}

func TestSlowlogRedactsSecrets(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	require.Equal(t, ok, c.line("CONFIG SET slowlog-log-slower-than 0"))
	c.line("CONFIG SET masterauth x maxclients 100")
	c.line("ACL SETUSER u on >pw")
	c.line("AUTH u pw")
	got := newClient(t, e).line("SLOWLOG GET 3")
	assert.Contains(t, got, bulks("CONFIG", "SET", "masterauth", "(redacted)", "maxclients", "100"))
	assert.Contains(t, got, bulks("AUTH", "(redacted)", "(redacted)"))
	assert.Contains(t, got, bulks("ACL", "SETUSER", "(redacted)", "(redacted)", "(redacted)"))
}

func aclHash(s string) string { return acl.HashPassword(s) }

// TestACLScriptCheck: what the scripting gate gets for a command a script
// calls, and the "lua" log entry.
func TestACLScriptCheck(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	require.Equal(t, ok, c.line("ACL SETUSER u on nopass ~k* &ch +get +publish +eval"))
	require.Equal(t, ok, c.line("AUTH u x"))
	check := func(args ...string) string {
		e.mu.Lock()
		defer e.mu.Unlock()
		bs := argv(args...)
		return c.s.aclScriptError(e.lookupCommand(bs[0]), bs, nil)
	}
	assert.Equal(t, "", check("GET", "k1"))
	assert.Equal(t, "The user executing the script can't run this command or subcommand", check("SET", "k1", "v"))
	assert.Equal(t, "The user executing the script can't access at least one of the keys mentioned in the command arguments", check("GET", "x"))
	assert.Equal(t, "The user executing the script can't publish to the channel mentioned in the command", check("PUBLISH", "x", "m"))
	require.Equal(t, ok, c.line("AUTH default x"))
	assert.Contains(t, c.line("ACL LOG 1"), bulk("reason")+bulk("channel")+bulk("context")+bulk("lua")+bulk("object")+bulk("x"))
}

// TestSandboxRulesRefuseServerWideCommands: the sandbox's ACL rules
// refuse exactly the admin-flagged commands and the listed server-wide
// ones.
func TestSandboxRulesRefuseServerWideCommands(t *testing.T) {
	e, _ := testEngine(t)
	serverWide := map[string]bool{}
	allowed := map[string]bool{}
	for _, r := range sandboxRules {
		if strings.HasPrefix(r, "+") && !strings.HasPrefix(r, "+@") {
			allowed[r[1:]] = true
		}
		if strings.HasPrefix(r, "-") && !strings.HasPrefix(r, "-@") {
			serverWide[r[1:]] = true
		}
	}
	for _, c := range e.commands {
		for _, cmd := range append([]*Command{c}, c.sortedSubs()...) {
			if cmd.handler == nil {
				continue
			}
			want := !allowed[cmd.Name] && (cmd.flags&flagAdmin != 0 || serverWide[cmd.Name] || (cmd.parent != nil && serverWide[cmd.parent.Name]))
			args := argv(strings.Split(cmd.Name, "|")...)
			assert.Equal(t, want, e.sandboxRefused(cmd, args), cmd.Name)
		}
	}
}
