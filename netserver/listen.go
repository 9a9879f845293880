package netserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
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
	path string // the unix socket's path
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
// does: every address of the bind list on the port (or Addr), then the
// unix socket. Warnings go to the log; the error is the fatal line.
func (s *Server) openListeners() ([]listener, error) {
	var lns []listener
	closeAll := func() {
		for _, l := range lns {
			_ = l.ln.Close()
		}
	}
	switch {
	case s.opts.Bind == nil:
		ln, err := net.Listen("tcp", s.opts.Addr)
		if err != nil {
			return nil, err
		}
		lns = append(lns, listener{ln: ln})
	case s.opts.Port != 0:
		for _, addr := range s.opts.Bind {
			ln, err := s.listenBindAddr(addr)
			if err != nil {
				closeAll()
				return nil, &ListenError{fmt.Sprintf("Failed listening on port %d (TCP), aborting.", s.opts.Port)}
			}
			if ln != nil {
				lns = append(lns, listener{ln: ln})
			}
		}
	}
	if path := s.opts.UnixSocket; path != "" {
		_ = os.Remove(path) // as Redis: a stale socket file must not stop the start
		ln, err := listenUnix(path, s.opts.UnixSocketPerm, s.backlog())
		if err != nil {
			closeAll()
			return nil, &ListenError{"Failed opening Unix socket: " + err.Error()}
		}
		lns = append(lns, listener{ln: ln, unix: true, path: path})
	}
	if len(lns) == 0 {
		return nil, &ListenError{"Configured to not listen anywhere, exiting."}
	}
	return lns, nil
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
func (s *Server) listenBindAddr(addr string) (net.Listener, error) {
	optional := strings.HasPrefix(addr, "-")
	if optional {
		addr = addr[1:]
	}
	ln, err := listenTCP(addr, s.opts.Port, s.backlog())
	if err == nil {
		return ln, nil
	}
	s.Logf('#', "Warning: Could not create server TCP listening socket %s:%d: %v", addr, s.opts.Port, err)
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
