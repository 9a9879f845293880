package acl

import (
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testTable is a small command table: enough commands, categories and
// subcommands to exercise every rule.
func testTable() *Table {
	cat := func(names ...string) uint32 { return CategoryBits(names) }
	client := &Command{Name: "client", Categories: cat("slow"), Subs: []*Command{
		{Name: "client|id", Categories: cat("slow", "connection")},
		{Name: "client|kill", Categories: cat("admin", "slow", "dangerous", "connection")},
	}}
	return NewTable([]*Command{
		{Name: "get", Categories: cat("read", "string", "fast"), HasKeys: true},
		{Name: "set", Categories: cat("write", "string", "slow"), HasKeys: true},
		{Name: "hget", Categories: cat("read", "hash", "fast"), HasKeys: true},
		{Name: "select", Categories: cat("fast", "connection")},
		{Name: "auth", Categories: cat("fast", "connection"), NoAuth: true},
		{Name: "publish", Categories: cat("pubsub", "fast"), HasChannels: true},
		{Name: "psubscribe", Categories: cat("pubsub", "slow"), HasChannels: true},
		client,
	})
}

func glob(p, s string) bool { ok, _ := path.Match(p, s); return ok }

func testUsers() *Users { return NewUsers(testTable(), Options{Match: glob}) }

// finder treats argument 1 as a key (read for get/hget, write for set)
// and argument 1 of publish/psubscribe as a channel.
type finder struct{}

func (finder) Keys(c *Command, args [][]byte) []Key {
	return []Key{{Pos: 1, Access: c.Name != "set", Write: c.Name == "set"}}
}
func (finder) Channels(c *Command, args [][]byte) []Channel {
	return []Channel{{Pos: 1, Pattern: c.Name == "psubscribe"}}
}

func bs(words ...string) [][]byte {
	out := make([][]byte, len(words))
	for i, w := range words {
		out[i] = []byte(w)
	}
	return out
}

func TestSetUserRulesAndDescribe(t *testing.T) {
	for _, tc := range []struct {
		rules []string
		want  string // ACL LIST line, or the error
	}{
		{nil, "user u off resetchannels -@all"},
		{[]string{"on", "nopass", "~*", "&*", "+@all"}, "user u on nopass ~* &* +@all"},
		{[]string{"on", ">a", ">a", ">b", "<a"}, "user u on #" + HashPassword("b") + " resetchannels -@all"},
		{[]string{"#" + strings.Repeat("0", 64), "!" + strings.Repeat("0", 64)}, "user u off resetchannels -@all"},
		{[]string{"+@all", "-get", "-client|kill"}, "user u off resetchannels +@all -@admin -get"},
		{[]string{"+@string"}, "user u off resetchannels -@all +@string"},
		// The describer picks categories as Redis's does: @admin holds only
		// client|kill here, so it wins over naming it.
		{[]string{"+@string", "-set", "+client"}, "user u off resetchannels -@all +@admin +client +get"},
		{[]string{"+select|0", "+select|1", "+SELECT|1"}, "user u off resetchannels -@all +select|0 +select|1"},
		{[]string{"+select|0", "+select"}, "user u off resetchannels -@all +select"},
		{[]string{"%R~a", "%W~a", "%W~b", "~c"}, "user u off ~a %W~b ~c resetchannels -@all"},
		{[]string{"&x", "&x", "&y", "allkeys"}, "user u off ~* resetchannels &x &y -@all"},
		{[]string{"(~a* +get)", "(", "+set", ")"}, "user u off resetchannels -@all (~a* resetchannels -@all +get) (resetchannels -@all +@write)"},
		{[]string{"(~a*", "+get)", "(&c", "+publish)"}, "user u off resetchannels -@all (~a* resetchannels -@all +get) (resetchannels &c -@all +publish)"},
		{[]string{"(~a*", "+get"}, "Unmatched parenthesis in acl selector starting at '(~a*'."},
		{[]string{"+nosuch"}, "Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL"},
		{[]string{"-@nosuch"}, "Error in ACL SETUSER modifier '-@nosuch': Unknown command or category name in ACL"},
		{[]string{"+client|id|x"}, "Error in ACL SETUSER modifier '+client|id|x': Allowing first-arg of a subcommand is not supported"},
		{[]string{"+get|"}, "Error in ACL SETUSER modifier '+get|': Syntax error"},
		{[]string{"<nope"}, "Error in ACL SETUSER modifier '<nope': The password you are trying to remove from the user does not exist"},
		{[]string{"#abc"}, "Error in ACL SETUSER modifier '#abc': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"},
		{[]string{"~*", "~a"}, "Error in ACL SETUSER modifier '~a': Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"},
		{[]string{"&*", "&a"}, "Error in ACL SETUSER modifier '&a': Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"},
		{[]string{"%Q~a"}, "Error in ACL SETUSER modifier '%Q~a': Syntax error"},
		{[]string{"~a b"}, "Error in ACL SETUSER modifier '~a b': Syntax error"},
		{[]string{"on", "skip-sanitize-payload", "reset"}, "user u off sanitize-payload resetchannels -@all"},
	} {
		us := testUsers()
		_, _, err := us.SetUser("u", tc.rules)
		if err != nil {
			assert.Equal(t, tc.want, err.Error(), "%q", tc.rules)
			assert.Nil(t, us.Get("u"), "a failed SETUSER creates nothing")
			continue
		}
		assert.Equal(t, []string{"user default on nopass ~* &* +@all", tc.want}, us.List(), "%q", tc.rules)
	}
}

func TestSetUserIsAtomic(t *testing.T) {
	us := testUsers()
	_, _, err := us.SetUser("u", []string{"on", ">pw", "~a"})
	require.NoError(t, err)
	_, _, err = us.SetUser("u", []string{"off", "resetpass", "+nosuch"})
	require.Error(t, err)
	u := us.Get("u")
	assert.True(t, u.Enabled())
	assert.True(t, u.CheckPassword("pw"))
}

func TestCheck(t *testing.T) {
	us := testUsers()
	_, _, err := us.SetUser("u", []string{"on", "nopass", "+get", "+set", "%R~r*", "%W~w*", "&news.*", "+publish", "+psubscribe", "+select|0", "(~s* +hget)"})
	require.NoError(t, err)
	u := us.Get("u")
	tb := us.Table()
	for _, tc := range []struct {
		args []string
		res  Result
		pos  int
	}{
		{[]string{"get", "r1"}, OK, 0},
		{[]string{"get", "w1"}, DeniedKey, 1},
		{[]string{"set", "w1"}, OK, 0},
		{[]string{"set", "r1"}, DeniedKey, 1},
		{[]string{"hget", "r1"}, DeniedKey, 1}, // the selector allows hget, not on r1
		{[]string{"hget", "s1"}, OK, 0},
		{[]string{"select", "0"}, OK, 0},
		{[]string{"select", "1"}, DeniedCmd, 0},
		{[]string{"auth", "x"}, OK, 0}, // no-auth commands are always allowed
		{[]string{"publish", "news.1"}, OK, 0},
		{[]string{"publish", "sports"}, DeniedChannel, 1},
		{[]string{"psubscribe", "news.*"}, OK, 0},
		{[]string{"psubscribe", "news.1"}, DeniedChannel, 1}, // patterns match literally
		{[]string{"client", "id"}, DeniedCmd, 0},
	} {
		c := tb.Lookup(tc.args[0])
		if len(tc.args) > 1 && c.Subs != nil {
			c = tb.Lookup(tc.args[0] + "|" + tc.args[1])
		}
		res, pos := u.Check(glob, c, bs(tc.args...), finder{})
		assert.Equal(t, tc.res, res, "%q", tc.args)
		assert.Equal(t, tc.pos, pos, "%q", tc.args)
	}
	assert.True(t, us.Default().Unrestricted())
	assert.False(t, u.Unrestricted())
}

func TestPasswordsAndDefault(t *testing.T) {
	us := testUsers()
	d := us.Default()
	assert.True(t, d.CheckPassword("anything"))
	us.SetDefaultPassword("s3cret")
	assert.False(t, d.CheckPassword("anything"))
	assert.True(t, d.CheckPassword("s3cret"))
	assert.Equal(t, "user default on #"+HashPassword("s3cret")+" ~* &* +@all", us.List()[0])
	us.SetDefaultPassword("")
	assert.True(t, d.NoPass())
	_, _, err := us.SetUser("default", []string{"off"})
	require.NoError(t, err)
	assert.False(t, d.CheckPassword("x"), "a disabled user never authenticates")
	gone, err := us.DelUser([]string{"nosuch", "default"})
	assert.EqualError(t, err, "The 'default' user cannot be removed")
	assert.Nil(t, gone)
}

func TestLoadFileAllOrNothing(t *testing.T) {
	us := testUsers()
	_, _, err := us.SetUser("old", []string{"on"})
	require.NoError(t, err)
	_, errs := us.LoadFile("users.acl", "user a on nopass ~* +get\nuser b on +nosuch\nbad line\nuser a off\n")
	assert.Equal(t, "users.acl:2: Error in applying operation '+nosuch': Unknown command or category name in ACL. "+
		"users.acl:3 should start with user keyword followed by the username. "+
		"WARNING: Duplicate user 'a' found on line 4. "+
		"WARNING: ACL errors detected, no change to the previously active ACL rules was performed", errs)
	assert.NotNil(t, us.Get("old"))
	def := us.Default()
	replaced, errs := us.LoadFile("users.acl", "\nuser a on nopass ~* +get\r\nuser default on >pw ~* &* +@all\n")
	require.Empty(t, errs)
	assert.Equal(t, []string{"a", "default"}, us.Names())
	assert.Len(t, replaced, 1)
	assert.Same(t, def, us.Default(), "the default user keeps its identity")
	assert.True(t, def.CheckPassword("pw"))
	assert.Equal(t, "user a on nopass ~* resetchannels -@all +get\nuser default on #"+HashPassword("pw")+" ~* &* +@all\n", us.SaveText())
}

func TestLogGroupsSimilarEntries(t *testing.T) {
	var l Log
	l.Add(LogEntry{Reason: "key", Context: CtxToplevel, Object: "k", Username: "u", TimeMs: 1000}, 2)
	l.Add(LogEntry{Reason: "key", Context: CtxToplevel, Object: "k", Username: "u", TimeMs: 2000}, 2)
	require.Len(t, l.Entries(10), 1)
	assert.Equal(t, int64(2), l.Entries(10)[0].Count)
	l.Add(LogEntry{Reason: "key", Context: CtxToplevel, Object: "k", Username: "u", TimeMs: 2000 + groupWindowMs + 1}, 2)
	l.Add(LogEntry{Reason: "command", Context: CtxMulti, Object: "get", Username: "u", TimeMs: 3000}, 2)
	entries := l.Entries(10)
	require.Len(t, entries, 2, "the log keeps at most max entries")
	assert.Equal(t, "get", entries[0].Object)
	l.Reset()
	assert.Empty(t, l.Entries(10))
}

// FuzzSetUser feeds arbitrary rules to ACL SETUSER: it must never panic,
// and a user it accepts must describe itself in rules that rebuild the
// same user.
func FuzzSetUser(f *testing.F) {
	for _, seed := range []string{
		"on >pw ~* &* +@all", "(~a* +get) (%R~b", "+select|0 -client|kill", "%RW~x &y resetchannels",
		"#" + strings.Repeat("a", 64), "reset nopass", "(\"~a b\" +get)", "%", "(", ")", "+", "-@", "~",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		us := testUsers()
		rules := strings.Split(line, " ")
		u, _, err := us.SetUser("u", rules)
		if err != nil {
			return
		}
		desc := us.Describe(u)
		again := testUsers()
		_, _, err = again.SetUser("u", strings.Split(desc, " "))
		if err != nil {
			// A pattern may hold quotes the description writes back as
			// they are, which then split differently: Redis does the same.
			return
		}
		assert.Equal(t, desc, again.Describe(again.Get("u")))
	})
}
