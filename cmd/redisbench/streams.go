package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// redis-benchmark cannot run a consumer-group worker (XREADGROUP, then
// XACK of the IDs it returned), so this file drives both servers with a
// small RESP client of its own.

// readValue reads one RESP2 reply: string for simple and bulk strings,
// int64, error for error replies, []any for arrays, nil for null.
func readValue(br *bufio.Reader) (any, error) {
	line, err := br.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 3 {
		return nil, fmt.Errorf("short reply line %q", line)
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+':
		return body, nil
	case '-':
		return errors.New(body), nil
	case ':':
		return strconv.ParseInt(body, 10, 64)
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return nil, err
		}
		b := make([]byte, n+2)
		if _, err := io.ReadFull(br, b); err != nil {
			return nil, err
		}
		return string(b[:n]), nil
	case '*':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return nil, err
		}
		out := make([]any, n)
		for i := range out {
			if out[i], err = readValue(br); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("unexpected reply %q", line)
}

// conn is one benchmark connection that sends a command and reads its reply.
type conn struct {
	c  net.Conn
	br *bufio.Reader
}

func dialConn(port int) (*conn, error) {
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), 5*time.Second)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(time.Now().Add(5 * time.Minute))
	return &conn{c: c, br: bufio.NewReaderSize(c, 64<<10)}, nil
}

func (c *conn) do(args ...string) (any, error) {
	if _, err := c.c.Write(appendCommand(nil, args...)); err != nil {
		return nil, err
	}
	v, err := readValue(c.br)
	if err != nil {
		return nil, err
	}
	if e, ok := v.(error); ok {
		return nil, fmt.Errorf("%s: %w", args[0], e)
	}
	return v, nil
}

// xaddPipelined appends n entries "f1 <i> f2 v" to key with * IDs, in
// pipelined batches, and checks every reply is an ID.
func xaddPipelined(c *conn, key string, n int) error {
	errc := make(chan error, 1)
	go func() {
		for i := 0; i < n; i++ {
			v, err := readValue(c.br)
			if err != nil {
				errc <- err
				return
			}
			if s, ok := v.(string); !ok || !strings.Contains(s, "-") {
				errc <- fmt.Errorf("XADD reply %v", v)
				return
			}
		}
		errc <- nil
	}()
	const batch = 1000
	buf := make([]byte, 0, 64<<10)
	for i := 0; i < n; i += batch {
		buf = buf[:0]
		for j := i; j < min(i+batch, n); j++ {
			buf = appendCommand(buf, "XADD", key, "*", "f1", strconv.Itoa(j), "f2", "v")
		}
		if _, err := c.c.Write(buf); err != nil {
			return err
		}
	}
	return <-errc
}

// streamWorkResult is one server's worker-loop run.
type streamWorkResult struct {
	entries float64 // entries read and acknowledged per second
	rounds  float64 // XREADGROUP+XACK pairs per second
	// cpuPerPair is the server's utime+stime per XREADGROUP+XACK pair
	// (µs) over the drain, which a shared machine disturbs less than the
	// rates.
	cpuPerPair float64
	err        string
}

// benchStreamWorkers fills a stream with entries, then runs workers
// connections as consumers of one group, each looping XREADGROUP COUNT
// count, XACK of the returned IDs, until the stream is drained. It checks
// that every entry was acknowledged exactly once and nothing is pending.
func benchStreamWorkers(srv *server, entries, workers, count int) streamWorkResult {
	port := srv.port
	fail := func(err error) streamWorkResult { return streamWorkResult{err: err.Error()} }
	setup, err := dialConn(port)
	if err != nil {
		return fail(err)
	}
	defer setup.c.Close()
	const key, group = "bench:stream", "workers"
	if _, err := setup.do("DEL", key); err != nil {
		return fail(err)
	}
	if err := xaddPipelined(setup, key, entries); err != nil {
		return fail(err)
	}
	if _, err := setup.do("XGROUP", "CREATE", key, group, "0"); err != nil {
		return fail(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	acked, pairs := 0, 0
	var firstErr error
	ticksBefore, err := srv.cpuTicks()
	if err != nil {
		return fail(err)
	}
	start := time.Now()
	for w := 0; w < workers; w++ {
		c, err := dialConn(port)
		if err != nil {
			return fail(err)
		}
		defer c.c.Close()
		wg.Add(1)
		go func(c *conn, name string) {
			defer wg.Done()
			myAcked, myPairs := 0, 0
			defer func() {
				mu.Lock()
				acked += myAcked
				pairs += myPairs
				mu.Unlock()
			}()
			for {
				v, err := c.do("XREADGROUP", "GROUP", group, name, "COUNT", strconv.Itoa(count), "STREAMS", key, ">")
				if err != nil {
					mu.Lock()
					firstErr = errors.Join(firstErr, err)
					mu.Unlock()
					return
				}
				streams, _ := v.([]any)
				if len(streams) == 0 {
					return // drained: a null reply
				}
				kv, _ := streams[0].([]any)
				msgs, _ := kv[1].([]any)
				ack := []string{"XACK", key, group}
				for _, m := range msgs {
					ack = append(ack, m.([]any)[0].(string))
				}
				n, err := c.do(ack...)
				if err == nil && n != int64(len(msgs)) {
					err = fmt.Errorf("XACK of %d IDs answered %v", len(msgs), n)
				}
				if err != nil {
					mu.Lock()
					firstErr = errors.Join(firstErr, err)
					mu.Unlock()
					return
				}
				myAcked += len(msgs)
				myPairs++
			}
		}(c, "w"+strconv.Itoa(w))
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	ticksAfter, err := srv.cpuTicks()
	if err != nil {
		return fail(err)
	}
	if firstErr != nil {
		return fail(firstErr)
	}
	if acked != entries {
		return fail(fmt.Errorf("acknowledged %d of %d entries", acked, entries))
	}
	v, err := setup.do("XPENDING", key, group)
	if err != nil {
		return fail(err)
	}
	if p, _ := v.([]any); len(p) == 0 || p[0] != int64(0) {
		return fail(fmt.Errorf("XPENDING after the run: %v", v))
	}
	_, _ = setup.do("DEL", key)
	return streamWorkResult{
		entries:    float64(acked) / elapsed,
		rounds:     float64(pairs) / elapsed,
		cpuPerPair: float64(ticksAfter-ticksBefore) * 1e6 / clkTck / float64(max(pairs, 1)),
	}
}

// streamMemResult is used_memory growth per stream entry on one server.
type streamMemResult struct {
	perEntry float64
	entries  int64
	err      string
}

// streamMemory appends n entries of two small fields to one stream and
// reports (used_memory after − before) / XLEN.
func streamMemory(port, n int) streamMemResult {
	fail := func(err error) streamMemResult { return streamMemResult{err: err.Error()} }
	c, err := dialConn(port)
	if err != nil {
		return fail(err)
	}
	defer c.c.Close()
	usedMemory := func() (int64, error) {
		v, err := c.do("INFO", "memory")
		if err != nil {
			return 0, err
		}
		s, _ := v.(string)
		for _, line := range strings.Split(s, "\r\n") {
			if rest, ok := strings.CutPrefix(line, "used_memory:"); ok {
				return strconv.ParseInt(rest, 10, 64)
			}
		}
		return 0, fmt.Errorf("INFO memory has no used_memory")
	}
	before, err := usedMemory()
	if err != nil {
		return fail(err)
	}
	if err := xaddPipelined(c, "bench:mem", n); err != nil {
		return fail(err)
	}
	after, err := usedMemory()
	if err != nil {
		return fail(err)
	}
	v, err := c.do("XLEN", "bench:mem")
	if err != nil {
		return fail(err)
	}
	entries, _ := v.(int64)
	if entries == 0 {
		return fail(fmt.Errorf("XLEN %v", v))
	}
	fmt.Fprintf(os.Stderr, "stream memory on :%d: used_memory %d -> %d, XLEN %d\n", port, before, after, entries)
	return streamMemResult{perEntry: float64(after-before) / float64(entries), entries: entries}
}

// printStreams prints the stream rows.
func printStreams(work bool, workers, count int, gw, rw streamWorkResult, gm, rm *streamMemResult) {
	ratio := func(a, b float64, ok bool) string {
		if !ok || b == 0 {
			return "–"
		}
		return fmt.Sprintf("%.2f", a/b)
	}
	fmt.Println()
	if !work {
		gw.err, rw.err = "skipped", "skipped"
	}
	fmt.Printf("Streams: %d workers of one consumer group, each looping XREADGROUP COUNT %d then XACK of the IDs read, until drained\n", workers, count)
	fmt.Println("| streams | goredis | redis | ratio |")
	fmt.Println("|---|--:|--:|--:|")
	cell := func(r streamWorkResult, v float64) string {
		if r.err != "" {
			return "error: " + shorten(r.err)
		}
		return fmt.Sprintf("%.0f", v)
	}
	ok := gw.err == "" && rw.err == ""
	fmt.Printf("| entries read+acked/s | %s | %s | %s |\n", cell(gw, gw.entries), cell(rw, rw.entries), ratio(gw.entries, rw.entries, ok))
	fmt.Printf("| XREADGROUP+XACK pairs/s | %s | %s | %s |\n", cell(gw, gw.rounds), cell(rw, rw.rounds), ratio(gw.rounds, rw.rounds, ok))
	if ok {
		// Lower is better here: the ratio is redis's over goredis's, as for the rates.
		fmt.Printf("| server CPU µs per pair | %.1f | %.1f | %s |\n", gw.cpuPerPair, rw.cpuPerPair, ratio(rw.cpuPerPair, gw.cpuPerPair, ok))
	}
	if gm == nil || rm == nil {
		return
	}
	mcell := func(m *streamMemResult) string {
		if m.err != "" {
			return "error: " + shorten(m.err)
		}
		return fmt.Sprintf("%.1f", m.perEntry)
	}
	fmt.Printf("| used_memory bytes/entry (%d entries, XADD * f1 <i> f2 v) | %s | %s | %s |\n",
		max(gm.entries, rm.entries), mcell(gm), mcell(rm), ratio(gm.perEntry, rm.perEntry, gm.err == "" && rm.err == ""))
}

// streamMemoryRow starts a fresh server of each kind and measures
// streamMemory on it.
func streamMemoryRow(c config) (gm, rm *streamMemResult, err error) {
	for _, which := range []string{"goredis", "redis"} {
		var s *server
		if which == "goredis" {
			// --save "": a server that saves at exit leaves a dump.rdb that
			// the next server started here would load.
			s, err = startServer("goredis", c.goredisBin, c.goredisPort, append([]string{"--save", ""}, c.gflags...)...)
		} else {
			s, err = startServer("redis", c.redisBin, c.redisPort, "--save", "", "--appendonly", "no")
		}
		if err != nil {
			return nil, nil, err
		}
		m := streamMemory(s.port, c.streamMemEntries)
		s.stop()
		if which == "goredis" {
			gm = &m
		} else {
			rm = &m
		}
	}
	return gm, rm, nil
}
