// Package redisconf reads and rewrites redis.conf files as redis-server
// 7.0 does: its command line (a config file, --name value options and "-"
// for standard input, joined into one text), its line tokenizer
// (sdssplitargs: quotes and escapes), include with globs, the FATAL CONFIG
// FILE ERROR report, and CONFIG REWRITE's in-place update of the file.
//
// It knows no directive's meaning: the caller applies each Directive in
// order and says which names exist.
package redisconf

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/goredis-dev/goredis/netserver/resp"
)

// Directive is one configuration line split into words.
type Directive struct {
	Name string   // the first word, lower-cased
	Args []string // the words after it
	// LineNo is the line's number in the text it came from (an included
	// file counts its own lines, as Redis counts them), Line the line as
	// written, trimmed.
	LineNo int
	Line   string
}

// FatalError is a configuration error, reported as redis-server reports
// it before exiting with status 1.
type FatalError struct {
	// LineNo and Line locate the error; LineNo 0 means it is about the
	// configuration as a whole (a log file that cannot be opened).
	LineNo int
	Line   string
	Msg    string
	// Version is the Redis version the banner names.
	Version string
}

func (e *FatalError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n*** FATAL CONFIG FILE ERROR (Redis %s) ***\n", e.Version)
	if e.LineNo > 0 {
		fmt.Fprintf(&b, "Reading the configuration file, at line %d\n", e.LineNo)
		fmt.Fprintf(&b, ">>> '%s'\n", e.Line)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// OpenError is a configuration file that cannot be read. Redis logs it
// ("Fatal error, can't open config file '/x': No such file or directory")
// and exits with status 1.
type OpenError struct {
	Path string
	Err  error
}

func (e *OpenError) Error() string {
	return fmt.Sprintf("Fatal error, can't open config file '%s': %s", e.Path, strerror(e.Err))
}

func (e *OpenError) Unwrap() error { return e.Err }

// Parse splits text into directives and hands each to apply in order,
// as loadServerConfigFromString does: lines are trimmed, blank lines and
// comments skipped, a line with unbalanced quotes is fatal. An error from
// apply that is not already a *FatalError or an *OpenError becomes a
// FatalError at that line, with the error's text as message.
func Parse(text, version string, apply func(Directive) error) error {
	for i, line := range strings.Split(text, "\n") {
		line = strings.Trim(line, " \t\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		// A C string ends at its first NUL: so does Redis's line.
		if n := strings.IndexByte(line, 0); n >= 0 {
			line = line[:n]
		}
		words, ok := resp.SplitArgs(line)
		if !ok {
			return &FatalError{LineNo: i + 1, Line: line, Msg: "Unbalanced quotes in configuration line", Version: version}
		}
		if len(words) == 0 {
			continue
		}
		d := Directive{Name: strings.ToLower(words[0]), Args: words[1:], LineNo: i + 1, Line: line}
		if err := apply(d); err != nil {
			switch err.(type) {
			case *FatalError, *OpenError:
				return err
			}
			return &FatalError{LineNo: i + 1, Line: line, Msg: err.Error(), Version: version}
		}
	}
	return nil
}

// ReadFile reads a configuration file as loadServerConfig does: a name
// with a glob character ('*', '?', '[') reads every match in order and
// nothing when none matches (an empty conf.d is fine); a plain name must
// open.
func ReadFile(name string) (string, error) {
	if !strings.ContainsAny(name, "*?[") {
		b, err := os.ReadFile(name)
		if err != nil {
			return "", &OpenError{name, err}
		}
		return string(b), nil
	}
	matches, err := filepath.Glob(name)
	if err != nil {
		return "", nil // a malformed pattern matches nothing, as glob(3) says
	}
	var b strings.Builder
	for _, m := range matches {
		data, err := os.ReadFile(m)
		if err != nil {
			return "", &OpenError{m, err}
		}
		b.Write(data)
	}
	return b.String(), nil
}

// strerror spells an error as C's strerror does.
func strerror(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		err = pe.Err
	}
	msg := err.Error()
	if msg == "" {
		return msg
	}
	return strings.ToUpper(msg[:1]) + msg[1:]
}
