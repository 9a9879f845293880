package netserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"
)

// listener is one socket the server accepts peers on: a TCP address of
// the bind list, or the unix socket.
type listener struct {
	ln   net.Listener
	unix bool   // the unix socket: its peers count as local
	tls  bool   // the TLS port: peers do a TLS handshake first
	path string // the unix socket's path
	// retired is set when CONFIG SET port or bind replaced the listener:
	// its accept loop ends quietly.
	retired atomic.Bool
}

// ListenError is why the server could not open its sockets; its text is
// the line redis-server logs before exiting ("Failed listening on port
// 6379 (TCP), aborting.").
type ListenError struct{ Msg string }

func (e *ListenError) Error() string { return e.Msg }

// protectedModeDenied is Redis 7.0's answer to a peer that is neither on
// loopback nor on the unix socket while protected mode is on and the
// default user has no password (src/networking.c).
const protectedModeDenied = "-DENIED Redis is running in protected mode because protected " +
	"mode is enabled and no password is set for the default user. " +
	"In this mode connections are only accepted from the loopback interface. " +
	"If you want to connect from external computers to Redis you " +
	"may adopt one of the following solutions: " +
	"1) Just disable protected mode sending the command " +
	"'CONFIG SET protected-mode no' from the loopback interface " +
	"by connecting to Redis from the same host the server is " +
	"running, however MAKE SURE Redis is not publicly accessible " +
	"from internet if you do so. Use CONFIG REWRITE to make this " +
	"change permanent. " +
	"2) Alternatively you can just disable the protected mode by " +
	"editing the Redis configuration file, and setting the protected " +
	"mode option to 'no', and then restarting the server. " +
	"3) If you started the server manually just for testing, restart " +
	"it with the '--protected-mode no' option. " +
	"4) Setup a an authentication password for the default user. " +
	"NOTE: You only need to do one of the above things in order for " +
	"the server to start accepting connections from the outside.\r\n"

// openListeners opens what the options ask for, as Redis's initServer
// does: every address of the bind list on the port (or Addr), then on the
// TLS port (or TLSAddr), then the unix socket. Warnings go to the log; the
// error is the fatal line.
func (s *Server) openListeners() ([]*listener, error) {
	var lns []*listener
	closeAll := func() {
		for _, l := range lns {
			_ = l.ln.Close()
		}
	}
	if s.opts.Bind == nil {
		ln, err := net.Listen("tcp", s.opts.Addr)
		if err != nil {
			return nil, err
		}
		lns = append(lns, &listener{ln: ln})
		if s.opts.TLSAddr != "" {
			ln, err := net.Listen("tcp", s.opts.TLSAddr)
			if err != nil {
				closeAll()
				return nil, err
			}
			lns = append(lns, &listener{ln: ln, tls: true})
		}
	} else {
		tcp, err := s.openTCP(s.opts.Bind, s.opts.Port, false)
		if err != nil {
			return nil, &ListenError{fmt.Sprintf("Failed listening on port %d (TCP), aborting.", s.opts.Port)}
		}
		lns = append(lns, tcp...)
		tlsLns, err := s.openTCP(s.opts.Bind, s.opts.TLSPort, true)
		if err != nil {
			closeAll()
			return nil, &ListenError{fmt.Sprintf("Failed listening on port %d (TLS), aborting.", s.opts.TLSPort)}
		}
		lns = append(lns, tlsLns...)
	}
	if path := s.opts.UnixSocket; path != "" {
		_ = os.Remove(path) // as Redis: a stale socket file must not stop the start
		ln, err := listenUnix(path, s.opts.UnixSocketPerm, s.backlog())
		if err != nil {
			closeAll()
			return nil, &ListenError{"Failed opening Unix socket: " + err.Error()}
		}
		lns = append(lns, &listener{ln: ln, unix: true, path: path})
	}
	if len(lns) == 0 {
		return nil, &ListenError{"Configured to not listen anywhere, exiting."}
	}
	return lns, nil
}

// openTCP opens every address of bind on port, as Redis's listenToPort:
// all or none (port 0: none). tlsPort marks them as the TLS port's.
func (s *Server) openTCP(bind []string, port int, tlsPort bool) ([]*listener, error) {
	var lns []*listener
	if port == 0 {
		return nil, nil
	}
	for _, addr := range bind {
		ln, err := s.listenBindAddr(addr, port)
		if err != nil {
			for _, l := range lns {
				_ = l.ln.Close()
			}
			return nil, err
		}
		if ln != nil {
			lns = append(lns, &listener{ln: ln, tls: tlsPort})
		}
	}
	return lns, nil
}

// Rebind moves the TCP listeners to new bind addresses and port, as
// CONFIG SET does in Redis: for a new port (changeListenPort) the new
// sockets open first and on failure the old ones stay; for new addresses
// (changeBindAddr, closeFirst) the old sockets close first, so the same
// address and port can be bound again, and a failure leaves none until
// the caller rebinds the old addresses. New addresses move the TLS port's
// listeners too, as Redis's changeBindAddr does.
func (s *Server) Rebind(bind []string, port int, closeFirst bool) error {
	if closeFirst {
		s.retire(false, nil)
		s.retire(true, nil)
	}
	tcp, err := s.openTCP(bind, port, false)
	if err != nil {
		return err
	}
	var tlsLns []*listener
	if closeFirst {
		s.mu.Lock()
		tlsPort := s.opts.TLSPort
		s.mu.Unlock()
		if tlsLns, err = s.openTCP(bind, tlsPort, true); err != nil {
			for _, l := range tcp {
				_ = l.ln.Close()
			}
			return err
		}
	}
	if err := s.install(tcp, false, func() { s.opts.Bind, s.opts.Port = bind, port }); err != nil {
		return err
	}
	if closeFirst {
		return s.install(tlsLns, true, nil)
	}
	return nil
}

// RebindTLS moves the TLS port's listeners to port (CONFIG SET tls-port):
// the new sockets open first, and on failure the old ones stay; port 0
// closes them.
func (s *Server) RebindTLS(port int) error {
	s.mu.Lock()
	bind := s.opts.Bind
	s.mu.Unlock()
	lns, err := s.openTCP(bind, port, true)
	if err != nil {
		return err
	}
	return s.install(lns, true, func() { s.opts.TLSPort = port })
}

// install puts lns in the place of the TCP (tlsPort false) or TLS
// listeners and starts accepting on them; update, when set, runs under
// the server's lock first.
func (s *Server) install(lns []*listener, tlsPort bool, update func()) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		for _, l := range lns {
			_ = l.ln.Close()
		}
		return errors.New("the server is closing")
	}
	if update != nil {
		update()
	}
	// One critical section with Serve's start: either Serve has not
	// started (it will accept on lns) or it has (we start their loops).
	old := s.swapListenersLocked(tlsPort, lns)
	loop, errc := s.loop, s.acceptErrs
	s.mu.Unlock()
	closeRetired(old)
	if errc != nil {
		for _, l := range lns {
			go func(l *listener) { errc <- s.acceptLoop(l, loop) }(l)
		}
	}
	return nil
}

// retire closes the TCP (tlsPort false) or TLS listeners and puts lns in
// their place.
func (s *Server) retire(tlsPort bool, lns []*listener) {
	s.mu.Lock()
	old := s.swapListenersLocked(tlsPort, lns)
	s.mu.Unlock()
	closeRetired(old)
}

// swapListenersLocked puts lns in the place of the TCP (tlsPort false) or
// TLS listeners and returns those it replaced; s.mu is held.
func (s *Server) swapListenersLocked(tlsPort bool, lns []*listener) []*listener {
	var old, keep []*listener
	for _, l := range s.lns {
		if !l.unix && l.tls == tlsPort {
			old = append(old, l)
		} else {
			keep = append(keep, l)
		}
	}
	s.lns = append(lns, keep...)
	return old
}

// closeRetired closes replaced listeners; their accept loops end quietly.
func closeRetired(old []*listener) {
	for _, l := range old {
		l.retired.Store(true)
		_ = l.ln.Close()
	}
}

func (s *Server) backlog() int {
	if s.opts.Backlog > 0 {
		return s.opts.Backlog
	}
	return 511
}

// listenBindAddr opens one address of the bind list. As Redis's
// listenToPort: a leading "-" makes the address optional; an address the
// machine does not have, or a protocol it lacks (no IPv6), is skipped with
// a warning (nil listener, nil error); any other failure is fatal.
func (s *Server) listenBindAddr(addr string, port int) (net.Listener, error) {
	optional := strings.HasPrefix(addr, "-")
	if optional {
		addr = addr[1:]
	}
	ln, err := listenTCP(addr, port, s.backlog())
	if err == nil {
		return ln, nil
	}
	s.Logf('#', "Warning: Could not create server TCP listening socket %s:%d: %v", addr, port, err)
	var se *sockError
	if errors.As(err, &se) {
		switch se.errno {
		case syscall.EADDRNOTAVAIL, syscall.ENOPROTOOPT, syscall.EPROTONOSUPPORT,
			syscall.ESOCKTNOSUPPORT, syscall.EPFNOSUPPORT, syscall.EAFNOSUPPORT:
			return nil, nil
		}
	}
	return nil, err
}

// sockError is a failed socket call, worded as Redis's anet.c words it
// ("bind: Address already in use").
type sockError struct {
	op    string
	errno syscall.Errno
}

func (e *sockError) Error() string { return e.op + ": " + strerror(e.errno) }

// strerror spells an errno as C's strerror does (Go lower-cases the
// first letter of the same table).
func strerror(err error) string {
	msg := err.Error()
	r, n := utf8.DecodeRuneInString(msg)
	return string(unicode.ToUpper(r)) + msg[n:]
}

// resolveBindIP turns a bind address into the IP to bind: "*" is every
// IPv4 address, "::*" every IPv6 one; a name is looked up (the first
// address of the family, as getaddrinfo gives).
func resolveBindIP(addr string) (net.IP, bool, error) {
	v6 := strings.Contains(addr, ":")
	switch addr {
	case "*":
		return net.IPv4zero, false, nil
	case "::*":
		return net.IPv6unspecified, true, nil
	}
	if ip := net.ParseIP(addr); ip != nil {
		if !v6 {
			ip = ip.To4()
		}
		return ip, v6, nil
	}
	network := "ip4"
	if v6 {
		network = "ip6"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupIP(ctx, network, addr)
	if err != nil || len(ips) == 0 {
		//lint:ignore ST1005 redis-server's own wording
		return nil, v6, errors.New("Name or service not known")
	}
	if !v6 {
		return ips[0].To4(), false, nil
	}
	return ips[0], true, nil
}

// isLoopbackPeer is Redis's islocalClient for TCP: only the two exact
// loopback addresses count.
func isLoopbackPeer(a net.Addr) bool {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return false
	}
	ip := ta.IP.String()
	return ip == "127.0.0.1" || ip == "::1"
}

// unixAddr is how CLIENT LIST shows both ends of a unix socket peer, as
// Redis shows them: the socket's path and port 0.
func unixAddr(path string) string { return path + ":" + strconv.Itoa(0) }
