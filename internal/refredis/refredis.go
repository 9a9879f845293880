// Package refredis starts a reference redis-server for differential tests,
// so that `go test ./...` (and make test) runs them wherever redis-server
// is installed, each test binary with its own server on a free port.
package refredis

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// ErrNotInstalled means redis-server is not on PATH.
var ErrNotInstalled = errors.New("refredis: redis-server not installed")

// Server is a running reference redis-server.
type Server struct {
	Addr string
	cmd  *exec.Cmd
	dir  string
	done chan struct{}
}

const (
	startAttempts = 5
	startTimeout  = 10 * time.Second
)

// Start runs redis-server on a free loopback port with extra "--name value"
// arguments. Another process may take the port between the probe and the
// server's bind: the server then exits and Start tries another port.
func Start(extra ...string) (*Server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, ErrNotInstalled
	}
	var last error
	for range startAttempts {
		s, err := start(bin, extra)
		if err == nil {
			return s, nil
		}
		last = err
	}
	return nil, last
}

func start(bin string, extra []string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "refredis")
	if err != nil {
		return nil, err
	}
	args := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--daemonize", "no", "--logfile", "", "--loglevel", "warning", "--dir", dir,
		"--enable-debug-command", "yes"}
	cmd := exec.Command(bin, append(args, extra...)...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("refredis: %w", err)
	}
	s := &Server{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), cmd: cmd, dir: dir, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(s.done)
	}()
	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-s.done:
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("refredis: redis-server exited at start (port %d taken?)", port)
		default:
		}
		if c, err := net.DialTimeout("tcp", s.Addr, time.Second); err == nil {
			_ = c.Close()
			return s, nil
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("refredis: redis-server not listening on %s after %v", s.Addr, startTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop kills the server and removes its directory.
func (s *Server) Stop() {
	_ = s.cmd.Process.Kill()
	<-s.done
	_ = os.RemoveAll(s.dir)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("refredis: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// SetupEnv is for a package's TestMain: unless the environment already names
// a reference server, it starts one and sets the variables the
// differential tests read (each in vars) to its address. The returned stop
// (never nil) ends it. Without redis-server installed it does nothing and
// the differential tests skip themselves.
func SetupEnv(vars ...string) (stop func(), err error) {
	for _, v := range vars {
		if addr := os.Getenv(v); addr != "" {
			for _, o := range vars {
				if os.Getenv(o) == "" {
					_ = os.Setenv(o, addr)
				}
			}
			return func() {}, nil
		}
	}
	s, err := Start()
	if errors.Is(err, ErrNotInstalled) {
		return func() {}, nil
	}
	if err != nil {
		return func() {}, err
	}
	for _, v := range vars {
		_ = os.Setenv(v, s.Addr)
	}
	return s.Stop, nil
}
