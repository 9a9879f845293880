//go:build !(js && wasm)

// net/http would add about 2 MB to a wasm build: the HTTP side is left
// out there (the wasm build itself only imports netserver/resp).

package netserver

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/goredis-dev/goredis/playground"
)

// HTTP timeouts: the page's files are small, and slow peers must not hold
// connections forever.
const (
	httpReadHeaderTimeout = 10 * time.Second
	httpIdleTimeout       = 120 * time.Second
)

// HTTPHandler is what the HTTP port serves: the playground at / and the
// WebSocket bridge to this server's engine at /ws.
func (s *Server) HTTPHandler(o WSOptions) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/ws", s.WebSocketHandler(o))
	mux.Handle("/", playground.Handler(playground.Files()))
	return mux
}

// HTTPServer serves HTTPHandler on its own port (--http-port).
type HTTPServer struct {
	srv  *http.Server
	rsrv *Server
	mu   sync.Mutex
	ln   net.Listener
	addr string
	tls  bool
}

// UseTLS makes the HTTP side serve https:// and wss:// with the RESP
// server's TLS configuration (SetTLS; tls-auth-clients applies, so
// browsers without a client certificate need it "no" or "optional");
// call it before Listen.
func (h *HTTPServer) UseTLS() { h.tls = true }

// NewHTTP returns the HTTP side of srv, listening on addr once Listen is
// called.
func NewHTTP(srv *Server, addr string, o WSOptions) *HTTPServer {
	return &HTTPServer{
		addr: addr,
		rsrv: srv,
		srv: &http.Server{
			Handler:           srv.HTTPHandler(o),
			ReadHeaderTimeout: httpReadHeaderTimeout,
			IdleTimeout:       httpIdleTimeout,
		},
	}
}

// Listen opens the listener.
func (h *HTTPServer) Listen() error {
	ln, err := net.Listen("tcp", h.addr)
	if err != nil {
		return err
	}
	if h.tls {
		if h.rsrv.TLSServerConfig() == nil {
			_ = ln.Close()
			return errors.New("TLS is not configured (tls-cert-file, tls-key-file)")
		}
		// Each handshake takes the configuration as it is then: CONFIG SET
		// of the certificates applies to the HTTP side too.
		ln = tls.NewListener(ln, &tls.Config{
			GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
				return h.rsrv.TLSServerConfig(), nil
			},
		})
	}
	h.mu.Lock()
	h.ln = ln
	h.mu.Unlock()
	return nil
}

// Addr is the bound address (useful with port 0), nil before Listen.
func (h *HTTPServer) Addr() net.Addr {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ln == nil {
		return nil
	}
	return h.ln.Addr()
}

// Serve answers requests until Shutdown, then returns nil.
func (h *HTTPServer) Serve() error {
	h.mu.Lock()
	ln := h.ln
	h.mu.Unlock()
	if ln == nil {
		return errors.New("netserver: HTTP Serve before Listen")
	}
	if err := h.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Shutdown stops accepting and waits for requests in flight, within ctx.
func (h *HTTPServer) Shutdown(ctx context.Context) error {
	return h.srv.Shutdown(ctx)
}
