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
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/netserver/resp"
	"github.com/goredis-dev/goredis/tlsconf"
)

// Options configure a Server.
type Options struct {
	// Addr is the RESP listen address, "127.0.0.1:6379" by default; it
	// applies when Bind is nil.
	Addr string
	// Bind lists the addresses to listen on with Port, in redis.conf's
	// syntax: "*" is every IPv4 address, "::*" every IPv6 one, a leading
	// "-" marks an address the machine may not have. An empty, non-nil
	// list (bind "") opens no TCP socket; nor does Port 0.
	Bind []string
	Port int
	// TLSPort is tls-port: peers there speak TLS first, with the
	// configuration SetTLS gave (0: no TLS port). TLSAddr is the TLS
	// listen address when Bind is nil ("": none).
	TLSPort int
	TLSAddr string
	// UnixSocket, when set, is the path of a unix socket served like TCP,
	// created with UnixSocketPerm's mode (0: as the umask gives).
	UnixSocket     string
	UnixSocketPerm os.FileMode
	// Backlog is the listen backlog (tcp-backlog); 0 means 511.
	Backlog int
	// Log, when set, receives every log line's level mark ('.' debug,
	// '-' verbose, '*' notice, '#' warning) and message; Logger is unused.
	Log func(level byte, msg string)
	// MaxClients, when positive, sets maxclients (the cap on connected
	// peers); otherwise the engine's configuration holds it (10000).
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

	mu  sync.Mutex
	lns []*listener
	// acceptErrs receives the accept loops' ends (nil when a listener
	// was closed on purpose); set by Serve.
	acceptErrs chan error
	peers      map[*peer]struct{}
	closing    bool
	// wg counts the peers and the event loop; bg the accept loops and
	// the cron, which Serve waits for before it returns.
	wg       sync.WaitGroup
	bg       sync.WaitGroup
	nclients atomic.Int64
	done     chan struct{}
	// loop serves TCP peers, from the first one on (peerLoop); nil
	// with goroutines per peer. loopTried: peerLoop made its attempt.
	loop      *eventLoop
	loopTried bool
	// tls is the TLS configuration of the TLS port and of outgoing links
	// (nil until SetTLS); CONFIG SET replaces it whole.
	tls atomic.Pointer[tlsconf.Contexts]

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
	if opts.MaxClients > 0 {
		// The option sets the engine's maxclients, which CONFIG GET shows
		// and CONFIG SET changes.
		_ = eng.SetConfig("maxclients", strconv.Itoa(opts.MaxClients))
	}
	lg := opts.Logger
	if lg == nil {
		lg = log.New(os.Stderr, "", 0)
	}
	return &Server{eng: eng, opts: opts, log: lg, peers: map[*peer]struct{}{}, done: make(chan struct{})}
}

// Logf writes a log line in Redis's format: "pid:M date * message".
func (s *Server) Logf(level byte, format string, args ...any) {
	if s.opts.Log != nil {
		s.opts.Log(level, fmt.Sprintf(format, args...))
		return
	}
	now := time.Now()
	s.log.Printf("%d:M %s %c %s", os.Getpid(), now.Format("02 Jan 2006 15:04:05.000"), level, fmt.Sprintf(format, args...))
}

// Listen opens the listeners (see Options); Addr reports the first one's
// address. A *ListenError says why Redis would have refused to start.
func (s *Server) Listen() error {
	lns, err := s.openListeners()
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.lns = lns
	s.mu.Unlock()
	return nil
}

// Addr is the first listener's address (useful with port 0): the first
// TCP address, else the unix socket, else the TLS port's.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.lns {
		if !l.tls && !l.unix {
			return l.ln.Addr()
		}
	}
	for _, l := range s.lns {
		if !l.tls {
			return l.ln.Addr()
		}
	}
	if len(s.lns) == 0 {
		return nil
	}
	return s.lns[0].ln.Addr()
}

// TLSAddr is the first address of the TLS port, nil when there is none.
func (s *Server) TLSAddr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.lns {
		if l.tls {
			return l.ln.Addr()
		}
	}
	return nil
}

// Serve accepts peers on every listener until Close; it also runs the
// engine's periodic work (cron), in its own loop rather than a goroutine
// more: an idle server is this goroutine and its accept loops.
func (s *Server) Serve() error {
	s.mu.Lock()
	lns := s.lns
	s.mu.Unlock()
	if len(lns) == 0 {
		return errors.New("netserver: Serve before Listen")
	}
	errc := make(chan error, 16)
	// The listeners as of now, in the critical section install uses: a
	// rebind racing with this start is accepted on by one side or the
	// other, never by neither.
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return nil
	}
	s.acceptErrs = errc
	lns = s.lns
	s.bg.Add(len(lns))
	s.mu.Unlock()
	for _, l := range lns {
		go s.accepting(l, errc)
	}
	tick := time.NewTicker(cronPeriod)
	defer tick.Stop()
	var cron cronState
	// Accept loops end when their listener is replaced (CONFIG SET port
	// or bind) or the server closes; any other end is an error.
	for {
		select {
		case <-s.done:
			// Close has closed the listeners: once the accept loops are
			// gone, nothing of the server runs.
			s.bg.Wait()
			return nil
		case err := <-errc:
			if err != nil {
				_ = s.closeListeners()
				return err
			}
		case <-tick.C:
			s.cronTick(&cron)
		}
	}
}

// accepting runs l's accept loop, counted in s.bg, and reports its end.
func (s *Server) accepting(l *listener, errc chan<- error) {
	defer s.bg.Done()
	err := s.acceptLoop(l)
	select {
	case errc <- err:
	case <-s.done:
	}
}

// acceptLoop accepts peers on l until the server closes.
func (s *Server) acceptLoop(l *listener) error {
	var loop *eventLoop
	loopAsked := false
	for {
		conn, err := l.ln.Accept()
		if err != nil {
			s.mu.Lock()
			closing := s.closing
			s.mu.Unlock()
			if closing || l.retired.Load() {
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
		if l.tls {
			// The handshake runs in the peer's own goroutine, as Redis's
			// event loop drives it: a slow client holds up no other.
			go s.acceptTLS(conn, l)
			continue
		}
		if !loopAsked {
			loop, loopAsked = s.peerLoop(), true
		}
		s.accept(conn, loop, l)
	}
}

// accept serves a new peer of l, on the event loop when there is one.
// As Redis: maxclients first, then protected mode.
func (s *Server) accept(conn net.Conn, loop *eventLoop, l *listener) {
	if !s.admit(conn) {
		return
	}
	if !l.unix && s.protectedModeRefuses(conn) {
		s.nclients.Add(-1)
		s.eng.RejectedConnection()
		_, _ = conn.Write([]byte(protectedModeDenied))
		_ = conn.Close()
		return
	}
	o := peerOptions{kind: "tcp", idle: s.opts.IdleTimeout,
		addr: addrString(conn.RemoteAddr()), laddr: addrString(conn.LocalAddr())}
	if l.unix {
		o.kind, o.addr, o.laddr = "unix", unixAddr(l.path), unixAddr(l.path)
	} else {
		s.setKeepAlive(conn)
	}
	if loop != nil && loop.adopt(conn, o) {
		return
	}
	// No event loop, or the socket could not be taken over: goroutines.
	s.serveAdmitted(conn, o)
}

// protectedModeRefuses says whether Redis 7.0 would refuse this TCP peer:
// protected mode on, no password for the default user, and a peer that is
// not on loopback.
func (s *Server) protectedModeRefuses(conn net.Conn) bool {
	if isLoopbackPeer(conn.RemoteAddr()) {
		return false
	}
	return s.eng.Config("protected-mode") == "yes" && s.eng.DefaultUserNoPass()
}

// setKeepAlive applies tcp-keepalive to a TCP peer as Redis's
// anetKeepAlive does: probes after the interval, then every third of it,
// three of them; 0 turns keepalive off.
func (s *Server) setKeepAlive(conn net.Conn) {
	tc, ok := conn.(*net.TCPConn)
	if !ok {
		return
	}
	secs := s.eng.ConfigInt("tcp-keepalive")
	if secs <= 0 {
		_ = tc.SetKeepAlive(false)
		return
	}
	interval := secs / 3
	if interval == 0 {
		interval = 1
	}
	_ = tc.SetKeepAliveConfig(net.KeepAliveConfig{
		Enable:   true,
		Idle:     time.Duration(secs) * time.Second,
		Interval: time.Duration(interval) * time.Second,
		Count:    3,
	})
}

// admit counts a new peer, or refuses it over maxclients as Redis does.
// The limit is read at each accept: CONFIG SET maxclients applies at once.
func (s *Server) admit(conn net.Conn) bool {
	if s.nclients.Add(1) > s.eng.ConfigInt("maxclients") {
		s.nclients.Add(-1)
		s.eng.RejectedConnection()
		_, _ = conn.Write([]byte("-ERR max number of clients reached\r\n"))
		_ = conn.Close()
		return false
	}
	return true
}

// peerLoop is the event loop that serves TCP peers, started for the
// first peer: a server no client reaches (as many of goredistest's) never
// pays for its descriptors, goroutine and thread. It is nil when
// Options.GoroutinePerPeer asks for goroutines or the system has no event
// loop.
func (s *Server) peerLoop() *eventLoop {
	if s.opts.GoroutinePerPeer {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loop != nil || s.loopTried || s.closing {
		return s.loop
	}
	s.loopTried = true
	loop, err := newEventLoop(s)
	if err != nil {
		if !errors.Is(err, errNoEventLoop) {
			s.Logf('#', "%v: serving clients with goroutines", err)
		}
		return nil
	}
	s.loop = loop
	s.eng.SetWhileBlocked(loop.processEventsWhileBlocked)
	s.wg.Add(1)
	go loop.run()
	return loop
}

// cronPeriod is the cron's period: Redis's serverCron at hz 10.
const cronPeriod = 100 * time.Millisecond

// cronState is what the cron keeps from one tick to the next.
type cronState struct {
	ticks int
	mem   *idleReclaimer // made at the first tick
}

// cronTick runs the engine's periodic work, from Serve's loop.
func (s *Server) cronTick(c *cronState) {
	c.ticks++
	if c.mem == nil {
		c.mem = newIdleReclaimer()
	}
	s.eng.ActiveExpireCycle()
	s.eng.ClientsCron()
	s.eng.ShutdownCron()
	s.eng.FailoverCron()
	// A load that stalls for a tick (a busy machine) is no idle server: a
	// forced collection then would only cost the load time and give back
	// pages the load needs again at once.
	if !s.eng.Loading() {
		c.mem.tick()
	}
	if c.ticks%10 == 0 {
		s.eng.ReplicationCron()
	}
}

// ServeConn runs a peer on conn in its own goroutines. kind tags the
// transport; ks, when not nil, gives the peer a private keyspace.
func (s *Server) ServeConn(conn net.Conn, kind string, ks *engine.Keyspace) {
	s.serveConn(conn, peerOptions{kind: kind, keyspace: ks, idle: s.opts.IdleTimeout})
}

type peerOptions struct {
	kind string
	// addr and laddr name the peer's two ends ("" for the conn's own).
	addr, laddr string
	keyspace    *engine.Keyspace
	sandbox     *engine.Sandbox
	idle        time.Duration
}

func (s *Server) serveConn(conn net.Conn, o peerOptions) *peer {
	if !s.admit(conn) {
		return nil
	}
	return s.serveAdmitted(conn, o)
}

// serveAdmitted serves a peer already counted by admit.
func (s *Server) serveAdmitted(conn net.Conn, o peerOptions) *peer {
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

// Close stops accepting, closes every peer and waits for them. It does not
// remove the unix socket's file: RemoveUnixSocket does, logging it.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return nil
	}
	s.closing = true
	close(s.done)
	for p := range s.peers {
		_ = p.conn.Close()
	}
	if s.loop != nil {
		s.loop.stop()
	}
	s.mu.Unlock()
	err := s.closeListeners()
	s.wg.Wait()
	return err
}

func (s *Server) closeListeners() error {
	s.mu.Lock()
	lns := s.lns
	s.mu.Unlock()
	var first error
	for _, l := range lns {
		if err := l.ln.Close(); err != nil && first == nil && !errors.Is(err, net.ErrClosed) {
			first = err
		}
	}
	return first
}

// RemoveUnixSocket deletes the unix socket's file at shutdown, with
// Redis's log lines.
func (s *Server) RemoveUnixSocket() {
	if s.opts.UnixSocket == "" {
		return
	}
	s.Logf('*', "Removing the unix socket file.")
	if err := os.Remove(s.opts.UnixSocket); err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		s.Logf('#', "Error removing the unix socket file: %s", strerror(err))
	}
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

	wmu    sync.Mutex // serializes writes to conn
	iov    [][]byte   // guarded by wmu
	joined []byte     // guarded by wmu: iov in one buffer, for conns that are not sockets
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
	addr, laddr := o.addr, o.laddr
	if addr == "" {
		addr, laddr = addrString(conn.RemoteAddr()), addrString(conn.LocalAddr())
	}
	p.init(s.eng, engine.ClientInfo{
		Addr:     addr,
		LAddr:    laddr,
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
	p.srv.logLeaving(err, &p.batcher, addrString(p.conn.RemoteAddr()))
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
			p.noteQueryBuffer()
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
			p.srv.eng.CountNetInput(n)
			p.noteQueryBuffer()
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
				p.srv.eng.CountNetInput(n)
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
		if dl, ok := p.sess.BlockTimer(); ok {
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
		if p.raw == nil && len(p.iov) > 1 {
			// Not a socket (TLS, WebSocket): each Write is a record or
			// a frame of its own, so the slices go out joined.
			p.joined = p.joined[:0]
			for _, b := range p.iov {
				p.joined = append(p.joined, b...)
			}
			var n int
			n, err = p.conn.Write(p.joined)
			p.sess.Consumed(n)
			if cap(p.joined) > maxWriteBytes {
				p.joined = nil // a one-off large reply is not kept
			}
		} else {
			for _, b := range p.iov {
				var n int
				n, err = p.conn.Write(b)
				p.sess.Consumed(n)
				if err != nil {
					break
				}
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
