package netserver

import (
	"crypto/tls"
	"net"
	"time"

	"github.com/goredis-dev/goredis/tlsconf"
)

// tlsHandshakeTimeout bounds a TLS handshake: a peer that connects and
// says nothing must not hold a goroutine forever.
const tlsHandshakeTimeout = 10 * time.Second

// SetTLS installs the TLS configuration (tlsconf.Configure's result) for
// the peers accepted from now on and the links made from now on; those
// already connected keep theirs, as with Redis's new SSL_CTX.
func (s *Server) SetTLS(c *tlsconf.Contexts) { s.tls.Store(c) }

// TLSServerConfig is the configuration a peer accepted now gets, with
// tls-auth-clients as it is now; nil before SetTLS.
func (s *Server) TLSServerConfig() *tls.Config {
	c := s.tls.Load()
	if c == nil {
		return nil
	}
	return c.Server(s.eng.Config("tls-auth-clients"))
}

// TLSClientConfig is the configuration of the links the server makes (a
// replica's link to its master); nil before SetTLS.
func (s *Server) TLSClientConfig() *tls.Config {
	c := s.tls.Load()
	if c == nil {
		return nil
	}
	return c.Client()
}

// acceptTLS does a TLS peer's handshake, then serves it as any peer (a
// goroutine reader: the event loop reads sockets, not TLS records). A
// failed handshake is logged with Redis's words and closes the peer.
func (s *Server) acceptTLS(conn net.Conn, l *listener) {
	cfg := s.TLSServerConfig()
	if cfg == nil {
		_ = conn.Close()
		return
	}
	s.setKeepAlive(conn)
	tc := tls.Server(conn, cfg)
	_ = conn.SetDeadline(time.Now().Add(tlsHandshakeTimeout))
	if err := tc.Handshake(); err != nil {
		s.Logf('#', "Error accepting a client connection: %v", err)
		_ = conn.Close()
		return
	}
	_ = conn.SetDeadline(time.Time{})
	s.accept(tc, nil, l)
}
