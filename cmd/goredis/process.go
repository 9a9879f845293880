package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// defaultPidFile is where a daemon without a pidfile directive writes its
// pid, as Redis's CONFIG_DEFAULT_PID_FILE.
const defaultPidFile = "/var/run/redis.pid"

// writePidFile writes the pid, best effort as Redis's createPidFile.
func writePidFile(path string) {
	_ = os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644)
}

// daemonChildEnv tells a re-executed daemon which descriptor to report
// readiness on.
const daemonChildEnv = "GOREDIS_DAEMON_READY_FD"

// daemonize runs the server in the background as redis-server's
// daemonize does, for a Go program: the binary is started again with the
// same arguments, detached in a new session with /dev/null as its output
// (and the standard input already read as its input), from the directory
// this process started in. This process exits 0 once the daemon says it
// listens, 1 if the daemon exits first.
func daemonize(argv []string, stdinText string, startDir string, stderr io.Writer) int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "Can't daemonize: %v\n", err)
		return 1
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		fmt.Fprintf(stderr, "Can't daemonize: %v\n", err)
		return 1
	}
	defer devnull.Close()
	readyR, readyW, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(stderr, "Can't daemonize: %v\n", err)
		return 1
	}
	cmd := exec.Command(exe, argv...)
	cmd.Dir = startDir
	cmd.Stdout, cmd.Stderr = devnull, devnull
	cmd.Stdin = devnull
	if stdinText != "" {
		cmd.Stdin = strings.NewReader(stdinText)
	}
	cmd.ExtraFiles = []*os.File{readyW} // descriptor 3 in the daemon
	cmd.Env = append(os.Environ(), daemonChildEnv+"=3")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "Can't daemonize: %v\n", err)
		return 1
	}
	_ = readyW.Close()
	buf := make([]byte, 1)
	n, _ := readyR.Read(buf)
	_ = readyR.Close()
	if n == 1 {
		_ = cmd.Process.Release() // the daemon lives on; init reaps it
		return 0
	}
	_ = cmd.Wait()
	fmt.Fprintln(stderr, "GoRedis: the daemon exited before accepting connections; see its log file")
	return 1
}

// daemonReady tells the waiting parent that the daemon listens.
func daemonReady() {
	fd, err := strconv.Atoi(os.Getenv(daemonChildEnv))
	if err != nil || fd < 3 {
		return
	}
	f := os.NewFile(uintptr(fd), "daemon-ready")
	_, _ = f.Write([]byte{1})
	_ = f.Close()
	_ = os.Unsetenv(daemonChildEnv)
}

// supervision is how the server tells a supervisor it is ready.
type supervision int

const (
	supervisedNone supervision = iota
	supervisedSystemd
	supervisedUpstart
)

// detectSupervision applies the supervised directive as redisIsSupervised
// does: auto picks upstart or systemd from the environment; systemd is
// confirmed by a first status message on NOTIFY_SOCKET.
func detectSupervision(mode string, log *serverLog) supervision {
	if mode == "auto" {
		switch {
		case os.Getenv("UPSTART_JOB") != "":
			log.log(levelVerbose, "Upstart supervision detected.")
			mode = "upstart"
		case os.Getenv("NOTIFY_SOCKET") != "":
			log.log(levelVerbose, "Systemd supervision detected.")
			mode = "systemd"
		}
	}
	switch mode {
	case "upstart":
		if os.Getenv("UPSTART_JOB") == "" {
			log.log(levelWarning, "upstart supervision requested, but UPSTART_JOB not found!")
			return supervisedNone
		}
		upstartReady(log)
		return supervisedUpstart
	case "systemd":
		if notifySystemd("STATUS=Redis is loading...\n", log) <= 0 {
			return supervisedNone
		}
		log.log(levelNotice, "Supervised by systemd. Please make sure you set appropriate values for TimeoutStartSec and TimeoutStopSec in your service unit.")
		return supervisedSystemd
	}
	return supervisedNone
}

// notifySystemd sends msg to $NOTIFY_SOCKET as sd_notify does: 1 when
// sent, 0 with no socket, -1 on failure (each logged as Redis logs them).
func notifySystemd(msg string, log *serverLog) int {
	path := os.Getenv("NOTIFY_SOCKET")
	if path == "" {
		log.log(levelWarning, "systemd supervision error: NOTIFY_SOCKET not found!")
		return 0
	}
	if path[0] == '@' {
		path = "\x00" + path[1:] // an abstract socket
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err == nil {
		_, err = conn.Write([]byte(msg))
		_ = conn.Close()
	}
	if err != nil {
		errno := -int(syscall.EINVAL)
		var en syscall.Errno
		if errors.As(err, &en) {
			errno = -int(en)
		}
		log.logf(levelWarning, "systemd supervision error: sd_notify: %d", errno)
		return -1
	}
	return 1
}

// upstartReady signals readiness to upstart ("expect stop"): the job
// waits for the process to stop itself, which Redis does at once.
func upstartReady(log *serverLog) {
	log.log(levelNotice, "supervised by upstart, will stop to signal readiness.")
	_ = syscall.Kill(os.Getpid(), syscall.SIGSTOP)
	_ = os.Unsetenv("UPSTART_JOB")
}

// isTerminal reports whether f is a terminal (a character device), for
// the logo Redis shows on one.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
