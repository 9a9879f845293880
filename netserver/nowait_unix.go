//go:build unix

package netserver

import (
	"errors"
	"net"
	"syscall"
)

// rawConnOf returns conn's descriptor access when conn is a socket, for
// writes that never wait (nil otherwise: those peers write blocking).
func rawConnOf(conn net.Conn) syscall.RawConn {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// writeNoWait writes what the socket takes now of bufs, in order, and
// returns how much.
func writeNoWait(rc syscall.RawConn, bufs [][]byte) (int, error) {
	off := 0
	var werr error
	err := rc.Write(func(fd uintptr) bool {
		for _, b := range bufs {
			done := 0
			for done < len(b) {
				n, err := syscall.Write(int(fd), b[done:])
				if n > 0 {
					done += n
					off += n
					continue
				}
				switch {
				case errors.Is(err, syscall.EINTR):
					continue
				case errors.Is(err, syscall.EAGAIN):
				case err != nil:
					werr = err
				default:
					werr = syscall.EIO // a 0-byte write: give up on the peer
				}
				return true // never wait for the socket: the caller hands off
			}
		}
		return true
	})
	if err == nil {
		err = werr
	}
	return off, err
}
