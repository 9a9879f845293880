package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// globCases are (pattern, string, match) triples. TestGlobAgainstKeys runs
// them through KEYS, so GOREDIS_DIFF checks them on a real Redis too.
var globCases = []struct {
	pat, str string
	match    bool
}{
	{"*", "anything", true},
	{"*", "", false}, // as stringmatchlen: the loop never runs; KEYS * special-cases it
	{"", "", true},
	{"", "a", false},
	{"a", "", false},
	{"hello", "hello", true},
	{"hello", "Hello", false},
	{"h?llo", "hello", true},
	{"h?llo", "hllo", false},
	{"h*llo", "hllo", true},
	{"h*llo", "heeeello", true},
	{"h*llo", "hellox", false},
	{"**a**", "xax", true},
	{"a*", "a", true},
	{"*a", "ba", true},
	{"*a", "ab", false},
	{"a**", "a", true},
	{"h[ae]llo", "hello", true},
	{"h[ae]llo", "hallo", true},
	{"h[ae]llo", "hillo", false},
	{"h[^e]llo", "hallo", true},
	{"h[^e]llo", "hello", false},
	{"h[a-b]llo", "hbllo", true},
	{"h[a-b]llo", "hcllo", false},
	{"h[b-a]llo", "hallo", true}, // reversed range
	{"h[A-Z]llo", "hello", false},
	{"[a-]", "-", false},
	{"[a-]", "a", true},
	{"[-a]", "-", true},
	{"[]]", "]", false},
	{"[]", "a", false},
	{"[abc", "a", true}, // unterminated class ends with the pattern
	{"[abc", "ab", false},
	{"[^abc", "x", true},
	{"[\\]]", "]", true},
	{"[\\-]", "-", true},
	{"[a\\-c]", "b", false},
	{"[a\\-c]", "-", true},
	{"\\*", "*", true},
	{"\\*", "a", false},
	{"\\?", "?", true},
	{"\\[a]", "[a]", true},
	{"\\\\", "\\", true},
	{"a\\", "a\\", true}, // trailing backslash is literal
	{"a\\", "a", false},
	{"*\\*", "abc*", true},
	{"[*]", "*", true},
	{"[?]", "a", false},
	{"?", "", false},
	{"??", "ab", true},
	{"*?", "", false},
	{"x*y*z", "xyz", true},
	{"x*y*z", "xaybzc", false},
	{"*.txt", "file.txt", true},
	{"user:*:name", "user:42:name", true},
	{"user:*:name", "user:42:age", false},
}

func TestGlobMatch(t *testing.T) {
	for _, c := range globCases {
		assert.Equalf(t, c.match, globMatch(c.pat, c.str, false), "%q ~ %q", c.pat, c.str)
	}
}

func TestGlobAgainstKeys(t *testing.T) {
	var steps []step
	for _, c := range globCases {
		if c.str == "" {
			continue // an empty key is fine in Redis but KEYS would list it for "*" only
		}
		want := "*0\r\n"
		if c.match {
			want = bulks(c.str)
		}
		steps = append(steps,
			step{args: []string{"SET", c.str, "1"}, want: ok},
			step{args: []string{"KEYS", c.pat}, want: want},
			step{args: []string{"DEL", c.str}, want: integer(1)})
	}
	runProto(t, 2, steps)
}

func TestGlobNocase(t *testing.T) {
	cases := []struct {
		pat, str string
		match    bool
	}{
		{"HELLO", "hello", true},
		{"h?LLo", "HeLlO", true},
		{"[A-C]x", "bX", true},
		{"[a-c]x", "BX", true},
		{"[^A-C]x", "bx", false},
		{"[AB]", "a", true},
		{"[\\A]", "a", false}, // an escaped class member compares exactly, as in Redis
		{"\\A", "a", true},
		{"*Max*", "maxmemory", true},
	}
	for _, c := range cases {
		assert.Equalf(t, c.match, globMatch(c.pat, c.str, true), "%q ~ %q", c.pat, c.str)
	}
	assert.False(t, globMatch("HELLO", "hello", false))
}

// A pattern of many stars that cannot match must fail fast, not in
// exponential time.
func TestGlobHostilePattern(t *testing.T) {
	pat := strings.Repeat("*a", 30) + "*b"
	str := strings.Repeat("a", 200)
	start := time.Now()
	assert.False(t, globMatch(pat, str, false))
	assert.Less(t, time.Since(start), time.Second)
	assert.True(t, globMatch(strings.Repeat("*a", 30)+"*", str, false))
	deep := strings.Repeat("*?", 2000)
	assert.False(t, globMatch(deep, strings.Repeat("x", 3000), false), "beyond the nesting limit")
}
