//go:build !unix

package netserver

import (
	"errors"
	"net"
	"os"
	"strconv"
)

// listenTCP: without unix sockets calls, net.Listen (the system's backlog).
func listenTCP(addr string, port, _ int) (net.Listener, error) {
	ip, v6, err := resolveBindIP(addr)
	if err != nil {
		return nil, err
	}
	network := "tcp4"
	if v6 {
		network = "tcp6"
	}
	return net.Listen(network, net.JoinHostPort(ip.String(), strconv.Itoa(port)))
}

func listenUnix(string, os.FileMode, int) (net.Listener, error) {
	return nil, errors.New("unix sockets are not supported on this system")
}
