package redisconf

import (
	"fmt"
	"strings"

	"github.com/goredis-dev/goredis/netserver/resp"
)

// CommandLine is redis-server's command line once read: the file to load,
// whether standard input follows it, and the --name value options as the
// configuration text appended after both.
type CommandLine struct {
	File    string // "" for none
	Stdin   bool   // "-" given: read configuration from standard input
	Options string
}

// ParseCommandLine reads argv (without the program name) as redis-server
// 7.0's main does after -v, -h and --test-memory are handled: an optional
// first argument that does not start with '-' names the file; "-" as the
// first or last argument reads standard input; every "--name" starts an
// option line and the arguments after it are its values, quoted as
// sdscatrepr quotes them. "--save" with no value means save "" and
// "--port 6380" as one argument is a name with its value.
func ParseCommandLine(argv []string) CommandLine {
	var cl CommandLine
	j := 0
	if len(argv) > 0 && !strings.HasPrefix(argv[0], "-") {
		cl.File = argv[0]
		j = 1
	}
	var opts strings.Builder
	handledLast := true
	for ; j < len(argv); j++ {
		a := argv[j]
		switch {
		case a == "-" && (j == 0 || j == len(argv)-1):
			cl.Stdin = true
		case handledLast && strings.HasPrefix(a, "--"):
			if opts.Len() > 0 {
				opts.WriteByte('\n')
			}
			opts.WriteString(a[2:])
			opts.WriteByte(' ')
			words, _ := resp.SplitArgs(a)
			if len(words) != 1 {
				// "--port 6380" in one argument: name and value.
				handledLast = true
				continue
			}
			handledLast = false
			nextIsOption := j != len(argv)-1 && strings.HasPrefix(argv[j+1], "--")
			switch {
			case strings.EqualFold(a, "--save") && nextIsOption:
				opts.WriteString(`""`)
				handledLast = true
			case strings.EqualFold(a, "--save") && j == len(argv)-1:
				opts.WriteString(`""`)
			case strings.EqualFold(a, "--sentinel") && nextIsOption:
				handledLast = true
			}
		default:
			opts.WriteString(Repr(a))
			opts.WriteByte(' ')
			handledLast = true
		}
	}
	cl.Options = opts.String()
	return cl
}

// Repr quotes s as sdscatrepr does: in double quotes, with \\ \" \n \r \t
// \a \b and \xHH for other unprintable bytes.
func Repr(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		default:
			if c < 0x20 || c >= 0x7f {
				fmt.Fprintf(&b, `\x%02x`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
