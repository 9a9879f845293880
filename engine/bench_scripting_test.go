package engine

import (
	"strings"
	"testing"
)

// Scripting benchmarks: the EVALSHA and FCALL paths from the dispatcher
// through the Lua bridge and back (the script's redis.call goes through
// the gate like any command).

const (
	benchIncrScript = "return redis.call('INCR', KEYS[1])"
	benchLoopScript = "local n = 0 for i = 1, 100 do n = n + redis.call('INCR', KEYS[1]) end return n"
)

func benchScript(b *testing.B, body string) {
	s, run := benchSession(b)
	run(argv("SCRIPT", "LOAD", body))
	if out := string(s.TakeOutput(nil)); strings.HasPrefix(out, "-") {
		b.Fatal(out)
	}
	args := argv("EVALSHA", SHA1ForTest(body), "1", "counter")
	b.ReportAllocs()
	for b.Loop() {
		run(args)
	}
}

func BenchmarkEvalShaIncr(b *testing.B) { benchScript(b, benchIncrScript) }

func BenchmarkEvalShaLoop100(b *testing.B) { benchScript(b, benchLoopScript) }

// BenchmarkEvalIncr sends the body each time (EVAL looks it up by SHA1).
func BenchmarkEvalIncr(b *testing.B) {
	_, run := benchSession(b)
	args := argv("EVAL", benchIncrScript, "1", "counter")
	b.ReportAllocs()
	for b.Loop() {
		run(args)
	}
}

func BenchmarkFcallIncr(b *testing.B) {
	_, run := benchSession(b)
	run(argv("FUNCTION", "LOAD", "#!lua name=benchlib\nredis.register_function('bench_incr', function(keys, args) return redis.call('INCR', keys[1]) end)"))
	args := argv("FCALL", "bench_incr", "1", "counter")
	b.ReportAllocs()
	for b.Loop() {
		run(args)
	}
}
