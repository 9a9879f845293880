// Command replbench measures replication on GoRedis and on a real
// redis-server side by side and prints a markdown table: SET -P16
// throughput on a primary without and with one replica attached (the same
// server kind), the replica's lag under that load (from the primary's
// reply to the write being readable on the replica; p50 and p99), and the
// time a replica takes to fully synchronize a primary holding many keys
// (from REPLICAOF to the link being up with every key loaded).
//
//	go run ./cmd/replbench [-goredis bin/goredis] [-keys 1000000] [-n 1000000]
//
// It builds nothing: `make bench` builds bin/goredis first. Servers listen
// on loopback, run with the same settings (no saves, repl-diskless-sync
// yes with no delay, the replica's default disk-based load), and are
// stopped at the end.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

type config struct {
	goredisBin, redisBin, benchBin string
	port                           int
	keys, n                        int
}

func main() {
	var c config
	flag.StringVar(&c.goredisBin, "goredis", "bin/goredis", "goredis binary")
	flag.StringVar(&c.redisBin, "redis-server", "redis-server", "redis-server binary")
	flag.StringVar(&c.benchBin, "redis-benchmark", "redis-benchmark", "redis-benchmark binary")
	flag.IntVar(&c.port, "port", 7120, "first of the four loopback ports used")
	flag.IntVar(&c.keys, "keys", 1000000, "keys on the primary for the full-sync row")
	flag.IntVar(&c.n, "n", 1000000, "SET requests per throughput run")
	flag.Parse()
	var results []result
	for i, kind := range []struct{ name, bin string }{{"goredis", c.goredisBin}, {"redis", c.redisBin}} {
		r, err := measure(c, kind.name, kind.bin, c.port+2*i)
		if err != nil {
			fmt.Fprintf(os.Stderr, "replbench: %s: %v\n", kind.name, err)
			os.Exit(1)
		}
		results = append(results, r)
	}
	g, r := results[0], results[1]
	fmt.Println("| replication | goredis | redis | goredis/redis |")
	fmt.Println("|---|--:|--:|--:|")
	fmt.Printf("| SET -P16, no replica (req/s) | %.0f | %.0f | %.2f |\n", g.setAlone, r.setAlone, g.setAlone/r.setAlone)
	fmt.Printf("| SET -P16, one replica (req/s) | %.0f | %.0f | %.2f |\n", g.setReplica, r.setReplica, g.setReplica/r.setReplica)
	fmt.Printf("| replica lag p50 under that load (ms) | %.2f | %.2f | %.2f (lower is better) |\n", ms(g.lagP50), ms(r.lagP50), ms(g.lagP50)/ms(r.lagP50))
	fmt.Printf("| replica lag p99 under that load (ms) | %.2f | %.2f | %.2f (lower is better) |\n", ms(g.lagP99), ms(r.lagP99), ms(g.lagP99)/ms(r.lagP99))
	fmt.Printf("| full sync of %d keys (s) | %.2f | %.2f | %.2f (lower is better) |\n", c.keys, g.fullSync.Seconds(), r.fullSync.Seconds(), g.fullSync.Seconds()/r.fullSync.Seconds())
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

type result struct {
	setAlone, setReplica float64
	lagP50, lagP99       time.Duration
	fullSync             time.Duration
}

type server struct {
	cmd  *exec.Cmd
	dir  string
	port int
}

func start(bin string, port int, extra ...string) (*server, error) {
	dir, err := os.MkdirTemp("", "replbench-")
	if err != nil {
		return nil, err
	}
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", dir, "--enable-debug-command", "yes", "--repl-diskless-sync-delay", "0", "--logfile", filepath.Join(dir, "log")}, extra...)
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, dir: dir, port: port}
	for deadline := time.Now().Add(20 * time.Second); ; {
		c, err := net.DialTimeout("tcp", s.addr(), 100*time.Millisecond)
		if err == nil {
			_ = c.Close()
			return s, nil
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("%s did not start on port %d", bin, port)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *server) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

func (s *server) stop() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	_ = os.RemoveAll(s.dir)
}

func measure(c config, name, bin string, port int) (result, error) {
	var res result
	ctx := context.Background()
	primary, err := start(bin, port)
	if err != nil {
		return res, err
	}
	defer primary.stop()
	pc := redis.NewClient(&redis.Options{Addr: primary.addr(), Protocol: 2, ReadTimeout: 2 * time.Minute})
	defer pc.Close()

	if res.setAlone, err = setBench(c, primary.port); err != nil {
		return res, err
	}
	replica, err := start(bin, port+1, "--replicaof", "127.0.0.1", strconv.Itoa(port))
	if err != nil {
		return res, err
	}
	defer replica.stop()
	rc := redis.NewClient(&redis.Options{Addr: replica.addr(), Protocol: 2, ReadTimeout: 2 * time.Minute})
	defer rc.Close()
	if err := waitLinkUp(ctx, rc, -1); err != nil {
		return res, err
	}
	stop := make(chan struct{})
	var (
		lags []time.Duration
		wg   sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		lags = probeLag(ctx, pc, rc, stop)
	}()
	res.setReplica, err = setBench(c, primary.port)
	close(stop)
	wg.Wait()
	if err != nil {
		return res, err
	}
	if len(lags) == 0 {
		return res, errors.New("no lag probe completed")
	}
	sort.Slice(lags, func(i, j int) bool { return lags[i] < lags[j] })
	res.lagP50 = lags[len(lags)/2]
	res.lagP99 = lags[len(lags)*99/100]

	// Full synchronization: the replica leaves, the primary gets the
	// keys, and the replica comes back empty.
	if err := rc.Do(ctx, "REPLICAOF", "NO", "ONE").Err(); err != nil {
		return res, err
	}
	if err := rc.FlushAll(ctx).Err(); err != nil {
		return res, err
	}
	if err := pc.FlushAll(ctx).Err(); err != nil {
		return res, err
	}
	if err := pc.Do(ctx, "DEBUG", "POPULATE", c.keys).Err(); err != nil {
		return res, err
	}
	began := time.Now()
	if err := rc.Do(ctx, "REPLICAOF", "127.0.0.1", strconv.Itoa(port)).Err(); err != nil {
		return res, err
	}
	if err := waitLinkUp(ctx, rc, int64(c.keys)); err != nil {
		return res, err
	}
	res.fullSync = time.Since(began)
	fmt.Fprintf(os.Stderr, "replbench: %s done\n", name)
	return res, nil
}

// setBench runs redis-benchmark SET -P16 and returns its requests per second.
func setBench(c config, port int) (float64, error) {
	out, err := exec.Command(c.benchBin, "-p", strconv.Itoa(port), "-t", "set", "-P", "16", "-n", strconv.Itoa(c.n),
		"-r", "100000", "-c", "50", "--csv").Output()
	if err != nil {
		return 0, fmt.Errorf("redis-benchmark: %v", err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Split(line, ",")
		if len(f) >= 2 && strings.Trim(f[0], `"`) == "SET" {
			return strconv.ParseFloat(strings.Trim(f[1], `"`), 64)
		}
	}
	return 0, fmt.Errorf("no SET row in %q", out)
}

// waitLinkUp waits for the replica's link to be up with the sync over
// and, when keys >= 0, that many keys loaded.
func waitLinkUp(ctx context.Context, rc *redis.Client, keys int64) error {
	deadline := time.Now().Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		info, err := rc.Info(ctx, "replication").Result()
		if err == nil && strings.Contains(info, "master_link_status:up") && strings.Contains(info, "master_sync_in_progress:0") {
			if keys < 0 {
				return nil
			}
			if n, err := rc.DBSize(ctx).Result(); err == nil && n == keys {
				return nil
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return errors.New("the replica did not synchronize")
}

// probeLag writes a probe on the primary every few milliseconds and times
// how long after the primary's reply the replica serves it.
func probeLag(ctx context.Context, pc, rc *redis.Client, stop chan struct{}) []time.Duration {
	var lags []time.Duration
	for i := 0; ; i++ {
		select {
		case <-stop:
			return lags
		case <-time.After(5 * time.Millisecond):
		}
		v := strconv.Itoa(i)
		if err := pc.Set(ctx, "replbench:probe", v, 0).Err(); err != nil {
			continue
		}
		t0 := time.Now()
		for time.Since(t0) < 10*time.Second {
			if got, _ := rc.Get(ctx, "replbench:probe").Result(); got == v {
				lags = append(lags, time.Since(t0))
				break
			}
			time.Sleep(50 * time.Microsecond)
		}
	}
}
