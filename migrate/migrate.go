// Package migrate is the client side of MIGRATE: a cache of connections
// to target servers (at most 64, each closed after 10 idle seconds, as
// Redis's migrate_cached_sockets) over which the engine's RESTORE
// commands are sent and their replies read, each step bounded by the
// command's timeout.
package migrate

import (
	"bufio"
	"errors"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/goredis-dev/goredis/engine"
)

const (
	cacheItems = 64               // MIGRATE_SOCKET_CACHE_ITEMS
	cacheTTL   = 10 * time.Second // MIGRATE_SOCKET_CACHE_TTL
	chunk      = 64 * 1024        // bytes written per timed write
)

type cached struct {
	conn    net.Conn
	rd      *bufio.Reader
	lastDB  int64
	lastUse time.Time
}

// Cache implements engine.Migrator.
type Cache struct {
	mu    sync.Mutex
	conns map[string]*cached
	now   func() time.Time
}

var _ engine.Migrator = (*Cache)(nil)

// New returns an empty connection cache.
func New() *Cache { return &Cache{conns: map[string]*cached{}, now: time.Now} }

func name(host, port string) string { return host + ":" + port }

// Close closes every cached connection.
func (c *Cache) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, cs := range c.conns {
		_ = cs.conn.Close()
		delete(c.conns, k)
	}
}

// expire closes the connections idle for longer than the TTL
// (migrateCloseTimedoutSockets).
func (c *Cache) expire() {
	now := c.now()
	for k, cs := range c.conns {
		if now.Sub(cs.lastUse) > cacheTTL {
			_ = cs.conn.Close()
			delete(c.conns, k)
		}
	}
}

// CachedConnections closes the connections idle past the TTL and returns
// how many stay open.
func (c *Cache) CachedConnections() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expire()
	return len(c.conns)
}

// get returns the cached connection, or dials one (migrateGetSocket).
func (c *Cache) get(host, port string, timeout time.Duration) *cached {
	c.expire()
	k := name(host, port)
	if cs := c.conns[k]; cs != nil {
		cs.lastUse = c.now()
		return cs
	}
	if len(c.conns) >= cacheItems {
		for victim, cs := range c.conns {
			_ = cs.conn.Close()
			delete(c.conns, victim)
			break
		}
	}
	p, _ := strconv.Atoi(port)
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(host, strconv.Itoa(p)), timeout)
	if err != nil {
		return nil
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	cs := &cached{conn: conn, rd: bufio.NewReader(conn), lastDB: -1, lastUse: c.now()}
	c.conns[k] = cs
	return cs
}

// Forget closes the cached connection to host:port (migrateCloseSocket).
func (c *Cache) Forget(host, port string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := name(host, port)
	if cs := c.conns[k]; cs != nil {
		_ = cs.conn.Close()
		delete(c.conns, k)
	}
}

// SetLastDB records the selected database of a cached connection.
func (c *Cache) SetLastDB(host, port string, db int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cs := c.conns[name(host, port)]; cs != nil {
		cs.lastDB = db
	}
}

func appendCommand(b []byte, args ...[]byte) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, '\r', '\n')
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, '\r', '\n')
		b = append(b, a...)
		b = append(b, '\r', '\n')
	}
	return b
}

// readLine reads one reply line (the first line of any reply, as Redis's
// connSyncReadLine), within timeout.
func (cs *cached) readLine(timeout time.Duration) (string, error) {
	_ = cs.conn.SetReadDeadline(time.Now().Add(timeout))
	line, err := cs.rd.ReadString('\n')
	if err != nil {
		return "", err
	}
	if n := len(line); n >= 2 && line[n-2] == '\r' {
		line = line[:n-2]
	} else {
		line = line[:n-1]
	}
	if len(line) > 1023 {
		line = line[:1023]
	}
	return line, nil
}

func timedOut(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

// Migrate runs one MIGRATE exchange.
func (c *Cache) Migrate(req *engine.MigrateRequest) engine.MigrateResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	var r engine.MigrateResult
	cs := c.get(req.Host, req.Port, req.Timeout)
	if cs == nil {
		r.ConnectFailed = true
		return r
	}
	var buf []byte
	if req.Password != "" {
		if req.Username != "" {
			buf = appendCommand(buf, []byte("AUTH"), []byte(req.Username), []byte(req.Password))
		} else {
			buf = appendCommand(buf, []byte("AUTH"), []byte(req.Password))
		}
	}
	if cs.lastDB != req.DB {
		r.Selected = true
		buf = appendCommand(buf, []byte("SELECT"), strconv.AppendInt(nil, req.DB, 10))
	}
	for _, cmd := range req.Restores {
		buf = appendCommand(buf, cmd...)
	}
	for pos := 0; pos < len(buf); {
		end := min(pos+chunk, len(buf))
		_ = cs.conn.SetWriteDeadline(time.Now().Add(req.Timeout))
		n, err := cs.conn.Write(buf[pos:end])
		if err != nil || n != end-pos {
			r.WriteFailed, r.TimedOut = true, timedOut(err)
			return r
		}
		pos = end
	}
	var err error
	if req.Password != "" {
		if r.AuthReply, err = cs.readLine(req.Timeout); err != nil {
			r.ReadFailed, r.TimedOut = true, timedOut(err)
			return r
		}
	}
	if r.Selected {
		if r.SelectReply, err = cs.readLine(req.Timeout); err != nil {
			r.ReadFailed, r.TimedOut = true, timedOut(err)
			return r
		}
	}
	for range req.Restores {
		line, err := cs.readLine(req.Timeout)
		if err != nil {
			r.TimedOut = timedOut(err)
			break
		}
		r.Replies = append(r.Replies, line)
	}
	return r
}
