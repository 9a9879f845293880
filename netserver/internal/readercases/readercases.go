// Package readercases holds request inputs with the commands and the
// protocol error Redis 7.0 gives for them. The resp package's tests check
// its Reader against them; netserver's differential test sends them to a
// real redis-server and to GoRedis.
package readercases

import "strings"

// cmds turns "arg|arg" lines into commands.
func cmds(lines ...string) [][]string {
	var out [][]string
	for _, l := range lines {
		out = append(out, strings.Split(l, "|"))
	}
	return out
}

// Case: In gives Want (commands as "arg|arg"), then ErrText
// ("" = none; else the reply Redis 7.0 sends before closing).
type Case struct {
	Name    string
	In      string
	Want    [][]string
	ErrText string
}

// Cases returns the request cases. The error texts were checked against
// redis-server 7.0.15 with raw bytes (see netserver's
// TestDiffProtocolErrors, which keeps checking them).
func Cases() []Case {
	return []Case{
		// (keys read here are never written by another case: TestDiffProtocolErrors
		// runs the cases concurrently on one server)
		{Name: "multibulk", In: "*2\r\n$3\r\nGET\r\n$5\r\nnokey\r\n", Want: cmds("GET|nokey")},
		{Name: "empty bulk", In: "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", Want: cmds("ECHO|")},
		{Name: "binary bulk", In: "*2\r\n$4\r\nECHO\r\n$4\r\n\r\n\x00\xff\r\n", Want: [][]string{{"ECHO", "\r\n\x00\xff"}}},
		{Name: "pipelined", In: "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\nPING\r\n", Want: cmds("PING", "ECHO|hi", "PING")},
		{Name: "*0 skipped", In: "*0\r\n*1\r\n$4\r\nPING\r\n", Want: cmds("PING")},
		{Name: "*-1 skipped", In: "*-1\r\nPING\r\n", Want: cmds("PING")},
		{Name: "*-2147483649 skipped", In: "*-2147483649\r\nPING\r\n", Want: cmds("PING")},
		{Name: "bytes after payload unchecked", In: "*1\r\n$4\r\nPINGxxPING\r\n", Want: cmds("PING", "PING")},
		{Name: "header CR then any byte", In: "*1\rX$4\r\nPING\r\n", Want: cmds("PING")},
		{Name: "incomplete multibulk", In: "*1\r\n$4\r\nPING", Want: nil},
		{Name: "incomplete header", In: "*1\r", Want: nil},
		{Name: "max bulk length waits", In: "*1\r\n$536870912\r\n", Want: nil},
		{Name: "INT_MAX count waits", In: "*2147483647\r\n", Want: nil},
		{Name: "1024*1024+1 count waits", In: "*1048577\r\n", Want: nil},
		{Name: "non-$ waits for its line", In: "*1\r\nfoo", Want: nil},

		{Name: "inline", In: "SET a b\r\n", Want: cmds("SET|a|b")},
		{Name: "inline LF only", In: "PING\nPING\r\nPING", Want: cmds("PING", "PING")},
		{Name: "inline blanks", In: "  SET\t a   b  \r\n", Want: cmds("SET|a|b")},
		{Name: "empty lines skipped", In: "\r\n\n  \r\nPING\r\n", Want: cmds("PING")},
		{Name: "inline CR splits", In: "PING\r\rPING\r\n", Want: cmds("PING|PING")},
		{Name: "inline $ is a word", In: "$x\r\n", Want: cmds("$x")},
		{Name: "double quotes", In: `SET "a b" "c\"d"` + "\r\n", Want: cmds("SET|a b|c\"d")},
		{Name: "escapes", In: `ECHO "\n\r\t\b\a\\\q\x41\x4g"` + "\r\n", Want: [][]string{{"ECHO", "\n\r\t\b\a\\qAx4g"}}},
		{Name: "single quotes", In: `ECHO 'a\'b' 'c\nd'` + "\r\n", Want: [][]string{{"ECHO", "a'b", `c\nd`}}},
		{Name: "empty quoted", In: `ECHO "" ''` + "\r\n", Want: [][]string{{"ECHO", "", ""}}},
		{Name: "quote inside word", In: `ECHO a"b c"` + "\r\n", Want: cmds("ECHO|ab c")},
		{Name: "vtab inside word", In: "ECHO a\vb\r\n", Want: [][]string{{"ECHO", "a\vb"}}},
		{Name: "vtab after quote separates", In: "ECHO \"a\"\vx\r\n", Want: cmds("ECHO|a|x")},
		{Name: "NUL hides the newline", In: "ECHO a\x00b\r\nPING\r\n", Want: nil},

		{Name: "invalid multibulk length", In: "*abc\r\n", ErrText: "invalid multibulk length"},
		{Name: "empty multibulk length", In: "*\r\n", ErrText: "invalid multibulk length"},
		{Name: "plus sign", In: "*+1\r\n", ErrText: "invalid multibulk length"},
		{Name: "leading zero", In: "*01\r\n$4\r\nPING\r\n", ErrText: "invalid multibulk length"},
		{Name: "minus zero", In: "*-0\r\nPING\r\n", ErrText: "invalid multibulk length"},
		{Name: "LF-only header", In: "*1\n$4\r\nPING\r\n", ErrText: "invalid multibulk length"},
		{Name: "count over INT_MAX", In: "*2147483648\r\n", ErrText: "invalid multibulk length"},
		{Name: "count overflow", In: "*99999999999999999999\r\n", ErrText: "invalid multibulk length"},
		{Name: "negative overflow", In: "*-99999999999999999999\r\nPING\r\n", ErrText: "invalid multibulk length"},
		{Name: "expected $", In: "*1\r\nfoo\r\n", ErrText: "expected '$', got 'f'"},
		{Name: "empty bulk header line", In: "*1\r0\r0", ErrText: "expected '$', got ' '"},
		{Name: "non-ASCII instead of $", In: "*1\r\n\xff\r\n", ErrText: "expected '$', got '\xff'"},
		{Name: "bulk length not a number", In: "*1\r\n$x\r\n", ErrText: "invalid bulk length"},
		{Name: "bulk leading zero", In: "*1\r\n$04\r\nPING\r\n", ErrText: "invalid bulk length"},
		{Name: "negative bulk", In: "*1\r\n$-1\r\n", ErrText: "invalid bulk length"},
		{Name: "bulk over proto-max-bulk-len", In: "*1\r\n$536870913\r\n", ErrText: "invalid bulk length"},
		{Name: "unbalanced double quote", In: "PING \"a\r\n", ErrText: "unbalanced quotes in request"},
		{Name: "unbalanced single quote", In: "PING 'a\r\n", ErrText: "unbalanced quotes in request"},
		{Name: "quote then char", In: "ECHO 'a'b\r\n", ErrText: "unbalanced quotes in request"},
		{Name: "escaped closing quote", In: `ECHO "a\"` + "\r\n", ErrText: "unbalanced quotes in request"},
		{Name: "error after commands", In: "PING\r\n*abc\r\n", Want: cmds("PING"), ErrText: "invalid multibulk length"},
		{Name: "too big inline", In: "PING " + strings.Repeat("a", 70000), ErrText: "too big inline request"},
		{Name: "too big inline hidden by NUL", In: "PING\x00" + strings.Repeat("a", 70000) + "\r\n", ErrText: "too big inline request"},
		{Name: "too big mbulk count", In: "*" + strings.Repeat("1", 70000), ErrText: "too big mbulk count string"},
		{Name: "too big bulk count", In: "*1\r\n$" + strings.Repeat("1", 70000), ErrText: "too big bulk count string"},
	}
}
