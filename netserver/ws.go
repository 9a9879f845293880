//go:build !(js && wasm)

package netserver

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/goredis-dev/goredis/engine"
	"github.com/gorilla/websocket"
)

// WebSocket timing, as in gorilla/websocket's chat example: the peer must
// answer pings within pongWait; pings go out a little more often.
const (
	wsWriteWait      = 10 * time.Second
	wsPongWait       = 60 * time.Second
	wsPingPeriod     = wsPongWait * 9 / 10
	wsMaxMessageSize = 64 << 20
	wsInboxFrames    = 16 // pieces read ahead of the command loop
	wsChunkSize      = 16 << 10
)

// WSOptions configure the WebSocket bridge.
type WSOptions struct {
	// AllowedOrigins lists the browser origins that may connect
	// ("https://a.example"); empty means the page's own origin only.
	AllowedOrigins []string
	// Sandbox, when set, gives each WebSocket peer a private keyspace and
	// these quotas. Peers that connect with the same ?keyspace=<token>
	// (16 to 64 of A-Z a-z 0-9 - _, chosen at random by the page) share
	// one private keyspace, so a page's terminals, keyspace explorer and
	// tutorial checks see the same keys; no one else can join it without
	// the token. It lives while one of them is connected.
	Sandbox *engine.Sandbox
	// MaxConnsPerIP caps simultaneous WebSocket peers from one address
	// (0: no cap).
	MaxConnsPerIP int
	// IdleTimeout closes WebSocket peers idle this long (0: never).
	IdleTimeout time.Duration
	// WriteTimeout disconnects a peer that does not take a frame within
	// this long (a slow browser), as client-output-buffer-limit would;
	// 0 means 10 seconds.
	WriteTimeout time.Duration
}

// WebSocketHandler returns the bridge: each WebSocket is a peer exactly
// like a TCP one (same reader, same session, same dispatcher). Binary
// frames carry RESP, a command may span frames, and text frames carry
// inline commands.
func (s *Server) WebSocketHandler(o WSOptions) http.Handler {
	b := &wsBridge{srv: s, opts: o, perIP: map[string]int{}, groups: map[string]*sandboxGroup{}}
	b.up = websocket.Upgrader{
		ReadBufferSize:  16 << 10,
		WriteBufferSize: 16 << 10,
		Subprotocols:    []string{"resp"},
		CheckOrigin:     b.originAllowed,
	}
	return b
}

type wsBridge struct {
	srv  *Server
	opts WSOptions
	up   websocket.Upgrader

	mu     sync.Mutex
	perIP  map[string]int
	groups map[string]*sandboxGroup // by ?keyspace= token
}

// sandboxGroup is the private keyspace the peers with one token share.
type sandboxGroup struct {
	ks    *engine.Keyspace
	peers int
}

// maxGroupPeers caps the peers sharing one sandbox keyspace: a page opens
// a few (terminals, the keyspace explorer, the tutorial's checks); the cap
// keeps one token from multiplying its share of the server.
const maxGroupPeers = 16

// validToken reports whether t can name a sandbox group: long enough to be
// unguessable when chosen at random, short and plain enough to keep.
func validToken(t string) bool {
	if len(t) < 16 || len(t) > 64 {
		return false
	}
	for _, c := range []byte(t) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// joinGroup returns the keyspace of token's group, made on first use, or
// an error to answer the upgrade with.
func (b *wsBridge) joinGroup(token string) (*engine.Keyspace, string) {
	if !validToken(token) {
		return nil, "keyspace token must be 16 to 64 letters, digits, - or _"
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	g := b.groups[token]
	if g == nil {
		g = &sandboxGroup{ks: b.srv.eng.NewKeyspace()}
		b.groups[token] = g
	}
	if g.peers >= maxGroupPeers {
		return nil, "too many connections share this keyspace"
	}
	g.peers++
	return g.ks, ""
}

func (b *wsBridge) leaveGroup(token string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if g := b.groups[token]; g != nil {
		if g.peers--; g.peers <= 0 {
			delete(b.groups, token)
		}
	}
}

// originAllowed accepts requests without an Origin (non-browser clients),
// from the page's own origin, or from the allow-list.
func (b *wsBridge) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	for _, o := range b.opts.AllowedOrigins {
		if strings.EqualFold(strings.TrimRight(o, "/"), origin) {
			return true
		}
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}

func (b *wsBridge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !b.originAllowed(r) {
		http.Error(w, "origin not allowed", http.StatusForbidden)
		return
	}
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	var ks *engine.Keyspace
	token := r.URL.Query().Get("keyspace")
	if b.opts.Sandbox != nil && token != "" {
		var why string
		if ks, why = b.joinGroup(token); ks == nil {
			http.Error(w, why, http.StatusBadRequest)
			return
		}
	}
	leave := func() {
		if ks != nil {
			b.leaveGroup(token)
		}
	}
	if !b.acquire(ip) {
		leave()
		http.Error(w, "too many connections from your address", http.StatusTooManyRequests)
		return
	}
	ws, err := b.up.Upgrade(w, r, nil)
	if err != nil {
		b.release(ip)
		leave()
		return // Upgrade has replied
	}
	conn := newWSConn(ws, func() {
		b.release(ip)
		leave()
	})
	if b.opts.WriteTimeout > 0 {
		conn.writeWait = b.opts.WriteTimeout
	}
	b.srv.serveConn(conn, peerOptions{kind: "ws", sandbox: b.opts.Sandbox, keyspace: ks, idle: b.opts.IdleTimeout})
}

func (b *wsBridge) acquire(ip string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.opts.MaxConnsPerIP > 0 && b.perIP[ip] >= b.opts.MaxConnsPerIP {
		return false
	}
	b.perIP[ip]++
	return true
}

func (b *wsBridge) release(ip string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.perIP[ip]--
	if b.perIP[ip] <= 0 {
		delete(b.perIP, ip)
	}
}

// wsConn presents a WebSocket as a net.Conn byte stream so the peer code
// serves it unchanged. One goroutine reads frames (handling pongs and the
// read limit) into a small bounded inbox; one pinger keeps the link alive.
// Deadlines are implemented here because a gorilla connection is broken
// after its own read deadline fires, while the peer uses deadlines to pause
// reading.
type wsConn struct {
	ws      *websocket.Conn
	inbox   chan []byte
	pending []byte
	readErr error
	done    chan struct{}
	onClose func()
	// writeWait bounds each frame write: a slow browser is disconnected.
	writeWait time.Duration

	mu       sync.Mutex
	deadline time.Time
	kick     chan struct{}

	closeOnce sync.Once
}

func newWSConn(ws *websocket.Conn, onClose func()) *wsConn {
	c := &wsConn{
		ws:        ws,
		inbox:     make(chan []byte, wsInboxFrames),
		done:      make(chan struct{}),
		kick:      make(chan struct{}, 1),
		onClose:   onClose,
		writeWait: wsWriteWait,
	}
	ws.SetReadLimit(wsMaxMessageSize)
	_ = ws.SetReadDeadline(time.Now().Add(wsPongWait))
	ws.SetPongHandler(func(string) error {
		return ws.SetReadDeadline(time.Now().Add(wsPongWait))
	})
	go c.readFrames()
	go c.ping()
	return c
}

// readFrames streams each message into the inbox in pieces of at most
// wsChunkSize bytes as they arrive, so the bytes a peer announces but has
// not sent cost nothing, and what is read ahead of the command loop stays
// within wsInboxFrames pieces: the request reader's limits
// (client-query-buffer-limit, proto-max-bulk-len) then apply as on TCP.
func (c *wsConn) readFrames() {
	defer close(c.inbox)
	var scratch [wsChunkSize]byte
	for {
		mt, r, err := c.ws.NextReader()
		if err != nil {
			c.readErr = err
			return
		}
		// Any message shows the peer is alive.
		_ = c.ws.SetReadDeadline(time.Now().Add(wsPongWait))
		var last byte
		got := false
		for {
			n, err := r.Read(scratch[:])
			if n > 0 {
				last, got = scratch[n-1], true
				if !c.deliver(append([]byte(nil), scratch[:n]...)) {
					return
				}
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				c.readErr = err
				return
			}
		}
		if mt == websocket.TextMessage && got && last != '\n' {
			// A hand-typed inline command: end its line.
			if !c.deliver([]byte("\r\n")) {
				return
			}
		}
	}
}

// deliver hands a piece of input to Read; false once the conn is closed.
func (c *wsConn) deliver(data []byte) bool {
	select {
	case c.inbox <- data:
		return true
	case <-c.done:
		return false
	}
}

func (c *wsConn) ping() {
	t := time.NewTicker(wsPingPeriod)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(wsWriteWait)); err != nil {
				_ = c.Close()
				return
			}
		}
	}
}

type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }
func (timeoutError) Unwrap() error   { return os.ErrDeadlineExceeded }

func (c *wsConn) Read(p []byte) (int, error) {
	for {
		if len(c.pending) > 0 {
			n := copy(p, c.pending)
			c.pending = c.pending[n:]
			return n, nil
		}
		c.mu.Lock()
		dl := c.deadline
		c.mu.Unlock()
		var timer <-chan time.Time
		if !dl.IsZero() {
			d := time.Until(dl)
			if d <= 0 {
				return 0, timeoutError{}
			}
			t := time.NewTimer(d)
			timer = t.C
			defer t.Stop()
		}
		select {
		case data, ok := <-c.inbox:
			if !ok {
				if c.readErr == nil || websocket.IsCloseError(c.readErr, websocket.CloseNormalClosure, websocket.CloseGoingAway, websocket.CloseNoStatusReceived) {
					return 0, io.EOF
				}
				return 0, c.readErr
			}
			c.pending = data
		case <-timer:
			return 0, timeoutError{}
		case <-c.kick:
		case <-c.done:
			return 0, net.ErrClosed
		}
	}
}

// Write sends p as one binary frame; a browser that does not take it
// within writeWait is disconnected, as a slow client would be.
func (c *wsConn) Write(p []byte) (int, error) {
	_ = c.ws.SetWriteDeadline(time.Now().Add(c.writeWait))
	if err := c.ws.WriteMessage(websocket.BinaryMessage, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (c *wsConn) Close() error {
	var err error
	c.closeOnce.Do(func() {
		close(c.done)
		_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		err = c.ws.Close()
		if c.onClose != nil {
			c.onClose()
		}
	})
	return err
}

func (c *wsConn) LocalAddr() net.Addr  { return c.ws.LocalAddr() }
func (c *wsConn) RemoteAddr() net.Addr { return c.ws.RemoteAddr() }

func (c *wsConn) SetDeadline(t time.Time) error {
	_ = c.SetReadDeadline(t)
	return c.SetWriteDeadline(t)
}

func (c *wsConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	c.deadline = t
	c.mu.Unlock()
	select {
	case c.kick <- struct{}{}:
	default:
	}
	return nil
}

func (c *wsConn) SetWriteDeadline(t time.Time) error { return c.ws.SetWriteDeadline(t) }

var _ net.Conn = (*wsConn)(nil)
