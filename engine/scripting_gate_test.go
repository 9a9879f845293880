package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scriptErr is the error a script raising msg from redis.call on its
// first line replies.
func scriptErr(msg, body string) string {
	return errReply(msg + " script: " + SHA1ForTest(body) + ", on @user_script:1.")
}

// The commands a script calls pass the ACL of the script's caller
// (scriptVerifyACL), logged with context "lua"; redis.acl_check_cmd
// answers for that user. Replies as Redis 7.0.15's.
func TestScriptACL(t *testing.T) {
	e, _ := testEngine(t)
	admin := newClient(t, e)
	require.Equal(t, ok, admin.do("ACL", "SETUSER", "bob", "on", "nopass", "~foo*", "&ch*", "+@all", "-flushall"))
	bob := newClient(t, e)
	require.Equal(t, ok, bob.do("AUTH", "bob", "x"))
	flushall := "return redis.call('flushall')"
	getBar := "return redis.call('get','bar')"
	publish := "return redis.call('publish','x','m')"
	checks := "return {redis.acl_check_cmd('get','bar'), redis.acl_check_cmd('get','foo'), redis.acl_check_cmd('flushall'), redis.acl_check_cmd('set','foo')}"
	for _, st := range []struct{ body, want string }{
		{flushall, scriptErr("ERR The user executing the script can't run this command or subcommand", flushall)},
		{getBar, scriptErr("ERR The user executing the script can't access at least one of the keys mentioned in the command arguments", getBar)},
		{publish, scriptErr("ERR The user executing the script can't publish to the channel mentioned in the command", publish)},
		{"return redis.pcall('get','bar')", errReply("ERR The user executing the script can't access at least one of the keys mentioned in the command arguments")},
		{"return redis.call('get','foo')", nilBulk},
		{checks, arr(nilBulk, integer(1), nilBulk, integer(1))},
		{"return redis.acl_check_cmd('nosuch')", scriptErr("ERR Invalid command passed to redis.acl_check_cmd()", "return redis.acl_check_cmd('nosuch')")},
		{"return redis.acl_check_cmd('config','nosuch')", scriptErr("ERR Invalid command passed to redis.acl_check_cmd()", "return redis.acl_check_cmd('config','nosuch')")},
	} {
		assert.Equal(t, st.want, bob.do("EVAL", st.body, "0"), st.body)
	}
	// the default user is unrestricted: everything passes
	assert.Equal(t, arr(integer(1), integer(1), integer(1), integer(1)), admin.do("EVAL", checks, "0"))

	// the two refusals of key bar are one entry, as in Redis
	log := admin.do("ACL", "LOG", "1")
	assert.Contains(t, log, "$5\r\ncount\r\n:2\r\n"+bulks("reason", "key", "context", "lua", "object", "bar", "username", "bob")[4:])
	assert.Contains(t, log, " cmd=eval user=bob ")
	log = admin.do("ACL", "LOG")
	assert.Contains(t, log, bulks("reason", "channel", "context", "lua", "object", "x")[4:])
	assert.Contains(t, log, bulks("reason", "command", "context", "lua", "object", "flushall")[4:])
	// The refused calls are rejected calls of their command.
	assert.Contains(t, admin.do("INFO", "commandstats"), "cmdstat_flushall:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0")
}

// OOM: a denyoom command from a script is refused before the script's
// first write when memory was over maxmemory at its start, unless the
// script is allow-oom (scriptVerifyOOM); a shebang script's flags decide
// at the gate (evalGetCommandFlags). Replies as Redis 7.0.15's.
func TestScriptOOM(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	require.Equal(t, ok, c.do("SET", "foo", "1"))
	lib := "#!lua name=lib\nredis.register_function('w', function() return redis.call('get','foo') end)\n" +
		"redis.register_function{function_name='r', callback=function() return redis.call('get','foo') end, flags={'no-writes'}}\n" +
		"redis.register_function{function_name='o', callback=function() return redis.call('set','z','1') end, flags={'allow-oom'}}"
	require.Equal(t, bulk("lib"), c.do("FUNCTION", "LOAD", lib))
	require.Equal(t, ok, c.do("CONFIG", "SET", "maxmemory", "1"))
	oom := errReply(errOOM)
	setX := "return redis.call('set','x','1')"
	incrThenSet := "redis.call('incr','foo'); return redis.call('set','y','1')"
	for _, st := range []struct {
		args []string
		want string
	}{
		{[]string{"EVAL", setX, "0"}, scriptErr("OOM command not allowed when used memory > 'maxmemory'.", setX)},
		{[]string{"EVAL", "return redis.call('get','foo')", "0"}, bulk("1")},
		{[]string{"EVAL", "#!lua\nreturn redis.call('get','foo')", "0"}, oom},
		{[]string{"EVAL", "#!lua flags=no-writes\nreturn redis.call('get','foo')", "0"}, bulk("1")},
		{[]string{"EVAL", "#!lua flags=allow-oom\nreturn redis.call('set','x','1')", "0"}, ok},
		// after a first write the script cannot be stopped halfway
		{[]string{"EVAL", "redis.call('del','nokey'); return redis.call('set','y','1')", "0"}, ok},
		{[]string{"EVAL", incrThenSet, "0"}, scriptErr("OOM command not allowed when used memory > 'maxmemory'.", incrThenSet)},
		{[]string{"EVAL", "return redis.pcall('set','x','1')", "0"}, oom},
		{[]string{"FCALL", "w", "0"}, oom},
		{[]string{"FCALL", "r", "0"}, bulk("1")},
		{[]string{"FCALL", "o", "0"}, ok},
		{[]string{"FCALL_RO", "w", "0"}, oom},
		{[]string{"FCALL_RO", "r", "0"}, bulk("1")},
		{[]string{"FUNCTION", "LOAD", "#!lua name=lib2\nredis.register_function('x', function() return 1 end)"}, oom},
	} {
		assert.Equal(t, st.want, c.do(st.args...), st.args)
	}
	assert.Equal(t, bulk("1"), c.do("GET", "foo"))
}

// The gate sees a shebang script's flags: a script that may write is a
// write command on a read-only replica, a no-writes one is not; EVALSHA
// and FCALL use the cached script's and the function's flags.
func TestScriptFlagsAtGate(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	sha := SHA1ForTest("#!lua\nreturn 1")
	require.Equal(t, bulk(sha), c.do("SCRIPT", "LOAD", "#!lua\nreturn 1"))
	ro := "#!lua flags=no-writes\nreturn redis.call('get','k')"
	roSHA := SHA1ForTest(ro)
	require.Equal(t, bulk(roSHA), c.do("SCRIPT", "LOAD", ro))
	e.mu.Lock()
	e.persist.lastBgsaveErr = true
	e.mu.Unlock()
	require.Equal(t, ok, c.do("CONFIG", "SET", "save", "3600 1"))
	for _, st := range []struct {
		args []string
		want string
	}{
		{[]string{"EVAL", "#!lua\nreturn 1", "0"}, errReply(errMisconf)},
		{[]string{"EVALSHA", sha, "0"}, errReply(errMisconf)},
		{[]string{"EVAL", ro, "0"}, nilBulk},
		{[]string{"EVALSHA", roSHA, "0"}, nilBulk},
		// without a shebang EVAL is not a write command: the script's
		// first write is refused
		{[]string{"EVAL", "return 1", "0"}, integer(1)},
		{[]string{"EVAL", "return redis.pcall('set','k','v')", "0"}, errReply(errMisconf)},
	} {
		assert.Equal(t, st.want, c.do(st.args...), st.args)
	}
}

// DEBUG set-disable-deny-scripts lets scripts call noscript commands.
func TestScriptDisableDenyScripts(t *testing.T) {
	e := New(Options{Config: map[string]string{"enable-debug-command": "yes"}})
	c := newClient(t, e)
	body := "return redis.pcall('wait','0','0')"
	assert.Equal(t, errReply("ERR This Redis command is not allowed from script"), c.do("EVAL", body, "0"))
	assert.Equal(t, ok, c.do("DEBUG", "set-disable-deny-scripts", "1"))
	assert.Equal(t, integer(0), c.do("EVAL", body, "0"))
	assert.Equal(t, ok, c.do("DEBUG", "set-disable-deny-scripts", "0"))
	assert.Equal(t, errReply("ERR This Redis command is not allowed from script"), c.do("EVAL", body, "0"))
}
