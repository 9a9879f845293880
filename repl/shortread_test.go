package repl_test

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/repl"
)

// fakeMaster answers the replica's handshake with +FULLRESYNC and sends a
// diskless payload that stops half-way, then closes the connection.
func fakeMaster(t *testing.T) (port int, served chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	served = make(chan struct{}, 4)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			br := bufio.NewReader(conn)
			for {
				// Each command is an array of bulk strings.
				head, err := br.ReadString('\n')
				if err != nil {
					break
				}
				n, _ := strconv.Atoi(strings.TrimSpace(head[1:]))
				var args []string
				for range n {
					_, _ = br.ReadString('\n')
					a, _ := br.ReadString('\n')
					args = append(args, strings.TrimSpace(a))
				}
				if strings.EqualFold(args[0], "psync") {
					mark := strings.Repeat("m", 40)
					_, _ = conn.Write([]byte("+FULLRESYNC " + strings.Repeat("a", 40) + " 0\r\n$EOF:" + mark + "\r\nREDIS0010\xfa\x09redis-ver\x067.0.15\xfe\x00\xfb\x02"))
					break
				}
				if strings.EqualFold(args[0], "ping") {
					_, _ = conn.Write([]byte("+PONG\r\n"))
				} else {
					_, _ = conn.Write([]byte("+OK\r\n"))
				}
			}
			_ = conn.Close()
			served <- struct{}{}
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port, served
}

// TestShortReadFromSocket: a master that closes half-way through a
// diskless payload is a lost connection, logged as Redis logs a short read
// from the socket; the old data stays with swapdb.
func TestShortReadFromSocket(t *testing.T) {
	for _, mode := range []string{"swapdb", "on-empty-db"} {
		t.Run(mode, func(t *testing.T) {
			port, served := fakeMaster(t)
			var mu sync.Mutex
			var lines []string
			eng := engine.New(engine.Options{Config: map[string]string{"dir": t.TempDir(), "repl-diskless-load": mode}})
			f := repl.NewFollower(eng, 6379, func(l byte, format string, args ...any) {
				mu.Lock()
				lines = append(lines, string(l)+" "+strings.TrimSpace(fmt.Sprintf(format, args...)))
				mu.Unlock()
			})
			eng.SetReplicaLink(f)
			s := eng.NewSession(engine.ClientInfo{Kind: "test"})
			if mode == "swapdb" {
				s.Exec([][]byte{[]byte("SET"), []byte("old"), []byte("1")})
			}
			s.Exec([][]byte{[]byte("REPLICAOF"), []byte("127.0.0.1"), []byte(strconv.Itoa(port))})
			select {
			case <-served:
			case <-time.After(10 * time.Second):
				t.Fatal("the replica never asked")
			}
			require.Eventually(t, func() bool {
				mu.Lock()
				defer mu.Unlock()
				return strings.Contains(strings.Join(lines, "\n"), "Failed trying to load the MASTER synchronization DB from socket")
			}, 10*time.Second, 10*time.Millisecond)
			f.Stop()
			mu.Lock()
			log := strings.Join(lines, "\n")
			mu.Unlock()
			assert.Contains(t, log, "# Short read or OOM loading DB. Unrecoverable error, aborting now.")
			assert.Contains(t, log, "# Internal error in RDB reading offset ")
			assert.Contains(t, log, "function at rdb.c:3240 -> Unexpected EOF reading RDB file. Failure loading rdb format from socket, assuming connection error, resuming operation.")
			s.TakeOutput(nil)
			s.Exec([][]byte{[]byte("DBSIZE")})
			want := ":0\r\n"
			if mode == "swapdb" {
				want = ":1\r\n" // the old data stays
			}
			assert.Equal(t, want, string(s.TakeOutput(nil)))
		})
	}
}
