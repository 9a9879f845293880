package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Log levels as Redis numbers them (LL_DEBUG .. LL_WARNING), and the mark
// each puts in a log line.
const (
	levelDebug = iota
	levelVerbose
	levelNotice
	levelWarning
)

const levelMarks = ".-*#"

// levelOf maps a loglevel name to its level (notice for anything else).
func levelOf(name string) int {
	switch name {
	case "debug":
		return levelDebug
	case "verbose":
		return levelVerbose
	case "warning":
		return levelWarning
	}
	return levelNotice
}

// serverLog writes Redis's log lines: "pid:role dd Mon yyyy hh:mm:ss.mmm
// mark message", to the log file (opened for each line, as Redis does, so
// a rotated file is followed) or standard output, and to syslog when
// syslog-enabled. Lines below loglevel are dropped.
type serverLog struct {
	verbosity atomic.Int32
	// role is 'C' until the server is set up, then 'M' (Redis shows the
	// role of the process: 'C' before initServer records its pid).
	role atomic.Int32
	// replica, once set, tells whether the server follows a master: its
	// lines then carry 'S' instead of 'M', as Redis's do.
	replica atomic.Pointer[func() bool]

	mu     sync.Mutex
	file   string    // "" for stdout
	stdout io.Writer // where "" logs
	sys    *syslogSink
	// syslogPath is the system logger's socket (tests give their own).
	syslogPath string
}

func newServerLog(stdout io.Writer) *serverLog {
	l := &serverLog{stdout: stdout, syslogPath: "/dev/log"}
	l.verbosity.Store(levelNotice)
	l.role.Store('C')
	return l
}

// configure applies loglevel, logfile and the syslog directives.
func (l *serverLog) configure(level, file string, syslogOn bool, ident, facility string) error {
	l.verbosity.Store(int32(levelOf(level)))
	l.mu.Lock()
	defer l.mu.Unlock()
	l.file = file
	if syslogOn && l.sys == nil {
		l.sys = &syslogSink{path: l.syslogPath, ident: ident, facility: syslogFacility(facility)}
		// openlog's LOG_NDELAY: connect now; a logger that is not there
		// yet is tried again at each line.
		l.sys.connect()
	}
	return nil
}

// Syslog facilities and levels as <syslog.h> numbers them.
const (
	logUser   = 1 << 3
	logLocal0 = 16 << 3
)

// syslogLevels maps Redis's levels to syslog's, as Redis's
// syslogLevelMap: LOG_DEBUG, LOG_INFO, LOG_NOTICE, LOG_WARNING.
var syslogLevels = [...]int{7, 6, 5, 4}

// syslogFacility is syslog-facility's value (user, local0..local7, as
// Redis accepts).
func syslogFacility(name string) int {
	if name == "user" {
		return logUser
	}
	if len(name) == 6 && name[:5] == "local" && name[5] >= '0' && name[5] <= '7' {
		return logLocal0 + int(name[5]-'0')<<3
	}
	return logLocal0
}

// syslogSink sends lines to the system logger as glibc's syslog(3) does
// after Redis's openlog(ident, LOG_PID|LOG_NDELAY|LOG_NOWAIT, facility):
// one datagram per line, "<priority>Mmm dd hh:mm:ss ident[pid]: message",
// to the logger's unix socket. Lines are lost while no logger listens,
// as with Redis.
type syslogSink struct {
	path     string
	ident    string
	facility int
	conn     net.Conn // nil while not connected
}

func (s *syslogSink) connect() {
	c, err := net.Dial("unixgram", s.path)
	if err == nil {
		s.conn = c
	}
}

// send writes one line at Redis level level; as glibc, a failed write
// reconnects and tries once more.
func (s *syslogSink) send(level int, msg string) {
	line := fmt.Sprintf("<%d>%s %s[%d]: %s", s.facility|syslogLevels[level],
		time.Now().Format(time.Stamp), s.ident, os.Getpid(), msg)
	for range 2 {
		if s.conn == nil {
			s.connect()
			if s.conn == nil {
				return
			}
		}
		if _, err := io.WriteString(s.conn, line); err == nil {
			return
		}
		_ = s.conn.Close()
		s.conn = nil
	}
}

// logf writes one line at level.
func (l *serverLog) logf(level int, format string, args ...any) {
	l.log(level, fmt.Sprintf(format, args...))
}

func (l *serverLog) log(level int, msg string) {
	if level < int(l.verbosity.Load()) {
		return
	}
	now := time.Now()
	role := rune(l.role.Load())
	if f := l.replica.Load(); f != nil && role == 'M' && (*f)() {
		role = 'S'
	}
	line := fmt.Sprintf("%d:%c %s %c %s\n", os.Getpid(), role,
		now.Format("02 Jan 2006 15:04:05.000"), levelMarks[level], msg)
	l.write(level, line, msg)
}

// raw writes text as it is (the logo), at level.
func (l *serverLog) raw(level int, text string) {
	if level < int(l.verbosity.Load()) {
		return
	}
	l.write(level, text, text)
}

// mark logs a line for a level mark ('.', '-', '*', '#') as the server
// and engine give it.
func (l *serverLog) mark(m byte, msg string) {
	level := levelNotice
	for i := range len(levelMarks) {
		if levelMarks[i] == m {
			level = i
		}
	}
	l.log(level, msg)
}

func (l *serverLog) write(level int, line, msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.file == "" {
		_, _ = io.WriteString(l.stdout, line)
	} else if f, err := os.OpenFile(l.file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666); err == nil {
		_, _ = f.WriteString(line)
		_ = f.Close()
	}
	if l.sys != nil {
		l.sys.send(level, msg)
	}
}
