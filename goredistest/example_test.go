package goredistest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/goredis-dev/goredis/goredistest"
	"github.com/redis/go-redis/v9"
)

// A test starts a server, points the code under test at its address,
// and checks what the code left in Redis. In a test, RunT(t) does the
// start and the Close.
func Example() {
	s, err := goredistest.Run()
	if err != nil {
		panic(err)
	}
	defer s.Close()

	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr()})
	defer rdb.Close()

	// The code under test.
	rdb.Set(ctx, "greeting", "hello", time.Hour)

	v, _ := s.Get("greeting")
	// TTLs run in real time: a few milliseconds went by.
	fmt.Println(v, s.TTL("greeting").Round(time.Second))
	// Output: hello 1h0m0s
}

// allow is a fixed-window rate limiter, as a go-redis user writes one:
// INCR a counter per caller and window, with a TTL of one window.
func allow(ctx context.Context, rdb *redis.Client, caller string, limit int64, window time.Duration) (bool, error) {
	key := "rate:" + caller
	n, err := rdb.Incr(ctx, key).Result()
	if err != nil {
		return false, err
	}
	if n == 1 {
		if err := rdb.Expire(ctx, key, window).Err(); err != nil {
			return false, err
		}
	}
	return n <= limit, nil
}

// A rate limiter built on EXPIRE: FastForward moves the server's clock
// past the window instead of sleeping through it.
func Example_rateLimiter() {
	s, err := goredistest.Run()
	if err != nil {
		panic(err)
	}
	defer s.Close()
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr()})
	defer rdb.Close()

	for i := 0; i < 4; i++ {
		ok, _ := allow(ctx, rdb, "alice", 3, time.Minute)
		fmt.Println("request", i+1, "allowed:", ok)
	}
	s.FastForward(61 * time.Second) // past the window's end
	ok, _ := allow(ctx, rdb, "alice", 3, time.Minute)
	fmt.Println("next minute allowed:", ok)
	// Output:
	// request 1 allowed: true
	// request 2 allowed: true
	// request 3 allowed: true
	// request 4 allowed: false
	// next minute allowed: true
}

// A worker that waits for jobs with BLPOP and gives up after 30 seconds:
// FastForward makes the timeout happen now.
func Example_queue() {
	s, err := goredistest.Run()
	if err != nil {
		panic(err)
	}
	defer s.Close()
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr()})
	defer rdb.Close()

	worker := func() string {
		job, err := rdb.BLPop(ctx, 30*time.Second, "jobs").Result()
		if errors.Is(err, redis.Nil) {
			return "no job, worker stops"
		}
		return "did " + job[1]
	}

	rdb.RPush(ctx, "jobs", "resize-image")
	fmt.Println(worker())

	done := make(chan string)
	go func() { done <- worker() }()
	// Wait until the worker is blocked, then move the clock past its timeout.
	for !strings.Contains(rdb.Info(ctx, "clients").Val(), "blocked_clients:1") {
		time.Sleep(time.Millisecond)
	}
	s.FastForward(31 * time.Second)
	fmt.Println(<-done)
	// Output:
	// did resize-image
	// no job, worker stops
}
