// Command hostilebench runs hostile and careless clients against GoRedis
// and a real redis-server side by side and prints a markdown table of
// what they cost everyone else: other clients' PING latency (p99, max),
// the publisher's batch latency, the server's RSS peak over its base, and
// the time to recover once the hostile clients go away.
//
//	go run ./cmd/hostilebench [-goredis bin/goredis] [-seconds 4] [-only text]
//
// Scenarios, each on a freshly started server:
//   - pipeliner: a client pipelines GET of a 1 MiB value 2,000 times and
//     never reads, then resets its connection;
//   - slow subscriber(s): 1 and 100 subscribers that never read while a
//     publisher sends 1 KiB messages in pipelined batches of 64 (default
//     client-output-buffer-limit, pubsub 32mb 8mb 60);
//   - idle: 10,000 idle connections.
//
// It builds nothing: `make bench` builds bin/goredis first. Both servers
// listen on loopback only and are stopped at the end.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type config struct {
	goredisBin, redisBin string
	goredisPort          int
	redisPort            int
	phase                time.Duration
	idleConns            int
	only                 string
}

func main() {
	var c config
	flag.StringVar(&c.goredisBin, "goredis", "bin/goredis", "goredis binary")
	flag.StringVar(&c.redisBin, "redis-server", "redis-server", "redis-server binary")
	flag.IntVar(&c.goredisPort, "goredis-port", 7109, "goredis port (loopback)")
	flag.IntVar(&c.redisPort, "redis-port", 7108, "redis-server port (loopback)")
	secs := flag.Float64("seconds", 4, "how long each hostile phase lasts")
	flag.IntVar(&c.idleConns, "idle", 10000, "idle connections in the idle scenario")
	flag.StringVar(&c.only, "only", "", "run only the scenarios whose name contains this text")
	flag.Parse()
	c.phase = time.Duration(*secs * float64(time.Second))
	if err := raiseFileLimit(c.idleConns + 1000); err != nil {
		fmt.Fprintln(os.Stderr, "hostilebench:", err)
		os.Exit(1)
	}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "hostilebench:", err)
		os.Exit(1)
	}
}

// raiseFileLimit lets this process hold n descriptors (the idle scenario).
func raiseFileLimit(n int) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	if lim.Cur >= uint64(n) {
		return nil
	}
	if lim.Max < uint64(n) {
		return fmt.Errorf("the hard open-files limit is %d; the idle scenario needs %d (ulimit -Hn)", lim.Max, n)
	}
	lim.Cur = uint64(n)
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
}

// outcome is what one scenario measured on one server.
type outcome struct {
	pingP99, pingMax time.Duration
	pings            int
	pubMax, pubP99   time.Duration // publish batches (pub/sub scenarios)
	rssBaseKB        int64
	rssPeakKB        int64
	recover          time.Duration // -1: not measured
	note             string
	err              error
}

type scenario struct {
	name string
	run  func(c config, s *server) outcome
}

func run(c config) error {
	scenarios := []scenario{
		{"pipeliner: 2,000 × GET 1 MiB, never reads, then resets", pipeliner},
		{"1 slow subscriber, 2,048 batches of 64 PUBLISH of 1 KiB (128 MB)", func(c config, s *server) outcome { return slowSubscribers(s, 1, 2048, "") }},
		// 100 × the default 32 MB would be 3.2 GB on either server.
		{"100 slow subscribers (pubsub 2mb 1mb 60), 128 batches of 64 PUBLISH of 1 KiB (8 MB each)", func(c config, s *server) outcome {
			return slowSubscribers(s, 100, 128, "pubsub 2mb 1mb 60")
		}},
		{fmt.Sprintf("%d idle connections", c.idleConns), idleConnections},
	}
	type row struct {
		name string
		g, r outcome
	}
	var rows []row
	for _, sc := range scenarios {
		if !strings.Contains(sc.name, c.only) {
			continue
		}
		fmt.Fprintf(os.Stderr, "hostilebench: %s\n", sc.name)
		var res [2]outcome
		for i, which := range []string{"goredis", "redis"} {
			bin, port := c.goredisBin, c.goredisPort
			if which == "redis" {
				bin, port = c.redisBin, c.redisPort
			}
			s, err := startServer(which, bin, port, "--maxclients", strconv.Itoa(c.idleConns+100), "--save", "")
			if err != nil {
				return err
			}
			res[i] = sc.run(c, s)
			s.stop()
		}
		rows = append(rows, row{sc.name, res[0], res[1]})
	}
	fmt.Println("| scenario | server | other clients' PING p99 / max | publish batch p99 / max | RSS peak over base | time to recover |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, r := range rows {
		for i, o := range []outcome{r.g, r.r} {
			name := [...]string{"goredis", "redis"}[i]
			fmt.Printf("| %s | %s | %s | %s | %s | %s |\n", r.name, name, pingCell(o), pubCell(o), rssCell(o), recoverCell(o))
		}
	}
	fmt.Println()
	fmt.Println("PING: a client sends PING and waits for the reply, over and over, while the hostile clients run;")
	fmt.Println("recover: from the hostile client's reset (or the last idle connection's close) until a PING is answered")
	fmt.Println("within 1 ms, the hostile client is gone from CLIENT LIST and RSS is within 32 MB of its base.")
	return nil
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) + " ms" }

func pingCell(o outcome) string {
	if o.err != nil {
		return "error: " + o.err.Error()
	}
	return fmt.Sprintf("%s / %s (%d PINGs)", ms(o.pingP99), ms(o.pingMax), o.pings)
}

func pubCell(o outcome) string {
	if o.pubMax == 0 {
		return "–"
	}
	return ms(o.pubP99) + " / " + ms(o.pubMax)
}

func rssCell(o outcome) string {
	s := strconv.FormatFloat(float64(o.rssPeakKB-o.rssBaseKB)/1024, 'f', 1, 64) + " MB"
	if o.note != "" {
		s += " (" + o.note + ")"
	}
	return s
}

func recoverCell(o outcome) string {
	if o.recover < 0 {
		return "–"
	}
	return ms(o.recover)
}

// pinger measures PING round trips until stop is closed.
type pinger struct {
	mu    sync.Mutex
	lat   []time.Duration
	err   error
	done  chan struct{}
	stopC chan struct{}
}

func startPinger(port int) *pinger {
	p := &pinger{done: make(chan struct{}), stopC: make(chan struct{})}
	go func() {
		defer close(p.done)
		c, err := dial(port)
		if err != nil {
			p.err = err
			return
		}
		defer c.Close()
		br := bufio.NewReader(c)
		for {
			select {
			case <-p.stopC:
				return
			default:
			}
			start := time.Now()
			_ = c.SetDeadline(start.Add(60 * time.Second))
			if _, err := c.Write([]byte("PING\r\n")); err != nil {
				p.err = err
				return
			}
			line, err := br.ReadString('\n')
			if err != nil || line != "+PONG\r\n" {
				p.err = fmt.Errorf("PING: %q %v", line, err)
				return
			}
			d := time.Since(start)
			p.mu.Lock()
			p.lat = append(p.lat, d)
			p.mu.Unlock()
			time.Sleep(time.Millisecond)
		}
	}()
	return p
}

func (p *pinger) stop() (p99, maxLat time.Duration, n int, err error) {
	close(p.stopC)
	<-p.done
	p99, maxLat = percentiles(p.lat)
	return p99, maxLat, len(p.lat), p.err
}

func percentiles(xs []time.Duration) (p99, maxLat time.Duration) {
	if len(xs) == 0 {
		return 0, 0
	}
	s := append([]time.Duration(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)*99/100], s[len(s)-1]
}

// rssSampler follows a server's RSS every 10 ms and keeps the peak.
type rssSampler struct {
	peak  atomic.Int64
	stopC chan struct{}
	done  chan struct{}
}

func sampleRSS(s *server) *rssSampler {
	r := &rssSampler{stopC: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			if kb, err := s.memKB("VmRSS"); err == nil && kb > r.peak.Load() {
				r.peak.Store(kb)
			}
			select {
			case <-r.stopC:
				return
			case <-t.C:
			}
		}
	}()
	return r
}

func (r *rssSampler) stop() int64 {
	close(r.stopC)
	<-r.done
	return r.peak.Load()
}

// recoverTime waits, after the hostile clients left at from, until the
// server answers a PING within 1 ms, no client named name is listed (if
// name is set) and RSS is within 32 MB of base.
func recoverTime(s *server, from time.Time, name string, baseKB int64) time.Duration {
	c, err := dial(s.port)
	if err != nil {
		return -1
	}
	defer c.Close()
	br := bufio.NewReader(c)
	deadline := from.Add(120 * time.Second)
	for time.Now().Before(deadline) {
		start := time.Now()
		_, _ = c.Write([]byte("PING\r\n"))
		_ = c.SetReadDeadline(start.Add(60 * time.Second))
		if line, err := br.ReadString('\n'); err != nil || line != "+PONG\r\n" {
			return -1
		}
		fast := time.Since(start) < time.Millisecond
		gone := true
		if name != "" {
			list, err := command(c, br, "CLIENT", "LIST")
			gone = err == nil && !strings.Contains(list, "name="+name+" ")
		}
		kb, _ := s.memKB("VmRSS")
		if fast && gone && kb-baseKB < 32<<10 {
			return time.Since(from)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return -1
}

func pipeliner(c config, s *server) outcome {
	o := outcome{recover: -1}
	val := strings.Repeat("x", 1<<20)
	if _, err := roundTrip(s.port, "SET", "big", val); err != nil {
		o.err = err
		return o
	}
	o.rssBaseKB, _ = s.memKB("VmRSS")
	rss := sampleRSS(s)
	hog, err := dial(s.port)
	if err != nil {
		o.err = err
		return o
	}
	go func() {
		_, _ = hog.Write([]byte("CLIENT SETNAME hog\r\n" + strings.Repeat("GET big\r\n", 2000)))
	}()
	p := startPinger(s.port)
	time.Sleep(c.phase)
	o.pingP99, o.pingMax, o.pings, o.err = p.stop()
	_ = hog.(*net.TCPConn).SetLinger(0)
	_ = hog.Close()
	reset := time.Now()
	o.recover = recoverTime(s, reset, "hog", o.rssBaseKB)
	o.rssPeakKB = rss.stop()
	return o
}

// slowSubscribers publishes batches of 64 messages to n subscribers that
// never read, with limit as client-output-buffer-limit (default if "").
func slowSubscribers(s *server, n, batches int, limit string) outcome {
	o := outcome{recover: -1}
	if limit != "" {
		if _, err := roundTrip(s.port, "CONFIG", "SET", "client-output-buffer-limit", limit); err != nil {
			o.err = err
			return o
		}
	}
	o.rssBaseKB, _ = s.memKB("VmRSS")
	rss := sampleRSS(s)
	var subs []net.Conn
	for i := 0; i < n; i++ {
		sc, err := dial(s.port)
		if err != nil {
			o.err = err
			return o
		}
		// A small receive buffer: the subscriber's kernel takes little.
		if tc, ok := sc.(*net.TCPConn); ok {
			_ = tc.SetReadBuffer(4096)
		}
		br := bufio.NewReader(sc)
		if _, err := command(sc, br, "SUBSCRIBE", "news"); err != nil {
			o.err = err
			return o
		}
		subs = append(subs, sc)
	}
	pub, err := dial(s.port)
	if err != nil {
		o.err = err
		return o
	}
	defer pub.Close()
	pbr := bufio.NewReader(pub)
	var batch []byte
	msg := strings.Repeat("m", 1024)
	for i := 0; i < 64; i++ {
		batch = appendCommand(batch, "PUBLISH", "news", msg)
	}
	p := startPinger(s.port)
	var lat []time.Duration
	dropped := 0
	for b := 0; b < batches; b++ {
		start := time.Now()
		_ = pub.SetDeadline(start.Add(60 * time.Second))
		if _, err := pub.Write(batch); err != nil {
			o.err = err
			break
		}
		for i := 0; i < 64; i++ {
			line, err := pbr.ReadString('\n')
			if err != nil || line[0] != ':' {
				o.err = fmt.Errorf("PUBLISH: %q %v", line, err)
				break
			}
			receivers, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
			dropped = n - receivers
		}
		if o.err != nil {
			break
		}
		lat = append(lat, time.Since(start))
	}
	var perr error
	o.pingP99, o.pingMax, o.pings, perr = p.stop()
	if o.err == nil {
		o.err = perr
	}
	o.pubP99, o.pubMax = percentiles(lat)
	o.note = fmt.Sprintf("%d of %d subscribers dropped", dropped, n)
	for _, sc := range subs {
		_ = sc.(*net.TCPConn).SetLinger(0)
		_ = sc.Close()
	}
	o.recover = recoverTime(s, time.Now(), "", o.rssBaseKB)
	o.rssPeakKB = rss.stop()
	return o
}

func idleConnections(c config, s *server) outcome {
	o := outcome{recover: -1}
	o.rssBaseKB, _ = s.memKB("VmRSS")
	rss := sampleRSS(s)
	p := startPinger(s.port)
	conns := make([]net.Conn, 0, c.idleConns)
	start := time.Now()
	for len(conns) < c.idleConns {
		ic, err := dial(s.port)
		if err != nil {
			o.err = fmt.Errorf("after %d connections: %w", len(conns), err)
			break
		}
		conns = append(conns, ic)
	}
	connected := time.Since(start)
	// Every connection is served: one round trip on the last.
	if o.err == nil {
		if _, err := command(conns[len(conns)-1], bufio.NewReader(conns[len(conns)-1]), "PING"); err != nil {
			o.err = err
		}
	}
	time.Sleep(c.phase)
	var perr error
	o.pingP99, o.pingMax, o.pings, perr = p.stop()
	if o.err == nil {
		o.err = perr
	}
	peak := rss.stop()
	o.rssPeakKB = peak
	o.note = fmt.Sprintf("%.1f KB per connection; all connected in %s", float64(peak-o.rssBaseKB)/float64(max(len(conns), 1)), ms(connected))
	for _, ic := range conns {
		_ = ic.Close()
	}
	o.recover = recoverTime(s, time.Now(), "", o.rssBaseKB)
	return o
}

func dial(port int) (net.Conn, error) {
	return net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), 10*time.Second)
}

// command sends one command and reads its reply (a line, or a bulk).
func command(c net.Conn, br *bufio.Reader, args ...string) (string, error) {
	_ = c.SetDeadline(time.Now().Add(60 * time.Second))
	if _, err := c.Write(appendCommand(nil, args...)); err != nil {
		return "", err
	}
	return readReply(br)
}

func readReply(br *bufio.Reader) (string, error) {
	line, err := br.ReadString('\n')
	if err != nil {
		return "", err
	}
	switch line[0] {
	case '$':
		n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
		if n < 0 {
			return "", nil
		}
		b := make([]byte, n+2)
		if _, err := io.ReadFull(br, b); err != nil {
			return "", err
		}
		return string(b[:n]), nil
	case '*', '>':
		n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
		var parts []string
		for i := 0; i < n; i++ {
			p, err := readReply(br)
			if err != nil {
				return "", err
			}
			parts = append(parts, p)
		}
		return strings.Join(parts, " "), nil
	case '-':
		return "", errors.New(strings.TrimSpace(line[1:]))
	}
	return strings.TrimSpace(line[1:]), nil
}

func roundTrip(port int, args ...string) (string, error) {
	c, err := dial(port)
	if err != nil {
		return "", err
	}
	defer c.Close()
	return command(c, bufio.NewReader(c), args...)
}

func appendCommand(b []byte, args ...string) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, "\r\n"...)
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, "\r\n"...)
		b = append(b, a...)
		b = append(b, "\r\n"...)
	}
	return b
}

type server struct {
	name   string
	port   int
	cmd    *exec.Cmd
	exited chan struct{}
}

func startServer(name, bin string, port int, extra ...string) (*server, error) {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if ln, err := net.Listen("tcp", addr); err != nil {
		return nil, fmt.Errorf("port %d is busy (another server?): %w", port, err)
	} else {
		_ = ln.Close()
	}
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1"}, extra...)
	if name == "goredis" {
		args = append([]string{"--http-port", "0"}, args...)
	}
	cmd := exec.Command(bin, args...)
	logf, err := os.Create(filepath.Join(os.TempDir(), fmt.Sprintf("hostilebench-%s-%d.log", name, port)))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &server{name: name, port: port, cmd: cmd, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.exited) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-s.exited:
			return nil, fmt.Errorf("%s exited at start (log in %s)", name, logf.Name())
		default:
		}
		if r, err := roundTrip(port, "PING"); err == nil && r == "PONG" {
			return s, nil
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("%s did not answer PING on port %d", name, port)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *server) stop() {
	if s == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

func (s *server) memKB(field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, field+":") {
			f := strings.Fields(l)
			return strconv.ParseInt(f[1], 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, s.cmd.Process.Pid)
}
