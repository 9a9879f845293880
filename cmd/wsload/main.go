// Command wsload is a bounded load test of the WebSocket bridge on
// loopback: N concurrent WebSocket peers each run a SET/GET loop against an
// in-process GoRedis; it reports throughput, latency percentiles and
// whether memory returns to its baseline once the peers have gone.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/netserver"
	"github.com/gorilla/websocket"
)

func main() {
	peers := flag.Int("peers", 1000, "concurrent WebSocket peers")
	cmds := flag.Int("commands", 100, "commands per peer")
	flag.Parse()
	if err := run(*peers, *cmds); err != nil {
		fmt.Fprintln(os.Stderr, "wsload:", err)
		os.Exit(1)
	}
}

func heapInUse() uint64 {
	runtime.GC()
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func run(peers, cmds int) error {
	eng := engine.New(engine.Options{})
	srv := netserver.New(eng, netserver.Options{Addr: "127.0.0.1:0", MaxClients: peers + 10})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/ws", srv.WebSocketHandler(netserver.WSOptions{}))
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()
	defer srv.Close()
	url := "ws://" + ln.Addr().String() + "/ws"

	base := heapInUse()
	dialer := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	conns := make([]*websocket.Conn, peers)
	for i := range conns {
		c, _, err := dialer.Dial(url, nil)
		if err != nil {
			return fmt.Errorf("dial %d: %w", i, err)
		}
		conns[i] = c
	}
	connected := heapInUse()

	lat := make([][]time.Duration, peers)
	var wg sync.WaitGroup
	errs := make(chan error, peers)
	start := time.Now()
	for i, c := range conns {
		wg.Add(1)
		go func(i int, c *websocket.Conn) {
			defer wg.Done()
			key := "key:" + strconv.Itoa(i)
			for j := 0; j < cmds; j++ {
				var cmd string
				if j%2 == 0 {
					cmd = "*3\r\n$3\r\nSET\r\n$" + strconv.Itoa(len(key)) + "\r\n" + key + "\r\n$1\r\nv\r\n"
				} else {
					cmd = "*2\r\n$3\r\nGET\r\n$" + strconv.Itoa(len(key)) + "\r\n" + key + "\r\n"
				}
				t0 := time.Now()
				_ = c.SetWriteDeadline(time.Now().Add(30 * time.Second))
				if err := c.WriteMessage(websocket.BinaryMessage, []byte(cmd)); err != nil {
					errs <- err
					return
				}
				_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
				_, data, err := c.ReadMessage()
				if err != nil {
					errs <- err
					return
				}
				if !strings.HasPrefix(string(data), "+OK") && !strings.HasPrefix(string(data), "$1") {
					errs <- fmt.Errorf("unexpected reply %q", data)
					return
				}
				lat[i] = append(lat[i], time.Since(t0))
			}
		}(i, c)
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		return err
	}
	for i, c := range conns {
		_ = c.Close()
		conns[i] = nil // the client side's buffers are not the server's memory
	}
	// wait for the server to notice every close
	deadline := time.Now().Add(10 * time.Second)
	for eng.Clients() > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	after := heapInUse()
	fmt.Fprintln(os.Stderr, "goroutines after close:", runtime.NumGoroutine())
	if f := os.Getenv("WSLOAD_HEAPPROFILE"); f != "" {
		if out, err := os.Create(f); err == nil {
			_ = pprof.WriteHeapProfile(out)
			out.Close()
		}
	}

	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	pct := func(p float64) time.Duration { return all[int(float64(len(all)-1)*p)] }
	fmt.Printf("| peers | commands | seconds | commands/s | p50 | p99 | heap before | heap connected | heap after close | clients left |\n")
	fmt.Printf("|---|---|---|---|---|---|---|---|---|---|\n")
	fmt.Printf("| %d | %d | %.2f | %.0f | %v | %v | %.1f MB | %.1f MB | %.1f MB | %d |\n",
		peers, len(all), elapsed.Seconds(), float64(len(all))/elapsed.Seconds(),
		pct(0.50).Round(time.Microsecond), pct(0.99).Round(time.Microsecond),
		float64(base)/1e6, float64(connected)/1e6, float64(after)/1e6, eng.Clients())
	if eng.Clients() != 0 {
		return fmt.Errorf("%d sessions still open after all peers closed", eng.Clients())
	}
	return nil
}
