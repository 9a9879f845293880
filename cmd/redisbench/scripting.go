package main

import (
	"crypto/sha1"
	"encoding/hex"
)

// Scripting rows: the script each runs is loaded first (SCRIPT LOAD,
// FUNCTION LOAD REPLACE), then redis-benchmark sends the call as a custom
// command, so the CSV has one row and the CPU measured is the call's.
const (
	scriptIncr   = "return redis.call('INCR', KEYS[1])"
	scriptLoop   = "local n = 0 for i = 1, 100 do n = n + redis.call('INCR', KEYS[1]) end return n"
	libBenchIncr = "#!lua name=benchlib\nredis.register_function('bench_incr', function(keys, args) return redis.call('INCR', keys[1]) end)"
)

func sha1Hex(s string) string {
	h := sha1.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

func scriptBenches() map[string]typeBench {
	return map[string]typeBench{
		"evalsha_incr": {
			args:  []string{"EVALSHA", sha1Hex(scriptIncr), "1", "counter:__rand_int__"},
			setup: func() [][]string { return [][]string{{"SCRIPT", "LOAD", scriptIncr}} },
		},
		// 100 redis.call('INCR') in a Lua loop: the interpreter and the
		// bridge to the keyspace, once per iteration.
		"evalsha_loop100": {
			args:  []string{"EVALSHA", sha1Hex(scriptLoop), "1", "counter:__rand_int__"},
			setup: func() [][]string { return [][]string{{"SCRIPT", "LOAD", scriptLoop}} },
			scale: 20,
		},
		"fcall_incr": {
			args:  []string{"FCALL", "bench_incr", "1", "counter:__rand_int__"},
			setup: func() [][]string { return [][]string{{"FUNCTION", "LOAD", "REPLACE", libBenchIncr}} },
		},
	}
}
