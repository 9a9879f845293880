//go:build !linux

package netserver

import (
	"errors"
	"net"
)

// eventLoop is Linux only (epoll); elsewhere every peer has goroutines.
type eventLoop struct{}

// errNoEventLoop reports a system without the event loop.
var errNoEventLoop = errors.New("netserver: no event loop on this system")

func newEventLoop(*Server) (*eventLoop, error) { return nil, errNoEventLoop }

func (*eventLoop) run()                             {}
func (*eventLoop) stop()                            {}
func (*eventLoop) release()                         {}
func (*eventLoop) adopt(net.Conn, peerOptions) bool { return false }

func (*eventLoop) processEventsWhileBlocked() {}
