package lessons

import (
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/netserver/resp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// terminal is one playground terminal: a session plus what the learner
// last typed and saw, tracked as the browser tracks them.
type terminal struct {
	s         *engine.Session
	typed     string
	reply     string
	multi     bool
	listening bool
	blocked   bool
}

func (t *terminal) collect() {
	out := t.s.TakeOutput(nil)
	for len(out) > 0 {
		p, n := Plain(out)
		if n == 0 {
			break
		}
		t.reply = p
		out = out[n:]
	}
}

// run types one command line the way the terminal sends it: inline words
// (redis-cli quoting) or, for raw-mode lines, the unescaped bytes.
func (t *terminal) run(tb testing.TB, c Command) {
	rd := resp.NewReader()
	if c.Raw() {
		// Enter in raw mode ends the line with CR LF unless it ends so.
		b := c.RawBytes()
		if !strings.HasSuffix(string(b), "\r\n") {
			b = append(b, '\r', '\n')
		}
		rd.Feed(b)
	} else {
		rd.Feed([]byte(c.Line + "\r\n"))
	}
	for {
		args, err := rd.Next()
		var pe *resp.ProtocolError
		if errors.As(err, &pe) {
			t.reply = "(error) ERR " + pe.Error()
			return
		}
		require.NoError(tb, err)
		if args == nil {
			return
		}
		name := strings.ToUpper(string(args[0]))
		t.typed = name
		switch name {
		case "MULTI":
			t.multi = true
		case "EXEC", "DISCARD":
			t.multi = false
		case "SUBSCRIBE", "PSUBSCRIBE":
			t.listening = true
		}
		st := t.s.Exec(args)
		t.blocked = st&engine.StatusBlocked != 0
		t.collect()
	}
}

type runner struct {
	eng     *engine.Engine
	clk     *clock
	term    [2]*terminal
	checker *engine.Session
}

func newRunner() *runner {
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	eng := engine.New(engine.Options{Now: clk.Now})
	r := &runner{eng: eng, clk: clk, checker: eng.NewSession(engine.ClientInfo{})}
	for i := range r.term {
		r.term[i] = &terminal{s: eng.NewSession(engine.ClientInfo{Addr: "127.0.0.1:5000" + string(rune('0'+i))})}
	}
	return r
}

// check evaluates one check as the browser does: commands run in the
// learner's session unless it is busy (in MULTI, subscribed or blocked).
func (r *runner) check(tb testing.TB, c Check) (string, bool) {
	t1 := r.term[0]
	r.term[1].collect()
	t1.collect()
	var got string
	switch c.Subject {
	case "reply":
		got = t1.reply
	case "typed":
		got = t1.typed
	default:
		s := t1.s
		if t1.multi || t1.listening || t1.blocked {
			s = r.checker
		}
		rd := resp.NewReader()
		rd.Feed([]byte(c.Subject + "\r\n"))
		args, err := rd.Next()
		require.NoError(tb, err)
		require.NotNil(tb, args)
		s.Exec(args)
		got, _ = Plain(s.TakeOutput(nil))
	}
	return got, c.Holds(got)
}

func TestEveryLessonParses(t *testing.T) {
	all, err := All()
	require.NoError(t, err)
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	md := 0
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".md") {
			md++
		}
	}
	assert.Equal(t, md, len(all), "index.txt must list every lesson file")
	ids := map[string]bool{}
	for _, l := range all {
		assert.False(t, ids[l.ID], "duplicate lesson id %s", l.ID)
		ids[l.ID] = true
		for _, st := range l.Steps {
			assert.NotEmpty(t, st.Commands, "%s/%s offers no command", l.ID, st.Title)
			assert.NotEmpty(t, st.Checks, "%s/%s checks nothing", l.ID, st.Title)
			assert.NotEmpty(t, st.Hint, "%s/%s has no hint", l.ID, st.Title)
		}
	}
}

// TestLessonChecks runs every lesson step by step on the engine: before a
// step's commands its checks must not all hold; after them they must.
func TestLessonChecks(t *testing.T) {
	all, err := All()
	require.NoError(t, err)
	for _, l := range all {
		t.Run(l.ID, func(t *testing.T) {
			r := newRunner()
			for _, cmd := range l.Seed {
				r.term[0].run(t, Command{Line: cmd})
			}
			for i, st := range l.Steps {
				allHold := true
				for _, c := range st.Checks {
					if _, ok := r.check(t, c); !ok {
						allHold = false
					}
				}
				assert.False(t, allHold, "step %d %q passes before the learner did anything", i+1, st.Title)
				for _, c := range st.Commands {
					if c.Wait > 0 {
						r.clk.Advance(time.Duration(c.Wait) * time.Second)
						continue
					}
					r.term[c.Terminal-1].run(t, c)
				}
				for _, c := range st.Checks {
					got, ok := r.check(t, c)
					assert.True(t, ok, "step %d %q: %s %s %q, got %q", i+1, st.Title, c.Subject, c.Op, c.Want, got)
				}
			}
		})
	}
}

func TestPlain(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{":3\r\n", "3"},
		{"$5\r\nhello\r\n", "hello"},
		{"$-1\r\n", "(nil)"},
		{"_\r\n", "(nil)"},
		{"-ERR x\r\n", "(error) ERR x"},
		{"*2\r\n$1\r\na\r\n:1\r\n", "a|1"},
		{"%1\r\n$1\r\nk\r\n$1\r\nv\r\n", "k|v"},
		{">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$2\r\nhi\r\n", "message|c|hi"},
		{"#t\r\n", "(true)"},
	} {
		got, n := Plain([]byte(tc.in))
		assert.Equal(t, tc.want, got, tc.in)
		assert.Equal(t, len(tc.in), n, tc.in)
	}
	_, n := Plain([]byte("$5\r\nhel"))
	assert.Zero(t, n)
}
