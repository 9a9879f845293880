//go:build !unix

package netserver

import (
	"errors"
	"net"
	"syscall"
)

// rawConnOf: no writes that never wait here; peers write blocking.
func rawConnOf(net.Conn) syscall.RawConn { return nil }

func writeNoWait(syscall.RawConn, [][]byte) (int, error) {
	return 0, errors.New("netserver: no non-blocking writes on this system")
}
