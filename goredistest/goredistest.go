// Package goredistest runs a GoRedis server inside a Go test: the real
// engine behind the real network code of the goredis binary, on
// 127.0.0.1 and a port of its own, for code that talks to Redis through
// any client (go-redis, redigo, rueidis, ...).
//
// It is for the same job as github.com/alicebob/miniredis, with a small API
// a miniredis user recognises (Run, RunT, Addr, FastForward, CheckGet, ...);
// behind it is Redis 7.0's behaviour rather than an imitation: the same
// replies and error words, TTLs that expire in real time, keyspace
// notifications, blocking commands with their timeouts, MULTI/WATCH,
// RESP3, pub/sub, and whatever else the engine implements.
//
//	func TestCache(t *testing.T) {
//		s := goredistest.RunT(t)
//		rdb := redis.NewClient(&redis.Options{Addr: s.Addr()})
//		// ... code under test uses rdb ...
//		s.CheckGet(t, "greeting", "hello")
//		s.FastForward(time.Hour) // TTLs, OBJECT IDLETIME and BLPOP timeouts follow
//	}
//
// The server's clock is real time plus an offset that FastForward and
// SetTime move; each server has its own, so tests may run in parallel.
package goredistest

import (
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/netserver"
)

// ErrKeyNotFound is returned by Get for a key that does not exist.
var ErrKeyNotFound = errors.New("ERR no such key")

// ErrWrongType is returned by Get for a key that holds no string, with
// Redis's words.
var ErrWrongType = errors.New("WRONGTYPE Operation against a key holding the wrong kind of value")

// Server is a GoRedis server running in the test's process.
type Server struct {
	clock *clock
	eng   *engine.Engine

	mu     sync.Mutex
	srv    *netserver.Server // nil while closed
	served chan struct{}     // closed when srv's Serve has returned
	addr   string            // 127.0.0.1:port, kept across Restart
	db     int               // the helpers' database (Select)
}

// clock is real time plus an offset, in nanoseconds.
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time {
	return time.Now().Add(time.Duration(c.offset.Load()))
}

// Run starts a server on 127.0.0.1 and a free port. Close stops it.
func Run() (*Server, error) {
	s := &Server{clock: &clock{}}
	s.eng = engine.New(engine.Options{
		Now: s.clock.now,
		// Nothing is written to the test's directory.
		Config: map[string]string{"save": "", "appendonly": "no"},
	})
	if err := s.start("127.0.0.1:0"); err != nil {
		return nil, err
	}
	return s, nil
}

// RunT is Run for a test: it fails tb if the server cannot start, and
// closes the server when the test ends (tb.Cleanup).
func RunT(tb testing.TB) *Server {
	tb.Helper()
	s, err := Run()
	if err != nil {
		tb.Fatalf("goredistest: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// start serves the engine on addr with the goredis binary's network code.
func (s *Server) start(addr string) error {
	srv := netserver.New(s.eng, netserver.Options{
		Addr: addr,
		Log:  func(byte, string) {}, // a test's output is its own
	})
	if err := srv.Listen(); err != nil {
		return err
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve()
	}()
	s.mu.Lock()
	s.srv, s.served = srv, served
	s.addr = srv.Addr().String()
	s.mu.Unlock()
	return nil
}

// Addr is the server's address, "127.0.0.1:port".
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Host is the address's host, "127.0.0.1".
func (s *Server) Host() string {
	host, _, _ := net.SplitHostPort(s.Addr())
	return host
}

// Port is the address's port, as a string (as miniredis's Port).
func (s *Server) Port() string {
	_, port, _ := net.SplitHostPort(s.Addr())
	return port
}

// Close stops the server and disconnects its clients; when it returns,
// none of the server's goroutines runs (tests that check for leaked
// goroutines pass). The data stays for Restart.
func (s *Server) Close() {
	s.mu.Lock()
	srv, served := s.srv, s.served
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
		<-served
	}
}

// Restart stops the server and starts it again on the same address with
// the same data, as a Redis server restarted with its data: clients are
// disconnected and must connect again (go-redis does so by itself).
func (s *Server) Restart() error {
	s.Close()
	return s.start(s.Addr())
}

// FastForward moves the server's clock forward by d: keys whose TTL ends
// within d expire (with their "expired" keyspace events), OBJECT IDLETIME
// grows, and blocking commands whose timeout passes return.
func (s *Server) FastForward(d time.Duration) {
	s.clock.offset.Add(int64(d))
	s.clockMoved()
}

// SetTime sets the server's clock to t; it runs on from there. TIME, TTLs
// given as absolute times (EXPIREAT) and blocking timeouts follow it.
func (s *Server) SetTime(t time.Time) {
	s.clock.offset.Store(int64(time.Until(t)))
	s.clockMoved()
}

// clockMoved applies a jump of the clock at once rather than at the next
// timer: blocked commands that timed out return, and expired keys go as
// Redis's active expiry would take them.
func (s *Server) clockMoved() {
	s.eng.CheckTimeouts()
	// Each cycle does a bounded amount of work; a few rounds take every
	// key that expired (the bound is only a guard).
	for range 1000 {
		if s.eng.ActiveExpireCycle() == 0 {
			break
		}
	}
}

// RequireAuth sets the password clients must AUTH with (requirepass);
// "" removes it. The helpers below need none.
func (s *Server) RequireAuth(pass string) {
	_, _ = s.do("CONFIG", "SET", "requirepass", pass)
}

// FlushAll removes every key of every database.
func (s *Server) FlushAll() {
	_, _ = s.do("FLUSHALL")
}

// Select chooses the database the helpers (Get, Set, Keys, ...) use; it
// does not change any client's. A database that does not exist makes the
// helpers fail with Redis's "ERR DB index is out of range".
func (s *Server) Select(db int) {
	s.mu.Lock()
	s.db = db
	s.mu.Unlock()
}

// Get returns a string key's value: ErrKeyNotFound when it does not
// exist, ErrWrongType when it holds another type.
func (s *Server) Get(key string) (string, error) {
	v, err := s.do("GET", key)
	if err != nil {
		if err.Error() == ErrWrongType.Error() {
			return "", ErrWrongType
		}
		return "", err
	}
	if v == nil {
		return "", ErrKeyNotFound
	}
	return v.(string), nil
}

// Set sets a string key, as SET does (any TTL is removed).
func (s *Server) Set(key, value string) error {
	_, err := s.do("SET", key, value)
	return err
}

// Keys returns the keys of the selected database, sorted.
func (s *Server) Keys() []string {
	v, err := s.do("KEYS", "*")
	if err != nil {
		return nil
	}
	items := v.([]any)
	keys := make([]string, len(items))
	for i, k := range items {
		keys[i] = k.(string)
	}
	sort.Strings(keys)
	return keys
}

// TTL returns a key's time to live; 0 when it has none or does not exist.
func (s *Server) TTL(key string) time.Duration {
	v, err := s.do("PTTL", key)
	if err != nil || v.(int64) < 0 {
		return 0
	}
	return time.Duration(v.(int64)) * time.Millisecond
}

// Exists says whether a key exists.
func (s *Server) Exists(key string) bool {
	v, err := s.do("EXISTS", key)
	return err == nil && v.(int64) == 1
}

// CheckGet fails the test (t.Errorf) unless key holds the string want.
func (s *Server) CheckGet(t testing.TB, key, want string) {
	t.Helper()
	got, err := s.Get(key)
	if err != nil {
		t.Errorf("GET %q: %v", key, err)
		return
	}
	if got != want {
		t.Errorf("GET %q: got %q, want %q", key, got, want)
	}
}

// do runs a command in the helpers' database and returns its RESP2
// reply: nil, string, int64 or []any; an error reply is an error. Each
// call is a client of its own that leaves at once, so the helpers never
// show in CLIENT LIST or connected_clients.
func (s *Server) do(args ...string) (any, error) {
	s.mu.Lock()
	db := s.db
	s.mu.Unlock()
	sess := s.eng.NewSession(engine.ClientInfo{Kind: "goredistest"})
	defer sess.Close()
	if pass := s.eng.Config("requirepass"); pass != "" {
		sess.Exec([][]byte{[]byte("AUTH"), []byte(pass)})
		if _, err := parseReply(sess.TakeOutput(nil)); err != nil {
			return nil, err
		}
	}
	sess.Exec([][]byte{[]byte("SELECT"), []byte(strconv.Itoa(db))})
	if _, err := parseReply(sess.TakeOutput(nil)); err != nil {
		return nil, err
	}
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	if st := sess.Exec(argv); st != 0 {
		return nil, fmt.Errorf("goredistest: %s did not complete (status %d)", args[0], st)
	}
	return parseReply(sess.TakeOutput(nil))
}
