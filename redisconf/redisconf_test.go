package redisconf

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCommandLine(t *testing.T) {
	for _, tc := range []struct {
		argv []string
		want CommandLine
	}{
		{nil, CommandLine{}},
		{[]string{"/etc/redis.conf"}, CommandLine{File: "/etc/redis.conf"}},
		{[]string{"--port", "6380"}, CommandLine{Options: `port "6380" `}},
		{[]string{"a.conf", "--port", "6380", "--bind", "127.0.0.1", "::1"},
			CommandLine{File: "a.conf", Options: "port \"6380\" \nbind \"127.0.0.1\" \"::1\" "}},
		// "-" first or last reads standard input.
		{[]string{"-"}, CommandLine{Stdin: true}},
		{[]string{"a.conf", "--loglevel", "verbose", "-"}, CommandLine{File: "a.conf", Stdin: true, Options: `loglevel "verbose" `}},
		// Name and value in one argument.
		{[]string{"--port 6380"}, CommandLine{Options: "port 6380 "}},
		// --save with no value means save "".
		{[]string{"--save", "--port", "1"}, CommandLine{Options: "save \"\"\nport \"1\" "}},
		{[]string{"--port", "1", "--save"}, CommandLine{Options: "port \"1\" \nsave \"\""}},
		// A value that starts with "--" after a name is its value.
		{[]string{"--requirepass", "--x"}, CommandLine{Options: `requirepass "--x" `}},
		// Values are quoted as sdscatrepr quotes them.
		{[]string{"--requirepass", "a b\"\n\x01"}, CommandLine{Options: `requirepass "a b\"\n\x01" `}},
	} {
		assert.Equal(t, tc.want, ParseCommandLine(tc.argv), "%q", tc.argv)
	}
}

func parseAll(t *testing.T, text string) ([]Directive, error) {
	t.Helper()
	var got []Directive
	err := Parse(text, "7.0.15", func(d Directive) error {
		got = append(got, d)
		return nil
	})
	return got, err
}

func TestParseTokenizer(t *testing.T) {
	got, err := parseAll(t, "# comment\n\n  Port 6380\r\nrequirepass \"a b\\x41\\n\"\nbind '127.0.0.1' \"::1\"\nsave \"\"\n")
	require.NoError(t, err)
	require.Len(t, got, 4)
	assert.Equal(t, Directive{Name: "port", Args: []string{"6380"}, LineNo: 3, Line: "Port 6380"}, got[0])
	assert.Equal(t, []string{"a bA\n"}, got[1].Args)
	assert.Equal(t, []string{"127.0.0.1", "::1"}, got[2].Args)
	assert.Equal(t, []string{""}, got[3].Args)
}

func TestParseErrors(t *testing.T) {
	_, err := parseAll(t, "port 1\nrequirepass \"open\n")
	var fe *FatalError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'requirepass \"open'\nUnbalanced quotes in configuration line", err.Error())

	err = Parse("a 1\nb 2\n", "7.0.15", func(d Directive) error {
		if d.Name == "b" {
			return errors.New("Bad directive or wrong number of arguments")
		}
		return nil
	})
	assert.Equal(t, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'b 2'\nBad directive or wrong number of arguments", err.Error())

	// An error about the whole configuration has no line.
	assert.Equal(t, "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nCan't open the log file: Permission denied",
		(&FatalError{Msg: "Can't open the log file: Permission denied", Version: "7.0.15"}).Error())
}

func TestReadFileGlob(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.conf"), []byte("port 2\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.conf"), []byte("port 1\n"), 0o644))
	text, err := ReadFile(filepath.Join(dir, "*.conf"))
	require.NoError(t, err)
	assert.Equal(t, "port 1\nport 2\n", text, "matches are read in order")

	text, err = ReadFile(filepath.Join(dir, "none", "*.conf"))
	require.NoError(t, err)
	assert.Empty(t, text, "a pattern matching nothing reads nothing")

	_, err = ReadFile(filepath.Join(dir, "missing.conf"))
	assert.EqualError(t, err, "Fatal error, can't open config file '"+filepath.Join(dir, "missing.conf")+"': No such file or directory")
}

func known(name string) (string, bool) {
	switch name {
	case "port", "save", "maxmemory", "pidfile":
		return name, true
	case "slaveof", "replicaof":
		return "replicaof", true
	}
	return "", false
}

func TestRewriteKeepsComments(t *testing.T) {
	path := filepath.Join(t.TempDir(), "redis.conf")
	old := "# My server\n\nport 6379   \n# points\nsave 60 1\nsave 300 10\n\n\n\nrename-command FLUSHALL \"\"\nobsolete-directive 1\nslaveof 10.0.0.1 6379\npidfile /run/x.pid\n"
	require.NoError(t, os.WriteFile(path, []byte(old), 0o600))
	err := Rewriter{Canonical: known}.Rewrite(path, []Line{
		{Option: "port", Line: "port 6380", Force: true},
		{Option: "save", Line: "save 900 1", Force: true},
		{Option: "maxmemory", Line: "maxmemory 100mb", Force: true},
		{Option: "replicaof"},         // a master: its lines go
		{Option: "pidfile"},           // back to none: its line goes
		{Option: "hz", Line: "hz 10"}, // default and not in the file
		{Option: "user", Line: "user default on nopass ~* &* +@all", Force: true},
	})
	require.NoError(t, err)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "# My server\n\nport 6380\n# points\nsave 900 1\n\nrename-command FLUSHALL \"\"\n# ??? obsolete-directive 1\n\n"+
		Signature+"\nmaxmemory 100mb\nuser default on nopass ~* &* +@all\n", string(b))
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644)&^currentUmask(), st.Mode().Perm(), "written with 0644 less the umask, as Redis")

	// A second rewrite reuses the appended lines: no second signature.
	require.NoError(t, Rewriter{Canonical: known}.Rewrite(path, []Line{{Option: "maxmemory", Line: "maxmemory 1gb", Force: true}}))
	b, _ = os.ReadFile(path)
	assert.Equal(t, 1, strings.Count(string(b), Signature))
	assert.Contains(t, string(b), "\nmaxmemory 1gb\n")
	entries, _ := os.ReadDir(filepath.Dir(path))
	assert.Len(t, entries, 1, "no temporary file left behind")
}

func TestRewriteMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.conf")
	require.NoError(t, Rewriter{Canonical: known}.Rewrite(path, []Line{{Option: "port", Line: "port 1", Force: true}}))
	b, _ := os.ReadFile(path)
	assert.Equal(t, Signature+"\nport 1\n", string(b))
}

// FuzzParse feeds arbitrary configuration text: Parse never panics, and
// every directive it reports has a lower-case name from its own line.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"port 6379\n", "bind \"a b\" 'c'\n", "x \"\\x4", "include /x\n#c\n", "a\"b c\"\n", "'\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		_ = Parse(text, "7.0.15", func(d Directive) error {
			if d.Name != strings.ToLower(d.Name) || d.LineNo < 1 || d.Line == "" {
				t.Fatalf("bad directive %+v", d)
			}
			return nil
		})
	})
}

// FuzzParseCommandLine: whatever the arguments, the options text parses
// back into as many directives as there were "--" names.
func FuzzParseCommandLine(f *testing.F) {
	f.Add("--port\x006380\x00--bind\x00a b")
	f.Add("x.conf\x00--save\x00--port\x001")
	f.Fuzz(func(t *testing.T, joined string) {
		argv := strings.Split(joined, "\x00")
		cl := ParseCommandLine(argv)
		_ = Parse(cl.Options, "7.0.15", func(Directive) error { return nil })
	})
}
