// Command persistbench measures RDB persistence on GoRedis and a real
// redis-server side by side, on the same dataset (default 1M keys of mixed
// types, a fifth of them with a TTL), and prints a markdown table: SAVE
// time, dump size, load time at startup, the latency clients see while a
// BGSAVE runs (Redis forks; GoRedis snapshots without fork) and the
// extra memory the BGSAVE costs (proportional set size of the server and
// any child, peak during the save less before it).
//
//	go run ./cmd/persistbench [-goredis bin/goredis] [-keys 1000000]
//
// `make bench` builds bin/goredis first. Servers listen on loopback only and
// are stopped at the end.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	goredis := flag.String("goredis", "bin/goredis", "goredis binary")
	redis := flag.String("redis-server", "redis-server", "redis-server binary")
	keys := flag.Int("keys", 1000000, "keys in the dataset")
	port := flag.Int("port", 24500, "first loopback port to use")
	settle := flag.Duration("settle", 0, "wait this long after SAVE before the BGSAVE phase (lets a collection the SAVE caused finish)")
	only := flag.String("only", "", "measure only this server (goredis or redis): no table, the slowest requests during BGSAVE")
	flag.Parse()
	type result struct {
		name string
		r    measure
	}
	var results []result
	for i, srv := range []struct {
		name string
		bin  string
		args []string
	}{
		{"goredis", *goredis, []string{"--http-port", "0"}},
		{"redis", *redis, nil},
	} {
		if *only != "" && srv.name != *only {
			continue
		}
		r, err := run(srv.bin, srv.args, *port+i, *keys, *settle)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", srv.name, err)
			os.Exit(1)
		}
		results = append(results, result{srv.name, r})
	}
	if *only != "" {
		printSlowest(results[0].name, results[0].r)
		return
	}
	g, r := results[0].r, results[1].r
	fmt.Printf("\nRDB persistence, %d keys of mixed types (goredis vs redis-server %s)\n\n", *keys, r.version)
	fmt.Println("| measure | goredis | redis | ratio (≥1 means goredis is as good or better) |")
	fmt.Println("|---|---|---|---|")
	row := func(name string, gv, rv float64, unit string, lowerBetter bool) {
		ratio := rv / gv
		if !lowerBetter {
			ratio = gv / rv
		}
		fmt.Printf("| %s | %.3f %s | %.3f %s | %.2f× |\n", name, gv, unit, rv, unit, ratio)
	}
	row("SAVE time", g.save.Seconds(), r.save.Seconds(), "s", true)
	row("dump size", float64(g.size)/1e6, float64(r.size)/1e6, "MB", true)
	row("load at startup (DB loaded from disk)", g.load, r.load, "s", true)
	row("BGSAVE duration", g.bgsave.Seconds(), r.bgsave.Seconds(), "s", true)
	row("SAVE CPU time", g.saveCPU.Seconds(), r.saveCPU.Seconds(), "s", true)
	row("CPU time from start to DB loaded", g.loadCPU.Seconds(), r.loadCPU.Seconds(), "s", true)
	row("BGSAVE CPU time (with the clients served meanwhile)", g.bgsaveCPU.Seconds(), r.bgsaveCPU.Seconds(), "s", true)
	row("BGSAVE command latency", ms(g.bgsaveCmd), ms(r.bgsaveCmd), "ms", true)
	for _, q := range []float64{0.50, 0.99, 0.999, 1} {
		row(fmt.Sprintf("client latency during BGSAVE p%g", q*100), ms(pct(g.lat, q)), ms(pct(r.lat, q)), "ms", true)
	}
	fmt.Printf("| client requests served during BGSAVE | %d | %d | |\n", len(g.lat), len(r.lat))
	for _, q := range []float64{0.99, 1} {
		row(fmt.Sprintf("client latency without a save (%v before it) p%g", idleWindow, q*100), ms(pct(g.latIdle, q)), ms(pct(r.latIdle, q)), "ms", true)
	}
	row("extra memory during BGSAVE (PSS peak - before)", float64(g.memExtra)/1e6, float64(r.memExtra)/1e6, "MB", true)
	row("memory before BGSAVE (PSS)", float64(g.memBase)/1e6, float64(r.memBase)/1e6, "MB", true)
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// idleWindow is how long client latency is measured before the BGSAVE.
const idleWindow = 3 * time.Second

// printSlowest lists the slowest requests served during the BGSAVE with
// when they started (ms after the server process started, as GODEBUG=
// gctrace=1's @ times, and after BGSAVE), to match them with the server's
// own traces.
func printSlowest(name string, m measure) {
	idx := make([]int, len(m.lat))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return m.lat[idx[a]] > m.lat[idx[b]] })
	fmt.Printf("%s: SAVE %.3f s (CPU %.2f s), load %.3f s (CPU from start %.2f s), BGSAVE %.3f s (CPU %.2f s)\n", name,
		m.save.Seconds(), m.saveCPU.Seconds(), m.load, m.loadCPU.Seconds(), m.bgsave.Seconds(), m.bgsaveCPU.Seconds())
	fmt.Printf("%s: without a save for %v: %d requests, p99 %.3f ms, max %.3f ms\n", name, idleWindow, len(m.latIdle), ms(pct(m.latIdle, 0.99)), ms(pct(m.latIdle, 1)))
	fmt.Printf("%s: %d requests during BGSAVE (%.3f s), p99 %.3f ms, max %.3f ms; slowest:\n", name, len(m.lat), m.bgsave.Seconds(), ms(pct(m.lat, 0.99)), ms(pct(m.lat, 1)))
	for _, i := range idx[:min(15, len(idx))] {
		fmt.Printf("  %8.3f ms  at %8.3f s of the process, %8.3f s into BGSAVE\n", ms(m.lat[i]), m.latAt[i].Sub(m.procStart).Seconds(), m.latAt[i].Sub(m.bgsaveStart).Seconds())
	}
}

func pct(l []time.Duration, q float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), l...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(q * float64(len(s)-1))
	return s[i]
}

type measure struct {
	version   string
	save      time.Duration
	size      int64
	load      float64
	bgsave    time.Duration
	bgsaveCmd time.Duration
	lat       []time.Duration
	memBase   int64
	memExtra  int64
	// CPU time (user+system, the server and its reaped children) of SAVE,
	// of the startup until the dump is loaded, and of the BGSAVE with the
	// clients served meanwhile: what the phases cost apart from how busy
	// the machine is.
	saveCPU, loadCPU, bgsaveCPU time.Duration
	// latIdle is the clients' latency for idleWindow before the BGSAVE.
	latIdle []time.Duration
	// latAt is when each request of lat was sent; procStart when the
	// server was started, bgsaveStart when BGSAVE was sent.
	latAt       []time.Time
	procStart   time.Time
	bgsaveStart time.Time
}

type server struct {
	cmd  *exec.Cmd
	addr string
	log  string
}

func start(bin string, extra []string, port int, dir string) (*server, error) {
	logPath := filepath.Join(dir, "server.log")
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--dir", dir,
		"--logfile", logPath, "--appendonly", "no"}, extra...)
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, addr: "127.0.0.1:" + strconv.Itoa(port), log: logPath}
	deadline := time.Now().Add(120 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := dial(s.addr); err == nil {
			reply, _ := c.do("PING")
			c.close()
			if reply == "+PONG" {
				return s, nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("server did not start")
}

// stop ends the server with SIGTERM (so a --cpuprofile is written),
// killing it if it has not exited within 30 s.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

func run(bin string, extra []string, port, keys int, settle time.Duration) (measure, error) {
	var m measure
	dir, err := os.MkdirTemp("", "persistbench")
	if err != nil {
		return m, err
	}
	defer os.RemoveAll(dir)
	m.procStart = time.Now()
	s, err := start(bin, extra, port, dir)
	if err != nil {
		return m, err
	}
	defer func() { s.stop() }()
	c, err := dial(s.addr)
	if err != nil {
		return m, err
	}
	info, _ := c.do("INFO", "server")
	if i := strings.Index(info, "redis_version:"); i >= 0 {
		m.version = strings.Fields(info[i+14:])[0]
	}
	if err := populate(c, keys); err != nil {
		return m, err
	}
	t0 := time.Now()
	cpu0 := cpuTime(s.cmd.Process.Pid)
	if reply, err := c.do("SAVE"); err != nil || reply != "+OK" {
		return m, fmt.Errorf("SAVE: %q %v", reply, err)
	}
	m.save = time.Since(t0)
	m.saveCPU = cpuTime(s.cmd.Process.Pid) - cpu0
	st, err := os.Stat(filepath.Join(dir, "dump.rdb"))
	if err != nil {
		return m, err
	}
	m.size = st.Size()
	time.Sleep(settle)

	// BGSAVE while a reader and a writer keep going.
	m.memBase = pss(s.cmd.Process.Pid)
	var stop atomic.Bool
	var wg sync.WaitGroup
	var mu sync.Mutex
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			cc, err := dial(s.addr)
			if err != nil {
				return
			}
			defer cc.close()
			rng := rand.New(rand.NewPCG(uint64(w), 9))
			for !stop.Load() {
				k := "s:" + strconv.Itoa(rng.IntN(keys))
				t := time.Now()
				if w == 0 {
					_, err = cc.do("GET", k)
				} else {
					_, err = cc.do("SET", k, "changed-during-the-save")
				}
				d := time.Since(t)
				if err != nil {
					return
				}
				mu.Lock()
				m.lat = append(m.lat, d)
				m.latAt = append(m.latAt, t)
				mu.Unlock()
			}
		}(w)
	}
	var peak atomic.Int64
	samplerDone := make(chan struct{})
	go func() {
		defer close(samplerDone)
		for !stop.Load() {
			if v := pss(s.cmd.Process.Pid); v > peak.Load() {
				peak.Store(v)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	// The same clients for a while without a save: the latency the
	// machine gives anyway (the baseline of the rows during BGSAVE).
	time.Sleep(200 * time.Millisecond)
	mu.Lock()
	m.lat, m.latAt = m.lat[:0], m.latAt[:0]
	mu.Unlock()
	time.Sleep(idleWindow)
	mu.Lock()
	m.latIdle = append([]time.Duration(nil), m.lat...)
	m.lat, m.latAt = m.lat[:0], m.latAt[:0]
	mu.Unlock()
	t0 = time.Now()
	m.bgsaveStart = t0
	cpu0 = cpuTime(s.cmd.Process.Pid)
	reply, err := c.do("BGSAVE")
	m.bgsaveCmd = time.Since(t0)
	if err != nil || !strings.HasPrefix(reply, "+Background saving started") {
		stop.Store(true)
		wg.Wait()
		return m, fmt.Errorf("BGSAVE: %q %v", reply, err)
	}
	for {
		inf, err := c.do("INFO", "persistence")
		if err != nil {
			return m, err
		}
		if strings.Contains(inf, "rdb_bgsave_in_progress:0") {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	m.bgsave = time.Since(t0)
	m.bgsaveCPU = cpuTime(s.cmd.Process.Pid) - cpu0
	stop.Store(true)
	wg.Wait()
	<-samplerDone
	m.memExtra = max(peak.Load()-m.memBase, 0)
	c.close()

	// Load at startup.
	s.stop()
	s, err = start(bin, extra, port, dir)
	if err != nil {
		return m, err
	}
	for i := 0; i < 6000; i++ {
		b, _ := os.ReadFile(s.log)
		if mm := loadedRe.FindSubmatch(b); mm != nil {
			m.load, _ = strconv.ParseFloat(string(mm[1]), 64)
			m.loadCPU = cpuTime(s.cmd.Process.Pid)
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return m, nil
}

var loadedRe = regexp.MustCompile(`DB loaded from disk: ([0-9.]+) seconds`)

// cpuTime is the user and system time of pid and of its children it
// waited for (/proc/pid/stat utime, stime, cutime, cstime).
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name may hold spaces: fields count from its ')'.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 15 {
		return 0
	}
	var ticks int64
	for _, i := range []int{11, 12, 13, 14} { // fields 14-17 of stat(5)
		v, _ := strconv.ParseInt(f[i], 10, 64)
		ticks += v
	}
	return time.Duration(ticks) * time.Second / clockTicks
}

// clockTicks is USER_HZ, the unit of /proc's times (100 on Linux).
const clockTicks = 100

// pss is the proportional set size of pid and its children (a forked
// saving child), in bytes: shared pages count once in the sum.
func pss(pid int) int64 {
	total := readPss(pid)
	kids, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	for _, f := range strings.Fields(string(kids)) {
		if k, err := strconv.Atoi(f); err == nil {
			total += readPss(k)
		}
	}
	return total
}

func readPss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "Pss:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// populate loads the dataset: 60% strings, 10% each lists, hashes, sets
// and sorted sets of 5 to 20 elements, one key in five with a TTL.
func populate(c *conn, keys int) error {
	rng := rand.New(rand.NewPCG(1, 2))
	var batch [][]string
	flush := func() error {
		err := c.pipeline(batch)
		batch = batch[:0]
		return err
	}
	for i := 0; i < keys; i++ {
		kind := rng.IntN(10)
		n := 5 + rng.IntN(16)
		var cmd []string
		switch {
		case kind < 6:
			cmd = []string{"SET", "s:" + strconv.Itoa(i), "value:" + strconv.Itoa(rng.IntN(1<<30)) + strings.Repeat("x", rng.IntN(40))}
		case kind == 6:
			cmd = []string{"RPUSH", "l:" + strconv.Itoa(i)}
			for j := 0; j < n; j++ {
				cmd = append(cmd, "item"+strconv.Itoa(rng.IntN(1000)))
			}
		case kind == 7:
			cmd = []string{"HSET", "h:" + strconv.Itoa(i)}
			for j := 0; j < n; j++ {
				cmd = append(cmd, "field"+strconv.Itoa(j), strconv.Itoa(rng.IntN(100000)))
			}
		case kind == 8:
			cmd = []string{"SADD", "t:" + strconv.Itoa(i)}
			for j := 0; j < n; j++ {
				cmd = append(cmd, "member"+strconv.Itoa(rng.IntN(100000)))
			}
		default:
			cmd = []string{"ZADD", "z:" + strconv.Itoa(i)}
			for j := 0; j < n; j++ {
				cmd = append(cmd, strconv.Itoa(rng.IntN(1000)), "m"+strconv.Itoa(j))
			}
		}
		batch = append(batch, cmd)
		if rng.IntN(5) == 0 {
			batch = append(batch, []string{"EXPIRE", cmd[1], strconv.Itoa(3600 + rng.IntN(3600))})
		}
		if len(batch) >= 1000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

type conn struct {
	c net.Conn
	r *bufio.Reader
	w *bufio.Writer
}

func dial(addr string) (*conn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &conn{c: c, r: bufio.NewReaderSize(c, 1<<16), w: bufio.NewWriterSize(c, 1<<16)}, nil
}

func (c *conn) close() { _ = c.c.Close() }

func (c *conn) send(args []string) {
	fmt.Fprintf(c.w, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(c.w, "$%d\r\n%s\r\n", len(a), a)
	}
}

func (c *conn) do(args ...string) (string, error) {
	c.send(args)
	if err := c.w.Flush(); err != nil {
		return "", err
	}
	return c.read()
}

func (c *conn) pipeline(cmds [][]string) error {
	for _, a := range cmds {
		c.send(a)
	}
	if err := c.w.Flush(); err != nil {
		return err
	}
	for range cmds {
		r, err := c.read()
		if err != nil {
			return err
		}
		if strings.HasPrefix(r, "-") {
			return fmt.Errorf("%s", r)
		}
	}
	return nil
}

// read reads one reply; a bulk string's payload is returned without its
// header, anything else as its first line.
func (c *conn) read() (string, error) {
	line, err := c.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	switch line[0] {
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return "", nil
		}
		buf := make([]byte, n+2)
		if _, err := ioReadFull(c.r, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	case '*':
		n, _ := strconv.Atoi(line[1:])
		for i := 0; i < n; i++ {
			if _, err := c.read(); err != nil {
				return "", err
			}
		}
	}
	return line, nil
}

func ioReadFull(r *bufio.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
