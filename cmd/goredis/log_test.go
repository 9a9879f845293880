package main

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSyslog: with syslog-enabled, every line at or above loglevel goes
// to the system logger's socket as glibc's syslog(3) sends it for Redis:
// "<facility|level>Mmm dd hh:mm:ss ident[pid]: message", one datagram a
// line, with Redis's level map (debug 7, verbose 6, notice 5, warning 4).
func TestSyslog(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "log")
	ln, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	require.NoError(t, err)
	defer ln.Close()

	l := newServerLog(io.Discard)
	l.syslogPath = sock
	require.NoError(t, l.configure("verbose", "", true, "goredis-test", "local3"))
	l.role.Store('M')
	l.log(levelDebug, "below loglevel: not sent")
	l.log(levelVerbose, "a verbose line")
	l.log(levelNotice, "Ready to accept connections")
	l.log(levelWarning, "a warning")

	stamp := `[A-Z][a-z]{2} [ 123]\d \d\d:\d\d:\d\d`
	pid := strconv.Itoa(os.Getpid())
	for _, want := range []struct{ pri, msg string }{
		{"158", "a verbose line"}, // local3 (19<<3) | LOG_INFO
		{"157", "Ready to accept connections"},
		{"156", "a warning"},
	} {
		buf := make([]byte, 2048)
		require.NoError(t, ln.SetReadDeadline(time.Now().Add(5*time.Second)))
		n, err := ln.Read(buf)
		require.NoError(t, err)
		assert.Regexp(t, regexp.MustCompile(`^<`+want.pri+`>`+stamp+` goredis-test\[`+pid+`\]: `+regexp.QuoteMeta(want.msg)+`$`), string(buf[:n]))
	}
}

// TestSyslogLoggerLater: a logger that starts after the server gets the
// lines from then on (openlog's connection is retried per line); none is
// lost on the way to stdout meanwhile.
func TestSyslogLoggerLater(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "log")
	l := newServerLog(io.Discard)
	l.syslogPath = sock
	require.NoError(t, l.configure("notice", "", true, "redis", "user"))
	l.log(levelNotice, "nobody listens")
	ln, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	require.NoError(t, err)
	defer ln.Close()
	l.log(levelWarning, "now heard")
	buf := make([]byte, 2048)
	require.NoError(t, ln.SetReadDeadline(time.Now().Add(5*time.Second)))
	n, err := ln.Read(buf)
	require.NoError(t, err)
	assert.Regexp(t, `^<12>.* redis\[\d+\]: now heard$`, string(buf[:n])) // user (1<<3) | LOG_WARNING
}

func TestSyslogFacilities(t *testing.T) {
	assert.Equal(t, 8, syslogFacility("user"))
	for i := range 8 {
		assert.Equal(t, (16+i)<<3, syslogFacility("local"+strconv.Itoa(i)))
	}
}
