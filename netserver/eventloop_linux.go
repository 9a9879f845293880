//go:build linux

package netserver

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/netserver/resp"
)

// eventLoop serves TCP peers from one goroutine, as Redis's ae loop does:
// one epoll_wait for every ready peer, then one read and one write per
// request. A goroutine per peer costs a second read (which finds nothing,
// the client waiting for the reply) and a park and wake of the goroutine
// in the Go scheduler for each request.
//
// Epoll is level-triggered: a peer is watched for EPOLLIN, and for EPOLLOUT
// too while a reply is partly written. A client that left shows as a
// read of 0 bytes, as in Redis.
//
// Other goroutines (the accept loop, commands of WebSocket peers, the
// engine's callbacks, Server.Close) reach the loop only through the fields
// mu guards and the wake descriptor; the rest belongs to the loop
// goroutine.
type eventLoop struct {
	srv    *Server
	epfd   int
	wakefd int // an eventfd: written to end an epoll_wait
	idle   time.Duration

	mu       sync.Mutex
	incoming []*loopPeer // accepted peers to register
	pending  []*loopPeer // peers with news: output, unblocked, killed
	sleeping bool        // the loop waits in epoll_wait: wake it to be seen
	stopping bool

	// The loop goroutine's own.
	peers     []*loopPeer // by descriptor
	npeers    int
	blockedPs map[*loopPeer]struct{}
	// nextDeadline is the earliest block deadline (zero: none); it is
	// recomputed when deadlinesDirty.
	nextDeadline   time.Time
	deadlinesDirty bool
	lastIdleCheck  time.Time
	events         []syscall.EpollEvent
	work           []*loopPeer
	// later are the peers whose replies are written once every ready
	// peer has run its commands, when the engine makes effects durable
	// before replies leave (appendfsync always): one write and fsync of
	// the append-only file then covers the whole iteration, as Redis
	// writes its AOF once in beforeSleep.
	later       []*loopPeer
	groupCommit bool
	lim         limits
	// runnable are peers with complete commands left after their share of
	// a turn; next holds those of the turn being run. turn numbers the
	// turns, so a peer gets one share per turn however it became ready.
	runnable, next []*loopPeer
	turn           uint64
	iov            [][]byte
	iovecs         []syscall.Iovec
	// serving is the peer whose commands run now; whileBlocked is set
	// while processEventsWhileBlocked runs, with its own events.
	serving       *loopPeer
	whileBlocked  bool
	blockedEvents []syscall.EpollEvent
}

// loopPeer is one TCP client served by the event loop.
type loopPeer struct {
	batcher
	fd    int
	raddr string

	// Replies wait in the session (Session.Output) until the socket takes
	// them. waitOut: the socket is full; the loop waits for EPOLLOUT. While
	// replies wait the peer goes on reading and running requests, as in
	// Redis (a client that writes a long pipeline before it reads a reply
	// would otherwise never finish writing), until they pass
	// pauseOutputBytes: then it is paused, neither read nor run, until they
	// drain, so a client that does not read holds a bounded amount of
	// memory and no share of the loop.
	waitOut bool
	paused  bool
	// runnable: on the loop's runnable list; served: the turn of its
	// last share.
	runnable bool
	served   uint64

	interest   uint32 // the epoll events asked for
	blocked    bool   // a command waits; run nothing more until served
	deadline   time.Time
	closing    bool // close once out is written
	dead       bool
	lastActive time.Time
	// flushLater: its replies wait for the end of the loop iteration
	// (group commit, see eventLoop.later).
	flushLater bool

	// Guarded by eventLoop.mu.
	queued bool // on the pending list
	killed bool // the engine dropped the client: close without writing
}

// errNoEventLoop reports a system without the event loop.
var errNoEventLoop = errors.New("netserver: no event loop on this system")

const (
	// loopTick is how often idle peers are looked for (Redis's hz 10).
	loopTick = 100 * time.Millisecond
	// maxIovecs bounds the slices of one writev (Linux's IOV_MAX is 1024).
	maxIovecs  = 256
	loopEvents = 256
	epollIn    = syscall.EPOLLIN
	epollOut   = syscall.EPOLLOUT
)

func newEventLoop(s *Server) (*eventLoop, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("netserver: epoll_create1: %w", err)
	}
	r, _, errno := syscall.Syscall(syscall.SYS_EVENTFD2, 0, syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
	if errno != 0 {
		_ = syscall.Close(epfd)
		return nil, fmt.Errorf("netserver: eventfd: %w", errno)
	}
	l := &eventLoop{
		srv:       s,
		epfd:      epfd,
		wakefd:    int(r),
		idle:      s.opts.IdleTimeout,
		blockedPs: map[*loopPeer]struct{}{},
		events:    make([]syscall.EpollEvent, loopEvents),
	}
	ev := syscall.EpollEvent{Events: epollIn, Fd: int32(l.wakefd)}
	if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, l.wakefd, &ev); err != nil {
		l.release()
		return nil, fmt.Errorf("netserver: epoll_ctl: %w", err)
	}
	return l, nil
}

// release closes the loop's own descriptors.
func (l *eventLoop) release() {
	_ = syscall.Close(l.wakefd)
	_ = syscall.Close(l.epfd)
}

// adopt takes over an accepted TCP connection: the loop gets a duplicate
// of its descriptor (which shares the non-blocking mode Go set) and the
// net.Conn is closed, which takes it out of Go's poller. It reports false
// when conn cannot be taken over and is left as it was.
func (l *eventLoop) adopt(conn net.Conn, o peerOptions) bool {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	fd := -1
	cerr := rc.Control(func(s uintptr) {
		r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, s, syscall.F_DUPFD_CLOEXEC, 0)
		if errno == 0 {
			fd = int(r)
		}
	})
	if cerr != nil || fd < 0 {
		return false
	}
	p := &loopPeer{fd: fd, raddr: o.addr}
	_ = conn.Close()
	p.init(l.srv.eng, engine.ClientInfo{
		Addr:   p.raddr,
		LAddr:  o.laddr,
		Kind:   o.kind,
		Notify: func() { l.signal(p, false) },
		Close:  func() { l.signal(p, true) },
	})
	l.mu.Lock()
	if l.stopping {
		l.mu.Unlock()
		_ = syscall.Close(fd)
		p.sess.Close()
		l.srv.nclients.Add(-1)
		return true
	}
	l.incoming = append(l.incoming, p)
	l.wakeLocked()
	l.mu.Unlock()
	return true
}

// signal tells the loop to look at p: the engine has output for it, has
// served its blocked command, or (kill) dropped it. The engine calls it
// with its locks held, from any goroutine, the loop's own included.
func (l *eventLoop) signal(p *loopPeer, kill bool) {
	l.mu.Lock()
	if kill {
		p.killed = true
	}
	if !p.queued {
		p.queued = true
		l.pending = append(l.pending, p)
	}
	l.wakeLocked()
	l.mu.Unlock()
}

// stop asks the loop to close every peer and end.
func (l *eventLoop) stop() {
	l.mu.Lock()
	l.stopping = true
	l.wakeLocked()
	l.mu.Unlock()
}

// wakeLocked ends the loop's epoll_wait, once: while the loop runs it
// looks at the pending lists before it waits again anyway.
func (l *eventLoop) wakeLocked() {
	if !l.sleeping {
		return
	}
	l.sleeping = false
	one := [8]byte{1}
	_, _ = syscall.Write(l.wakefd, one[:])
}

func (l *eventLoop) run() {
	defer l.srv.wg.Done()
	for {
		timeout := l.waitMillis()
		l.mu.Lock()
		if l.stopping {
			l.mu.Unlock()
			l.shutdown()
			return
		}
		if len(l.pending) > 0 || len(l.incoming) > 0 || len(l.runnable) > 0 {
			timeout = 0
		} else {
			l.sleeping = true
		}
		l.mu.Unlock()

		n, err := epollWait(l.epfd, l.events, timeout)
		if err != nil && !errors.Is(err, syscall.EINTR) {
			l.srv.Logf('#', "epoll_wait: %v", err)
			n = 0
		}

		l.mu.Lock()
		l.sleeping = false
		incoming := l.incoming
		l.incoming = nil
		work := append(l.work[:0], l.pending...)
		clear(l.pending)
		l.pending = l.pending[:0]
		for _, p := range work {
			p.queued = false
		}
		l.mu.Unlock()

		l.lim = currentLimits(l.srv.eng)
		l.turn++
		l.groupCommit = l.srv.eng.SyncsBeforeReply()
		now := time.Now()
		for _, p := range incoming {
			l.register(p, now)
		}
		// Peers the engine signalled since the last turn (pushed
		// messages, unblocked commands, kills) come first, as Redis
		// writes pending replies in beforeSleep, before it reads new
		// commands: a command read now then sees their output gone to
		// the socket, not held against maxmemory or maxmemory-clients.
		for _, p := range work {
			l.wake(p, now)
		}
		clear(work)
		l.work = work[:0]
		// Peers left with commands by the previous turn get their next
		// share, in order, before those that just became ready.
		l.next, l.runnable = l.runnable, l.next[:0]
		for _, p := range l.next {
			p.runnable = false
			if !p.dead {
				l.serve(p)
			}
		}
		clear(l.next)
		for i := range n {
			ev := &l.events[i]
			fd := int(ev.Fd)
			if fd == l.wakefd {
				var b [8]byte
				_, _ = syscall.Read(l.wakefd, b[:])
				continue
			}
			if fd >= len(l.peers) || l.peers[fd] == nil {
				continue
			}
			p := l.peers[fd]
			const gone = syscall.EPOLLERR | syscall.EPOLLHUP
			if ev.Events&(epollOut|gone) != 0 && (p.waitOut || ev.Events&gone != 0) {
				l.writable(p)
			}
			if !p.dead && ev.Events&(epollIn|gone) != 0 {
				l.readable(p, now)
			}
		}
		l.flushLater()
		l.timers(now)
	}
}

// processEventsWhileBlocked serves the other peers while a command runs
// long (a script past busy-reply-threshold), as Redis's function of that
// name: the engine calls it, unlocked, from inside the running command,
// on the loop's goroutine. The peer running the command is left alone;
// every other ready peer gets a share (and, from the engine's gate, a
// -BUSY reply unless its command may run while busy).
func (l *eventLoop) processEventsWhileBlocked() {
	if l.whileBlocked || l.serving == nil {
		return
	}
	l.whileBlocked = true
	defer func() { l.whileBlocked = false }()
	if l.blockedEvents == nil {
		l.blockedEvents = make([]syscall.EpollEvent, loopEvents)
	}
	n, err := epollWait(l.epfd, l.blockedEvents, 1)
	if err != nil {
		return
	}
	busy := l.serving
	l.mu.Lock()
	incoming := l.incoming
	l.incoming = nil
	l.mu.Unlock()
	now := time.Now()
	for _, p := range incoming {
		l.register(p, now)
	}
	// a new share for every peer but the busy one
	l.turn++
	busy.served = l.turn
	for i := range n {
		ev := &l.blockedEvents[i]
		fd := int(ev.Fd)
		if fd == l.wakefd || fd >= len(l.peers) || l.peers[fd] == nil || l.peers[fd] == busy {
			continue
		}
		p := l.peers[fd]
		const gone = syscall.EPOLLERR | syscall.EPOLLHUP
		if ev.Events&(epollOut|gone) != 0 && (p.waitOut || ev.Events&gone != 0) {
			l.writable(p)
		}
		if !p.dead && ev.Events&(epollIn|gone) != 0 {
			l.readable(p, now)
		}
	}
	// Replies held for the group commit leave now, as Redis's
	// processEventsWhileBlocked runs beforeSleep (AOF write, then
	// replies): a client told -BUSY or -LOADING hears it while the
	// script runs, not after.
	l.flushLater()
	l.serving = busy
}

// register adds an accepted peer to the epoll set.
func (l *eventLoop) register(p *loopPeer, now time.Time) {
	p.interest = epollIn
	p.lastActive = now
	ev := syscall.EpollEvent{Events: p.interest, Fd: int32(p.fd)}
	if err := syscall.EpollCtl(l.epfd, syscall.EPOLL_CTL_ADD, p.fd, &ev); err != nil {
		l.srv.Logf('#', "epoll_ctl: %v", err)
		_ = syscall.Close(p.fd)
		p.dead = true
		p.sess.Close()
		l.srv.nclients.Add(-1)
		return
	}
	for p.fd >= len(l.peers) {
		l.peers = append(l.peers, nil)
	}
	l.peers[p.fd] = p
	l.npeers++
}

// readable reads once from p and gives it its share of the turn.
func (l *eventLoop) readable(p *loopPeer, now time.Time) {
	if p.paused {
		// A hang-up while paused: the write that follows will tell.
		return
	}
	p.setLimits(l.lim)
	space := p.rd.Space()
	n, err := readFD(p.fd, space)
	if n > 0 {
		p.rd.Advance(n)
		p.lastActive = now
		l.srv.eng.CountNetInput(n)
		p.noteQueryBuffer()
	} else {
		if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR) {
			return
		}
		if err == nil {
			err = io.EOF
		}
		// The client left (a blocked command is forgotten with it); the
		// replies still owed are written if it still reads.
		l.leave(p, err)
		return
	}
	if p.blocked {
		// Input is kept for after the wait, as Redis keeps a blocked
		// client's, within the query buffer limit.
		if p.rd.Buffered() > p.rd.QueryBufferLimit {
			l.leave(p, resp.ErrQueryBufferLimit)
		}
		return
	}
	l.serve(p)
	if n == len(space) && p.rd.BulkRemaining() > 0 && !p.dead && !p.closing && !p.paused {
		l.readBulk(p)
	}
}

// readBulk reads the rest of a large argument that has arrived, as Redis
// reads all of a big bulk at once: the client's memory (maxmemory-clients,
// CLIENT LIST) counts it at once, not a 16 KB read per turn later. The
// command runs in a later turn, as any other.
func (l *eventLoop) readBulk(p *loopPeer) {
	for p.rd.BulkRemaining() > 0 {
		space := p.rd.Space()
		n, _ := readFD(p.fd, space)
		if n <= 0 {
			break
		}
		p.rd.Advance(n)
		l.srv.eng.CountNetInput(n)
		if n < len(space) {
			break
		}
	}
	p.noteQueryBuffer()
	l.serve(p)
}

// serve gives p its share of this turn: one batch of its buffered
// commands, bounded in commands and in reply bytes (see runBatch), then
// its replies are written. A peer with more complete commands waits for
// the next turn on the runnable list, so however deep its pipeline, every
// other ready peer is served in between.
func (l *eventLoop) serve(p *loopPeer) {
	if p.dead || p.blocked || p.closing || p.paused || p.served == l.turn {
		if !p.dead && p.served == l.turn && !p.blocked && !p.closing && !p.paused {
			l.markRunnable(p)
		}
		return
	}
	p.served = l.turn
	outer := l.serving
	l.serving = p
	oc, err := p.runBatch()
	l.serving = outer
	if err != nil {
		l.leave(p, err)
		return
	}
	p.noteQueryBuffer()
	switch oc {
	case closeAfterReply:
		p.closing = true
	case blocked:
		l.block(p)
	}
	if oc == needInput && l.groupCommit && !p.closing {
		if !p.flushLater {
			p.flushLater = true
			l.later = append(l.later, p)
		}
		return
	}
	l.flushAndPace(p)
	if oc == batchFull && !p.dead && !p.paused {
		l.markRunnable(p)
	}
}

// flushAndPace writes p's replies, pauses it if too many wait, and asks
// epoll for what it waits on.
func (l *eventLoop) flushAndPace(p *loopPeer) {
	l.flush(p)
	if p.dead {
		return
	}
	if p.waitOut {
		l.checkPause(p)
	}
	l.updateInterest(p)
}

func (l *eventLoop) markRunnable(p *loopPeer) {
	if !p.runnable {
		p.runnable = true
		l.runnable = append(l.runnable, p)
	}
}

// flushLater writes the replies that waited for the end of the
// iteration.
func (l *eventLoop) flushLater() {
	for i, p := range l.later {
		p.flushLater = false
		l.flushAndPace(p)
		l.later[i] = nil
	}
	l.later = l.later[:0]
}

// block notes that p waits in a blocking command (or a CLIENT PAUSE).
func (l *eventLoop) block(p *loopPeer) {
	p.blocked = true
	p.deadline, _ = p.sess.BlockTimer()
	l.blockedPs[p] = struct{}{}
	l.deadlinesDirty = true
}

func (l *eventLoop) unblock(p *loopPeer, now time.Time) {
	p.blocked = false
	p.lastActive = now
	delete(l.blockedPs, p)
	l.deadlinesDirty = true
}

// wake handles a signal for p: close it if the engine dropped it, resume
// it if its blocked command was served, and write its new output.
func (l *eventLoop) wake(p *loopPeer, now time.Time) {
	if p.dead {
		return
	}
	l.mu.Lock()
	killed := p.killed
	l.mu.Unlock()
	if killed {
		l.close(p)
		return
	}
	if p.blocked {
		if p.sess.Blocked() {
			// Still waiting (a CLIENT PAUSE made way for a blocking
			// command that then blocked): its deadline may be new.
			p.deadline, _ = p.sess.BlockTimer()
			l.deadlinesDirty = true
		} else {
			l.unblock(p, now)
		}
	}
	if !p.closing && p.sess.ShouldClose() {
		// Unblocked with -UNBLOCKED (a master turned replica): closed
		// once that is written, as Redis's CLIENT_CLOSE_AFTER_REPLY.
		p.closing = true
	}
	l.resume(p)
}

// resume writes p's output and gives it a share of the turn for the
// commands it has buffered.
func (l *eventLoop) resume(p *loopPeer) {
	l.flush(p)
	if !p.dead && p.rd.Buffered() > 0 {
		l.serve(p)
	}
	if !p.dead {
		l.updateInterest(p)
	}
}

// writable goes on writing p's output once the socket takes more.
func (l *eventLoop) writable(p *loopPeer) {
	p.waitOut = false
	l.resume(p)
}

// flush writes p's output without blocking: what the socket does not take
// waits for EPOLLOUT, while p goes on reading unless its output passed
// pauseOutputBytes.
func (l *eventLoop) flush(p *loopPeer) {
	if p.dead || p.waitOut {
		return
	}
	for written := 0; written < maxWriteBytes; {
		l.iov = p.sess.Output(l.iov[:0], maxWriteBytes-written)
		if len(l.iov) == 0 {
			if p.closing {
				l.close(p)
			}
			p.paused = false
			return
		}
		n, err := l.writev(p.fd, l.iov)
		clear(l.iov)
		if n > 0 {
			p.sess.Consumed(n)
			written += n
			continue
		}
		switch {
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EAGAIN):
			p.waitOut = true
			l.checkPause(p)
			return
		}
		// EPIPE, ECONNRESET: the client is gone.
		l.close(p)
		return
	}
	// A large output: the rest in a later turn.
	p.waitOut = true
	l.checkPause(p)
}

// checkPause pauses p while much output waits for it, and lets it go
// once enough is written.
func (l *eventLoop) checkPause(p *loopPeer) {
	pending := p.sess.OutputMemory()
	switch {
	case !p.paused && pending >= pauseOutputBytes:
		p.paused = true
	case p.paused && pending < resumeOutputBytes:
		p.paused = false
		if p.rd.Buffered() > 0 {
			l.markRunnable(p)
		}
	}
}

// updateInterest asks epoll for what p waits on: input unless it is
// paused or has a lot of complete requests not yet run (it is on the
// runnable list then), and writability while its socket is full.
func (l *eventLoop) updateInterest(p *loopPeer) {
	if p.dead {
		return
	}
	var ev uint32
	if p.blocked || (!p.paused && (!p.runnable || p.rd.Buffered() < maxUnrunInput)) {
		ev |= epollIn
	}
	if p.waitOut {
		ev |= epollOut
	}
	l.setInterest(p, ev)
}

func (l *eventLoop) setInterest(p *loopPeer, events uint32) {
	if p.interest == events {
		return
	}
	p.interest = events
	ev := syscall.EpollEvent{Events: events, Fd: int32(p.fd)}
	if err := syscall.EpollCtl(l.epfd, syscall.EPOLL_CTL_MOD, p.fd, &ev); err != nil {
		l.srv.Logf('#', "epoll_ctl: %v", err)
		l.close(p)
	}
}

// maxUnrunInput: a peer whose buffered requests pass this is not read
// further until its turns have run them (the client waits in its write).
const maxUnrunInput = 1 << 20

// writev writes bufs with one system call (see readFD for why raw).
func (l *eventLoop) writev(fd int, bufs [][]byte) (int, error) {
	if len(bufs) == 1 {
		return writeFD(fd, bufs[0])
	}
	iov := l.iovecs[:0]
	for _, b := range bufs {
		if len(b) == 0 {
			continue
		}
		v := syscall.Iovec{Base: unsafe.SliceData(b)}
		v.SetLen(len(b))
		iov = append(iov, v)
	}
	l.iovecs = iov
	r, _, errno := syscall.RawSyscall(syscall.SYS_WRITEV, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(iov))), uintptr(len(iov)))
	clear(iov)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}

// leave ends p because of err: it is owed its pending replies and a
// protocol error's reply, unless Redis would drop them (see leaving).
// The requests it had not run yet are dropped, as Redis frees a client's
// query buffer with it.
func (l *eventLoop) leave(p *loopPeer, err error) {
	l.srv.logLeaving(err, &p.batcher, p.raddr)
	tail, discard := leaving(err)
	if discard {
		l.close(p)
		return
	}
	p.closing = true
	// The session goes at once: a blocked command is forgotten, pushes
	// stop, and its output is written as it stands.
	p.sess.CloseKeepOutput(tail)
	p.paused = false
	l.flush(p)
	l.updateInterest(p)
}

// close frees p at once, without writing what it still has.
func (l *eventLoop) close(p *loopPeer) {
	if p.dead {
		return
	}
	p.dead = true
	_ = syscall.Close(p.fd)
	l.peers[p.fd] = nil
	l.npeers--
	if p.blocked {
		delete(l.blockedPs, p)
		l.deadlinesDirty = true
	}
	l.srv.released(p.sess.OutputLen() + int64(p.rd.Buffered()))
	p.sess.Close()
	l.srv.nclients.Add(-1)
}

// waitMillis is how long epoll_wait may sleep: until the nearest block
// deadline, and at most a tick while idle peers are to be closed.
func (l *eventLoop) waitMillis() int {
	if l.deadlinesDirty {
		l.nextDeadline = time.Time{}
		for p := range l.blockedPs {
			if !p.deadline.IsZero() && (l.nextDeadline.IsZero() || p.deadline.Before(l.nextDeadline)) {
				l.nextDeadline = p.deadline
			}
		}
		l.deadlinesDirty = false
	}
	ms := -1
	if l.npeers > 0 {
		// Idle peers to close, query buffers to resize.
		ms = int(loopTick / time.Millisecond)
	}
	if !l.nextDeadline.IsZero() {
		// Round up: waking a little early would only wait again.
		d := int((time.Until(l.nextDeadline) + time.Millisecond - 1) / time.Millisecond)
		d = max(d, 0)
		if ms < 0 || d < ms {
			ms = d
		}
	}
	return ms
}

// timers answers blocked commands whose deadline passed and closes idle
// peers.
func (l *eventLoop) timers(now time.Time) {
	if !l.nextDeadline.IsZero() && !now.Before(l.nextDeadline) {
		for p := range l.blockedPs {
			if p.deadline.IsZero() || now.Before(p.deadline) {
				continue
			}
			p.sess.CheckTimeout()
			if p.sess.Blocked() {
				// Not yet by the engine's clock, or a command held by
				// CLIENT PAUSE ran and blocked in turn.
				p.deadline, _ = p.sess.BlockTimer()
				continue
			}
			l.unblock(p, now)
			l.resume(p)
		}
		l.deadlinesDirty = true
	}
	if now.Sub(l.lastIdleCheck) >= loopTick {
		l.lastIdleCheck = now
		for _, p := range l.peers {
			if p == nil || p.dead {
				continue
			}
			// Redis times out neither blocked nor subscribed clients.
			if l.idle > 0 && !p.blocked && !p.closing && now.Sub(p.lastActive) > l.idle && !p.sess.TimeoutExempt() {
				l.close(p)
				continue
			}
			// As Redis's clientsCron: an idle client's query buffer is
			// freed, an oversized one shrunk to its recent peak.
			p.rd.Resize(now.Unix()-p.lastActive.Unix() > queryBufferIdleSeconds)
			p.noteQueryBuffer()
		}
	}
}

// shutdown closes every peer (Server.Close) and the loop's descriptors.
func (l *eventLoop) shutdown() {
	for _, p := range l.peers {
		if p != nil {
			l.close(p)
		}
	}
	l.mu.Lock()
	incoming := l.incoming
	l.incoming = nil
	l.mu.Unlock()
	for _, p := range incoming {
		_ = syscall.Close(p.fd)
		p.sess.Close()
		l.srv.nclients.Add(-1)
	}
	l.release()
}

// The loop's sockets are non-blocking, so its reads and writes return at
// once: they are made as raw system calls, which do not tell the Go
// scheduler (as syscall.Read would, twice per call) and so do not wake
// its monitor thread, which otherwise polls every 20 µs while a goroutine
// makes system calls this often. Only a waiting epoll_wait is a real
// (scheduler-aware) blocking call.

// readFD does one read on a non-blocking socket.
func readFD(fd int, b []byte) (int, error) {
	r, _, errno := syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)))
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}

// writeFD does one write on a non-blocking socket.
func writeFD(fd int, b []byte) (int, error) {
	r, _, errno := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)))
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}

// epollWait returns the ready events, polling first: under load some
// socket is nearly always ready, and only an empty poll pays for a
// blocking call.
func epollWait(epfd int, events []syscall.EpollEvent, msec int) (int, error) {
	r, _, errno := syscall.RawSyscall6(syscall.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
	if errno != 0 {
		return 0, errno
	}
	if r > 0 || msec == 0 {
		return int(r), nil
	}
	return syscall.EpollWait(epfd, events, msec)
}
