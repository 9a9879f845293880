// Package netserver serves the engine to Redis clients over TCP (RESP2,
// RESP3 and inline commands), and over HTTP: the playground and the
// WebSocket bridge.
package netserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/netserver/resp"
)

// Options configure a Server.
type Options struct {
	// Addr is the RESP listen address, "127.0.0.1:6379" by default.
	Addr string
	// MaxClients caps connected peers (maxclients); 0 means 10000.
	MaxClients int
	// IdleTimeout closes peers idle this long (timeout); 0 never.
	IdleTimeout time.Duration
	// Logger receives Redis-style log lines; nil logs to stderr.
	Logger *log.Logger
	// GoroutinePerPeer serves TCP peers with goroutines (a reader per
	// peer) instead of the event loop, which Linux uses by default; other
	// systems always use goroutines.
	GoroutinePerPeer bool
}

// Server runs the TCP side around one engine.
type Server struct {
	eng  *engine.Engine
	opts Options
	log  *log.Logger

	mu       sync.Mutex
	ln       net.Listener
	peers    map[*peer]struct{}
	closing  bool
	wg       sync.WaitGroup
	nclients atomic.Int64
	done     chan struct{}
	loop     *eventLoop // serves TCP peers; nil with goroutines per peer

	// Memory freed by closed peers, not yet returned to the OS (released).
	freed       atomic.Int64
	lastRelease atomic.Int64 // unix nanoseconds
	releasing   atomic.Bool  // a release is scheduled
}

// New returns a server for eng.
func New(eng *engine.Engine, opts Options) *Server {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:6379"
	}
	if opts.MaxClients <= 0 {
		opts.MaxClients = 10000
	}
	lg := opts.Logger
	if lg == nil {
		lg = log.New(os.Stderr, "", 0)
	}
	return &Server{eng: eng, opts: opts, log: lg, peers: map[*peer]struct{}{}, done: make(chan struct{})}
}

// Logf writes a log line in Redis's format: "pid:M date * message".
func (s *Server) Logf(level byte, format string, args ...any) {
	now := time.Now()
	s.log.Printf("%d:M %s %c %s", os.Getpid(), now.Format("02 Jan 2006 15:04:05.000"), level, fmt.Sprintf(format, args...))
}

// Listen opens the RESP listener; Addr reports the bound address.
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	return nil
}

// Addr is the listener's address (useful with port 0).
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Serve accepts peers until Close; it also drives the engine's active
// expiry cycle.
func (s *Server) Serve() error {
	s.mu.Lock()
	ln := s.ln
	s.mu.Unlock()
	if ln == nil {
		return errors.New("netserver: Serve before Listen")
	}
	loop := s.startLoop()
	go s.cron()
	s.Logf('*', "Ready to accept connections tcp")
	for {
		conn, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closing := s.closing
			s.mu.Unlock()
			if closing {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			if strings.Contains(err.Error(), "too many open files") {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return err
		}
		s.accept(conn, loop)
	}
}

// accept serves a new TCP peer, on the event loop when there is one.
func (s *Server) accept(conn net.Conn, loop *eventLoop) {
	if loop == nil {
		s.ServeConn(conn, "tcp", nil)
		return
	}
	if !s.admit(conn) {
		return
	}
	if !loop.adopt(conn) {
		// The socket could not be taken over: serve it with goroutines.
		s.nclients.Add(-1)
		s.ServeConn(conn, "tcp", nil)
	}
}

// admit counts a new peer, or refuses it over maxclients as Redis does.
func (s *Server) admit(conn net.Conn) bool {
	if int(s.nclients.Add(1)) > s.opts.MaxClients {
		s.nclients.Add(-1)
		s.eng.RejectedConnection()
		_, _ = conn.Write([]byte("-ERR max number of clients reached\r\n"))
		_ = conn.Close()
		return false
	}
	return true
}

// startLoop starts the event loop unless Options.GoroutinePerPeer asks for
// goroutines or the system has none; it returns nil then.
func (s *Server) startLoop() *eventLoop {
	if s.opts.GoroutinePerPeer {
		return nil
	}
	loop, err := newEventLoop(s)
	if err != nil {
		if !errors.Is(err, errNoEventLoop) {
			s.Logf('#', "%v: serving clients with goroutines", err)
		}
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		loop.release()
		return nil
	}
	s.loop = loop
	s.wg.Add(1)
	go loop.run()
	return loop
}

// cron runs the engine's periodic work, as Redis's serverCron at hz 10.
func (s *Server) cron() {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	mem := newIdleReclaimer()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
			s.eng.ActiveExpireCycle()
			s.eng.CheckOutputLimits()
			mem.tick()
		}
	}
}

// ServeConn runs a peer on conn in its own goroutines. kind tags the
// transport; ks, when not nil, gives the peer a private keyspace.
func (s *Server) ServeConn(conn net.Conn, kind string, ks *engine.Keyspace) {
	s.serveConn(conn, peerOptions{kind: kind, keyspace: ks, idle: s.opts.IdleTimeout})
}

// serveConnInfo serves a peer with its own sandbox and idle timeout (the
// WebSocket bridge's peers).
func (s *Server) serveConnInfo(conn net.Conn, kind string, sb *engine.Sandbox, idle time.Duration) *peer {
	return s.serveConn(conn, peerOptions{kind: kind, sandbox: sb, idle: idle})
}

type peerOptions struct {
	kind     string
	keyspace *engine.Keyspace
	sandbox  *engine.Sandbox
	idle     time.Duration
}

func (s *Server) serveConn(conn net.Conn, o peerOptions) *peer {
	if !s.admit(conn) {
		return nil
	}
	p := newPeer(s, conn, o)
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		s.nclients.Add(-1)
		_ = conn.Close()
		p.sess.Close()
		return nil
	}
	s.peers[p] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	go p.run()
	return p
}

// Close stops accepting, closes every peer and waits for them.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return nil
	}
	s.closing = true
	close(s.done)
	ln := s.ln
	for p := range s.peers {
		_ = p.conn.Close()
	}
	if s.loop != nil {
		s.loop.stop()
	}
	s.mu.Unlock()
	var err error
	if ln != nil {
		err = ln.Close()
	}
	s.wg.Wait()
	return err
}

// Shutdown is Close bounded by ctx.
func (s *Server) Shutdown(ctx context.Context) error {
	ch := make(chan error, 1)
	go func() { ch <- s.Close() }()
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Server) removePeer(p *peer) {
	s.mu.Lock()
	delete(s.peers, p)
	s.mu.Unlock()
	s.nclients.Add(-1)
	s.wg.Done()
}

// peer is one connected client served by goroutines: a reader goroutine
// that parses and runs commands and writes their replies in one write per
// batch, and a small goroutine that flushes output produced by other
// clients (pushes, unblocked replies). The WebSocket bridge and systems
// without the event loop use it.
type peer struct {
	batcher
	srv  *Server
	conn net.Conn
	idle time.Duration // close after this long without input (0: never)

	wmu sync.Mutex // serializes writes to conn
	iov [][]byte   // guarded by wmu
	// raw writes without waiting (nil: not a socket). The reader writes a
	// batch's replies itself when the socket takes them; what it does not
	// take stays in the session for asyncLoop, and the reader goes on
	// reading, as Redis does: a client that writes a long pipeline before
	// it reads must not find the server stuck in a write. Past
	// pauseOutputBytes of waiting replies the reader waits for asyncLoop
	// to drain them (drainedC), so a client that does not read holds
	// bounded memory and no more of the engine.
	raw syscall.RawConn

	asyncC   chan struct{} // output from other clients to flush
	wakeC    chan struct{} // a blocked command may have been served
	drainedC chan struct{} // asyncLoop wrote, or failed
	broken   atomic.Bool   // a write failed: the client is gone
	quit     chan struct{}
}

func newPeer(s *Server, conn net.Conn, o peerOptions) *peer {
	p := &peer{
		idle:     o.idle,
		srv:      s,
		conn:     conn,
		asyncC:   make(chan struct{}, 1),
		wakeC:    make(chan struct{}, 1),
		drainedC: make(chan struct{}, 1),
		quit:     make(chan struct{}),
		raw:      rawConnOf(conn),
	}
	p.init(s.eng, engine.ClientInfo{
		Addr:     addrString(conn.RemoteAddr()),
		LAddr:    addrString(conn.LocalAddr()),
		Kind:     o.kind,
		Keyspace: o.keyspace,
		Sandbox:  o.sandbox,
		Notify: func() {
			select {
			case p.asyncC <- struct{}{}:
			default:
			}
			select {
			case p.wakeC <- struct{}{}:
			default:
			}
		},
		Close: func() { _ = conn.Close() },
	})
	p.setLimits(currentLimits(s.eng))
	return p
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

func (p *peer) run() {
	defer p.srv.removePeer(p)
	go p.asyncLoop()
	err := p.readLoop()
	close(p.quit)
	tail, discard := leaving(err)
	if discard {
		p.discard()
	} else if tail != nil {
		p.writeRaw(tail)
	} else {
		_ = p.flush()
	}
	_ = p.conn.Close()
	p.sess.Close()
	p.srv.logLeaving(err, addrString(p.conn.RemoteAddr()))
}

// readLoop reads, runs every complete command in the buffer, then flushes
// the replies in one write.
func (p *peer) readLoop() error {
	idle := p.idle
	for {
		for {
			oc, err := p.runBatch()
			if err != nil {
				return err
			}
			if oc == closeAfterReply {
				return nil
			}
			if oc == blocked {
				if err := p.waitBlocked(); err != nil {
					return err
				}
				continue
			}
			if err := p.flushNoWait(); err != nil {
				return err
			}
			if err := p.waitDrained(); err != nil {
				return err
			}
			if oc == needInput {
				break
			}
			// batchFull, a deep pipeline: go on with the next batch.
		}
		if idle > 0 {
			// Redis never times out a subscribed client or a MONITOR: clear any
			// deadline set before it subscribed.
			var dl time.Time
			if !p.sess.TimeoutExempt() {
				dl = time.Now().Add(idle)
			}
			_ = p.conn.SetReadDeadline(dl)
		}
		p.setLimits(currentLimits(p.srv.eng))
		n, err := p.conn.Read(p.rd.Space())
		if n > 0 {
			p.rd.Advance(n)
			continue
		}
		if err != nil {
			return err
		}
	}
}

// waitBlocked waits until the blocked command is served, times out, or the
// peer goes away. Meanwhile a watcher goroutine keeps reading, so a
// disconnect is noticed (and the wait forgotten) at once; what it reads is
// kept for after the wait, as Redis keeps a blocked client's input.
func (p *peer) waitBlocked() error {
	if err := p.flush(); err != nil {
		return err
	}
	_ = p.conn.SetReadDeadline(time.Time{})
	gone := make(chan error, 1)
	stop := make(chan struct{})
	go func() {
		for {
			n, err := p.conn.Read(p.rd.Space())
			if n > 0 {
				p.rd.Advance(n)
			}
			if err != nil {
				select {
				case <-stop:
					gone <- nil
				default:
					gone <- err
				}
				return
			}
			if p.rd.Buffered() > p.rd.QueryBufferLimit {
				gone <- resp.ErrQueryBufferLimit
				return
			}
		}
	}()
	var result error
	for {
		var timer <-chan time.Time
		if dl, ok := p.sess.BlockDeadline(); ok {
			t := time.NewTimer(time.Until(dl))
			timer = t.C
			defer t.Stop()
		}
		select {
		case <-p.wakeC:
		case <-timer:
			p.sess.CheckTimeout()
		case err := <-gone:
			return errOrEOF(err)
		}
		if !p.sess.Blocked() {
			break
		}
	}
	// Stop the watcher: an expired deadline makes its Read return.
	close(stop)
	_ = p.conn.SetReadDeadline(time.Unix(1, 0))
	if err := <-gone; err != nil {
		result = err
	}
	_ = p.conn.SetReadDeadline(time.Time{})
	if result != nil {
		return result
	}
	return p.flush()
}

func errOrEOF(err error) error {
	if err == nil {
		return io.EOF
	}
	return err
}

// asyncLoop flushes output that other clients' commands produced, and
// what the reader's writes left.
func (p *peer) asyncLoop() {
	for {
		select {
		case <-p.quit:
			return
		case <-p.asyncC:
			err := p.flush()
			if err != nil {
				p.broken.Store(true)
				_ = p.conn.Close()
			}
			select {
			case p.drainedC <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}
}

// waitDrained holds the reader while the client has pauseOutputBytes of
// replies waiting for it, until asyncLoop has written them down to
// resumeOutputBytes; it fails once a write failed (the client is gone: the
// rest of its pipeline is not run).
func (p *peer) waitDrained() error {
	for {
		if p.broken.Load() {
			return io.ErrClosedPipe
		}
		if p.sess.OutputMemory() < pauseOutputBytes {
			return nil
		}
		for p.sess.OutputMemory() >= resumeOutputBytes {
			p.signalWriter()
			<-p.drainedC
			if p.broken.Load() {
				return io.ErrClosedPipe
			}
		}
	}
}

// signalWriter asks asyncLoop to write the session's output.
func (p *peer) signalWriter() {
	select {
	case p.asyncC <- struct{}{}:
	default:
	}
}

// flushNoWait is the reader's flush: it writes what the socket takes at
// once and leaves the rest to asyncLoop.
func (p *peer) flushNoWait() error {
	if p.raw == nil {
		return p.flush()
	}
	if !p.wmu.TryLock() {
		p.signalWriter() // asyncLoop is writing: it takes this output next
		return nil
	}
	defer p.wmu.Unlock()
	for {
		p.iov = p.sess.Output(p.iov[:0], maxWriteBytes)
		if len(p.iov) == 0 {
			return nil
		}
		n, err := writeNoWait(p.raw, p.iov)
		clear(p.iov)
		if n > 0 {
			p.sess.Consumed(n)
		}
		if err != nil {
			return err
		}
		if p.sess.OutputLen() > 0 && n == 0 {
			p.signalWriter()
			return nil
		}
	}
}

// flush writes the session's output, waiting for the socket as long as it
// takes.
func (p *peer) flush() error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	for {
		p.iov = p.sess.Output(p.iov[:0], maxWriteBytes)
		if len(p.iov) == 0 {
			return nil
		}
		var err error
		for _, b := range p.iov {
			var n int
			n, err = p.conn.Write(b)
			p.sess.Consumed(n)
			if err != nil {
				break
			}
		}
		clear(p.iov)
		if err != nil {
			return err
		}
	}
}

// discard drops the replies not yet written.
func (p *peer) discard() {
	p.wmu.Lock()
	p.sess.Close()
	p.wmu.Unlock()
}

func (p *peer) writeRaw(b []byte) {
	_ = p.flush()
	p.wmu.Lock()
	_, _ = p.conn.Write(b)
	p.wmu.Unlock()
}
