package migrate

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goredis-dev/goredis/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeTarget is a RESP server that records the commands it gets and
// answers from a script.
type fakeTarget struct {
	ln      net.Listener
	mu      sync.Mutex
	got     []string
	accepts int
	answer  func(cmd []string) string // "" closes the connection
}

func newFakeTarget(t *testing.T, answer func([]string) string) *fakeTarget {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	f := &fakeTarget{ln: ln, answer: answer}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f.mu.Lock()
			f.accepts++
			f.mu.Unlock()
			go f.serve(c)
		}
	}()
	t.Cleanup(func() { _ = ln.Close() })
	return f
}

func (f *fakeTarget) serve(c net.Conn) {
	defer c.Close()
	rd := bufio.NewReader(c)
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			return
		}
		n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
		cmd := make([]string, n)
		for i := range cmd {
			hdr, _ := rd.ReadString('\n')
			l, _ := strconv.Atoi(strings.TrimSpace(hdr[1:]))
			buf := make([]byte, l+2)
			if _, err := ioReadFull(rd, buf); err != nil {
				return
			}
			cmd[i] = string(buf[:l])
		}
		f.mu.Lock()
		f.got = append(f.got, strings.Join(cmd, " "))
		f.mu.Unlock()
		reply := f.answer(cmd)
		if reply == "" {
			return
		}
		if _, err := c.Write([]byte(reply)); err != nil {
			return
		}
	}
}

func ioReadFull(rd *bufio.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := rd.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func (f *fakeTarget) port() string {
	_, p, _ := net.SplitHostPort(f.ln.Addr().String())
	return p
}

func restore(key string) [][]byte {
	return [][]byte{[]byte("RESTORE"), []byte(key), []byte("0"), []byte("payload")}
}

func TestMigrateExchange(t *testing.T) {
	f := newFakeTarget(t, func(cmd []string) string {
		if cmd[0] == "RESTORE" && cmd[1] == "busy" {
			return "-BUSYKEY Target key name already exists.\r\n"
		}
		return "+OK\r\n"
	})
	c := New()
	defer c.Close()
	req := &engine.MigrateRequest{Host: "127.0.0.1", Port: f.port(), Timeout: time.Second, DB: 2,
		Username: "u", Password: "p", Restores: [][][]byte{restore("a"), restore("busy")}}
	r := c.Migrate(req)
	assert.Equal(t, engine.MigrateResult{Selected: true, AuthReply: "+OK", SelectReply: "+OK",
		Replies: []string{"+OK", "-BUSYKEY Target key name already exists."}}, r)
	// The connection is cached; once the database is recorded, no SELECT.
	c.SetLastDB("127.0.0.1", f.port(), 2)
	req.Password = ""
	req.Restores = [][][]byte{restore("b")}
	r = c.Migrate(req)
	assert.Equal(t, engine.MigrateResult{Replies: []string{"+OK"}}, r)
	f.mu.Lock()
	assert.Equal(t, 1, f.accepts)
	assert.Equal(t, []string{"AUTH u p", "SELECT 2", "RESTORE a 0 payload", "RESTORE busy 0 payload", "RESTORE b 0 payload"}, f.got)
	f.mu.Unlock()
	// Forget closes it: the next exchange dials again and selects.
	c.Forget("127.0.0.1", f.port())
	r = c.Migrate(req)
	assert.True(t, r.Selected)
	f.mu.Lock()
	assert.Equal(t, 2, f.accepts)
	f.mu.Unlock()
}

func TestMigrateFailures(t *testing.T) {
	c := New()
	defer c.Close()
	// Nobody listens.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	_ = ln.Close()
	r := c.Migrate(&engine.MigrateRequest{Host: "127.0.0.1", Port: port, Timeout: time.Second, Restores: [][][]byte{restore("a")}})
	assert.True(t, r.ConnectFailed)
	// The target closes after SELECT's reply: the RESTORE reply never comes.
	f := newFakeTarget(t, func(cmd []string) string {
		if cmd[0] == "SELECT" {
			return "+OK\r\n"
		}
		return ""
	})
	r = c.Migrate(&engine.MigrateRequest{Host: "127.0.0.1", Port: f.port(), Timeout: time.Second, Restores: [][][]byte{restore("a")}})
	assert.Equal(t, engine.MigrateResult{Selected: true, SelectReply: "+OK"}, r)
	// A target that never answers: the read times out.
	silent := newFakeTarget(t, func([]string) string { time.Sleep(2 * time.Second); return "+OK\r\n" })
	r = c.Migrate(&engine.MigrateRequest{Host: "127.0.0.1", Port: silent.port(), Timeout: 200 * time.Millisecond, DB: -1, Restores: [][][]byte{restore("a")}})
	assert.True(t, r.TimedOut)
	assert.Empty(t, r.Replies)
}
