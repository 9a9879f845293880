//go:build unix

package netserver

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
)

// listenTCP opens a TCP listening socket as Redis's anetTcpServer does:
// SO_REUSEADDR, IPV6_V6ONLY for IPv6 (so "*" and "::*" can share a port),
// and tcp-backlog as the listen backlog, which net.Listen cannot set.
func listenTCP(addr string, port, backlog int) (net.Listener, error) {
	ip, v6, err := resolveBindIP(addr)
	if err != nil {
		return nil, err
	}
	family := syscall.AF_INET
	var sa syscall.Sockaddr
	if v6 {
		family = syscall.AF_INET6
		a := &syscall.SockaddrInet6{Port: port}
		copy(a.Addr[:], ip.To16())
		sa = a
	} else {
		a := &syscall.SockaddrInet4{Port: port}
		copy(a.Addr[:], ip.To4())
		sa = a
	}
	fd, err := newSocket(family)
	if err != nil {
		return nil, err
	}
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
		_ = syscall.Close(fd)
		return nil, &sockError{"setsockopt SO_REUSEADDR", errnoOf(err)}
	}
	if v6 {
		if err := syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, 1); err != nil {
			_ = syscall.Close(fd)
			return nil, &sockError{"setsockopt", errnoOf(err)}
		}
	}
	return bindListen(fd, sa, backlog, "", 0)
}

// listenUnix opens the unix socket with unixsocketperm's mode (0: the
// umask's), as Redis's anetUnixServer does.
func listenUnix(path string, perm os.FileMode, backlog int) (net.Listener, error) {
	const sunPathLen = 108
	if len(path) > sunPathLen-1 {
		return nil, fmt.Errorf("unix socket path too long (%d), must be under %d", len(path), sunPathLen)
	}
	fd, err := newSocket(syscall.AF_UNIX)
	if err != nil {
		return nil, err
	}
	ln, err := bindListen(fd, &syscall.SockaddrUnix{Name: path}, backlog, path, perm)
	if err != nil {
		return nil, err
	}
	// The server removes the file itself at shutdown, and logs it.
	if ul, ok := ln.(*net.UnixListener); ok {
		ul.SetUnlinkOnClose(false)
	}
	return ln, nil
}

func newSocket(family int) (int, error) {
	syscall.ForkLock.RLock()
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM, 0)
	if err == nil {
		syscall.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, &sockError{"creating socket", errnoOf(err)}
	}
	return fd, nil
}

// bindListen binds fd, applies a unix socket's mode, listens, and hands
// the socket to the Go runtime.
func bindListen(fd int, sa syscall.Sockaddr, backlog int, path string, perm os.FileMode) (net.Listener, error) {
	if err := syscall.Bind(fd, sa); err != nil {
		_ = syscall.Close(fd)
		return nil, &sockError{"bind", errnoOf(err)}
	}
	if path != "" && perm != 0 {
		_ = os.Chmod(path, perm)
	}
	if err := syscall.Listen(fd, backlog); err != nil {
		_ = syscall.Close(fd)
		return nil, &sockError{"listen", errnoOf(err)}
	}
	f := os.NewFile(uintptr(fd), "listener")
	ln, err := net.FileListener(f) // takes a duplicate of fd
	_ = f.Close()
	return ln, err
}

func errnoOf(err error) syscall.Errno {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return syscall.EINVAL
}
