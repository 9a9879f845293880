package engine

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// aclBenchUsers are the users whose permission check GET and SET pay:
// the default user (the check is one flag test), a user with every
// command and key but no channels (acl-pubsub-default's resetchannels),
// and a restricted user whose keys match one of several patterns, with a
// selector the check reaches only when the root rules refuse.
var aclBenchUsers = []struct {
	name  string
	rules []string
}{
	{"default", nil},
	{"allkeys", []string{"on", "nopass", "~*", "+@all"}},
	{"restricted", []string{"on", "nopass", "~cache:*", "%R~conf:*", "~key:*", "-@all", "+get", "+set", "(~other:* +@read)"}},
}

func BenchmarkACLGetSet(b *testing.B) {
	for _, u := range aclBenchUsers {
		for _, cmd := range []string{"GET", "SET"} {
			b.Run(u.name+"/"+cmd, func(b *testing.B) {
				s, run := benchSession(b)
				if u.rules != nil {
					run(argv(append([]string{"ACL", "SETUSER", u.name}, u.rules...)...))
					run(argv("AUTH", u.name, "x"))
					require.Equal(b, u.name, s.user.Name())
				}
				run(argv("SET", "key:1", "some value of moderate length"))
				args := argv("GET", "key:1")
				if cmd == "SET" {
					args = argv("SET", "key:1", "some value of moderate length")
				}
				b.ReportAllocs()
				for b.Loop() {
					run(args)
				}
			})
		}
	}
}

// BenchmarkACLCheck is the check alone, without the command.
func BenchmarkACLCheck(b *testing.B) {
	for _, u := range aclBenchUsers {
		b.Run(u.name, func(b *testing.B) {
			e, _ := testEngine(b)
			s := e.NewSession(ClientInfo{Kind: "bench"})
			if u.rules != nil {
				_, _, err := e.users.SetUser(u.name, u.rules)
				require.NoError(b, err)
				s.user = e.users.Get(u.name)
			}
			cmd := e.lookupCommand([]byte("set"))
			args := argv("SET", "key:1", "v")
			b.ReportAllocs()
			for b.Loop() {
				if res, _ := s.aclCheck(cmd, args); res != 0 {
					b.Fatal("refused")
				}
			}
		})
	}
}

func TestACLCheckAllocs(t *testing.T) {
	for _, u := range aclBenchUsers {
		e, _ := testEngine(t)
		s := e.NewSession(ClientInfo{Kind: "bench"})
		if u.rules != nil {
			_, _, err := e.users.SetUser(u.name, u.rules)
			require.NoError(t, err)
			s.user = e.users.Get(u.name)
		}
		cmd := e.lookupCommand([]byte("get"))
		args := argv("GET", "key:1")
		allocs := testing.AllocsPerRun(100, func() { s.aclCheck(cmd, args) })
		require.Zero(t, allocs, u.name)
	}
}
