package main

import (
	"fmt"
	"io"
	"log/syslog"
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
	sys    *syslog.Writer
}

func newServerLog(stdout io.Writer) *serverLog {
	l := &serverLog{stdout: stdout}
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
		w, err := syslog.New(syslogFacility(facility)|syslog.LOG_NOTICE, ident)
		if err != nil {
			// Redis's openlog never fails; a host without a syslog
			// daemon loses those lines, as with Redis.
			return nil
		}
		l.sys = w
	}
	return nil
}

func syslogFacility(name string) syslog.Priority {
	switch name {
	case "user":
		return syslog.LOG_USER
	case "local1":
		return syslog.LOG_LOCAL1
	case "local2":
		return syslog.LOG_LOCAL2
	case "local3":
		return syslog.LOG_LOCAL3
	case "local4":
		return syslog.LOG_LOCAL4
	case "local5":
		return syslog.LOG_LOCAL5
	case "local6":
		return syslog.LOG_LOCAL6
	case "local7":
		return syslog.LOG_LOCAL7
	}
	return syslog.LOG_LOCAL0
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
		switch level {
		case levelDebug:
			_ = l.sys.Debug(msg)
		case levelVerbose:
			_ = l.sys.Info(msg)
		case levelNotice:
			_ = l.sys.Notice(msg)
		default:
			_ = l.sys.Warning(msg)
		}
	}
}
