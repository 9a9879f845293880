// Command evictbench measures eviction quality: a cache-aside workload
// (GET; on a miss, SET) over Zipf-distributed keys runs against GoRedis and
// a real redis-server at the same data budget, once per maxmemory-policy,
// and prints each policy's hit rate on both, side by side.
//
//	go run ./cmd/evictbench [-goredis bin/goredis] [-keys 200000] [-ops 400000]
//
// Each server gets maxmemory = its own used_memory when empty + -budget,
// so both hold the same data whatever their fixed overhead. The key
// sequence comes from one seed: both servers see the same requests. Runs
// alternate between the servers. Every key is written with a deadline
// (random, the same on both) so the volatile policies have candidates.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

type server struct {
	name string
	cmd  *exec.Cmd
	cli  *redis.Client
}

func start(name, bin string, port int) (*server, error) {
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	cli := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port), Protocol: 2})
	ctx := context.Background()
	for i := 0; ; i++ {
		if cli.Ping(ctx).Err() == nil {
			break
		}
		if i == 100 {
			_ = cmd.Process.Kill()
			return nil, fmt.Errorf("%s did not start", name)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return &server{name: name, cmd: cmd, cli: cli}, nil
}

func (s *server) stop() {
	_ = s.cli.Close()
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

func usedMemory(ctx context.Context, c *redis.Client) (int64, error) {
	info, err := c.Info(ctx, "memory").Result()
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(l, "used_memory:"); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, fmt.Errorf("no used_memory")
}

type params struct {
	keys, ops, warmup, valueSize, pipeline int
	budget                                 int64
	// scale multiplies the budget (GoRedis's, with -same-keys).
	scale float64
	zipfS float64
	seed  uint64
}

// run plays the workload once and returns the hit rate (after warm-up)
// and the number of evicted keys.
func run(ctx context.Context, s *server, policy string, p params) (float64, int64, error) {
	c := s.cli
	if err := c.ConfigSet(ctx, "maxmemory", "0").Err(); err != nil {
		return 0, 0, err
	}
	c.FlushAll(ctx)
	c.ConfigResetStat(ctx)
	base, err := usedMemory(ctx, c)
	if err != nil {
		return 0, 0, err
	}
	if err := c.ConfigSet(ctx, "maxmemory-policy", policy).Err(); err != nil {
		return 0, 0, err
	}
	budget := p.budget
	if p.scale > 0 {
		budget = int64(float64(budget) * p.scale)
	}
	if err := c.ConfigSet(ctx, "maxmemory", strconv.FormatInt(base+budget, 10)).Err(); err != nil {
		return 0, 0, err
	}
	rng := rand.New(rand.NewPCG(p.seed, p.seed))
	zipf := rand.NewZipf(rng, p.zipfS, 1, uint64(p.keys-1))
	value := strings.Repeat("v", p.valueSize)
	hits, lookups := 0, 0
	keys := make([]string, p.pipeline)
	for done := 0; done < p.ops; done += p.pipeline {
		pipe := c.Pipeline()
		gets := make([]*redis.StringCmd, p.pipeline)
		for i := range keys {
			keys[i] = "key:" + strconv.FormatUint(zipf.Uint64(), 10)
			gets[i] = pipe.Get(ctx, keys[i])
		}
		if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
			return 0, 0, err
		}
		pipe = c.Pipeline()
		for i, g := range gets {
			hit := g.Err() == nil
			if done >= p.warmup {
				lookups++
				if hit {
					hits++
				}
			}
			if !hit {
				ttl := time.Duration(1000+rng.IntN(100000)) * time.Second
				pipe.Set(ctx, keys[i], value, ttl)
			}
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return 0, 0, fmt.Errorf("%s %s: %w", s.name, policy, err)
		}
	}
	stats, err := c.Info(ctx, "stats").Result()
	if err != nil {
		return 0, 0, err
	}
	var evicted int64
	for _, l := range strings.Split(stats, "\r\n") {
		if v, ok := strings.CutPrefix(l, "evicted_keys:"); ok {
			evicted, _ = strconv.ParseInt(v, 10, 64)
		}
	}
	c.ConfigSet(ctx, "maxmemory", "0")
	return float64(hits) / float64(lookups) * 100, evicted, nil
}

// bytesPerKey measures what one key of the workload costs on a server:
// used_memory's growth over 20000 keys, divided.
func bytesPerKey(ctx context.Context, c *redis.Client, valueSize int) (float64, error) {
	const n = 20000
	c.ConfigSet(ctx, "maxmemory", "0")
	c.FlushAll(ctx)
	before, err := usedMemory(ctx, c)
	if err != nil {
		return 0, err
	}
	value := strings.Repeat("v", valueSize)
	pipe := c.Pipeline()
	for i := 0; i < n; i++ {
		pipe.Set(ctx, "key:"+strconv.Itoa(100000+i), value, time.Hour)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, err
	}
	after, err := usedMemory(ctx, c)
	c.FlushAll(ctx)
	return float64(after-before) / n, err
}

func main() {
	goredisBin := flag.String("goredis", "bin/goredis", "GoRedis binary")
	redisBin := flag.String("redis", "redis-server", "redis-server binary")
	goredisPort := flag.Int("goredis-port", 7391, "GoRedis port")
	redisPort := flag.Int("redis-port", 7392, "redis-server port")
	var p params
	flag.IntVar(&p.keys, "keys", 200000, "distinct keys")
	flag.IntVar(&p.ops, "ops", 400000, "lookups per policy and server")
	flag.IntVar(&p.warmup, "warmup", 100000, "lookups before hits are counted")
	flag.IntVar(&p.valueSize, "value", 100, "value size in bytes")
	flag.IntVar(&p.pipeline, "pipeline", 100, "lookups per round trip")
	flag.Int64Var(&p.budget, "budget", 8<<20, "maxmemory over each server's empty used_memory")
	flag.Float64Var(&p.zipfS, "zipf", 1.1, "Zipf exponent (> 1)")
	flag.Uint64Var(&p.seed, "seed", 1, "seed of the key sequence")
	sameKeys := flag.Bool("same-keys", false, "scale GoRedis's budget by its bytes per key over Redis's, so both hold as many keys: compares the eviction algorithms alone")
	policies := flag.String("policies", "allkeys-lru,allkeys-lfu,allkeys-random,volatile-lru,volatile-lfu,volatile-random,volatile-ttl", "policies to run")
	flag.Parse()
	ctx := context.Background()
	g, err := start("goredis", *goredisBin, *goredisPort)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer g.stop()
	r, err := start("redis", *redisBin, *redisPort)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer r.stop()
	gp := p
	gk, err1 := bytesPerKey(ctx, g.cli, p.valueSize)
	rk, err2 := bytesPerKey(ctx, r.cli, p.valueSize)
	if err1 != nil || err2 != nil {
		fmt.Fprintln(os.Stderr, err1, err2)
		os.Exit(1)
	}
	fmt.Printf("Zipf s=%.2f over %d keys, %d-byte values, %.1f MB budget, %d lookups (%d warm-up)\n",
		p.zipfS, p.keys, p.valueSize, float64(p.budget)/(1<<20), p.ops, p.warmup)
	fmt.Printf("used_memory per key: GoRedis %.0f bytes, Redis %.0f bytes", gk, rk)
	if *sameKeys {
		gp.scale = gk / rk
		fmt.Printf("; GoRedis's budget scaled by %.2f (-same-keys)", gp.scale)
	}
	fmt.Print("\n\n")
	fmt.Println("| policy | GoRedis hit % | Redis hit % | diff (points) | GoRedis evicted | Redis evicted |")
	fmt.Println("|---|---|---|---|---|---|")
	worst := 0.0
	for _, policy := range strings.Split(*policies, ",") {
		gh, ge, err := run(ctx, g, policy, gp)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		rh, re, err := run(ctx, r, policy, p)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		d := gh - rh
		worst = max(worst, max(d, -d))
		fmt.Printf("| %s | %.2f | %.2f | %+.2f | %d | %d |\n", policy, gh, rh, d, ge, re)
	}
	fmt.Printf("\nlargest difference: %.2f points\n", worst)
}
