package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"time"
)

// pubsubResult is one server's fan-out run: messages delivered per second
// to all subscribers.
type pubsubResult struct {
	delivered float64 // messages received per second, summed over subscribers
	err       string
}

// benchPubSub connects subscribers to one channel, publishes messages of size bytes from one connection, and
// times until every reading subscriber has them all. Loopback only, bounded
// by count and by a deadline.
func benchPubSub(port, subscribers, messages, size int) pubsubResult {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	dial := func() (net.Conn, error) { return net.DialTimeout("tcp", addr, 5*time.Second) }
	sub := appendCommand(nil, "SUBSCRIBE", "bench")
	confirm := []byte("*3\r\n$9\r\nsubscribe\r\n$5\r\nbench\r\n:1\r\n")
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for i := 0; i < subscribers; i++ {
		c, err := dial()
		if err != nil {
			return pubsubResult{err: err.Error()}
		}
		conns = append(conns, c)
		if _, err := c.Write(sub); err != nil {
			return pubsubResult{err: err.Error()}
		}
		buf := make([]byte, len(confirm))
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.ReadFull(c, buf); err != nil || !bytes.Equal(buf, confirm) {
			return pubsubResult{err: fmt.Sprintf("subscribe: %q %v", buf, err)}
		}
	}

	payload := bytes.Repeat([]byte("x"), size)
	msg := appendCommand(nil, "PUBLISH", "bench", string(payload))
	// what each subscriber receives per message
	push := fmt.Appendf(nil, "*3\r\n$7\r\nmessage\r\n$5\r\nbench\r\n$%d\r\n%s\r\n", size, payload)
	deadline := time.Now().Add(60 * time.Second)
	var wg sync.WaitGroup
	errs := make(chan error, subscribers)
	start := time.Now()
	for _, c := range conns[:subscribers] {
		wg.Add(1)
		go func(c net.Conn) {
			defer wg.Done()
			_ = c.SetReadDeadline(deadline)
			r := bufio.NewReaderSize(c, 64<<10)
			want := len(push) * messages
			if _, err := io.CopyN(io.Discard, r, int64(want)); err != nil {
				errs <- err
			}
		}(c)
	}
	pub, err := dial()
	if err != nil {
		return pubsubResult{err: err.Error()}
	}
	conns = append(conns, pub)
	go func() { _, _ = io.Copy(io.Discard, pub) }() // the receiver counts
	batch := bytes.Repeat(msg, 100)
	for sent := 0; sent < messages; sent += 100 {
		if _, err := pub.Write(batch); err != nil {
			return pubsubResult{err: err.Error()}
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		return pubsubResult{err: "subscriber: " + err.Error()}
	}
	return pubsubResult{delivered: float64(subscribers*messages) / elapsed.Seconds()}
}

// pubsubRow runs the fan-out on both servers, interleaved.
func pubsubRow(g, r *server, subscribers, messages, size int) (gr, rr pubsubResult) {
	gr = benchPubSub(g.port, subscribers, messages, size)
	rr = benchPubSub(r.port, subscribers, messages, size)
	return gr, rr
}
