package engine

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestHLLRandomDiffRedis runs seeded random HyperLogLog scripts on the
// engine and on a real redis-server (GOREDIS_DIFF_ADDR; skipped when
// unset): the raw bytes of the values (GET), the estimates, the sparse
// opcodes (PFDEBUG DECODE), promotion to dense at a small
// hll-sparse-max-bytes, merges, and values corrupted with SETRANGE.
func TestHLLRandomDiffRedis(t *testing.T) {
	for seed := uint64(1); seed < 5; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { hllRandomDiff(t, seed) })
	}
}

func hllRandomDiff(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(13, seed))
	keys := []string{"h1", "h2", "h3"}
	key := func() string { return keys[rng.IntN(len(keys))] }
	elems := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, " e%d", rng.IntN(20000))
		}
		return b.String()
	}
	script := []string{"CONFIG SET hll-sparse-max-bytes " + fmt.Sprint(200+rng.IntN(800))}
	for i := 0; i < 1500; i++ {
		k := key()
		var cmd string
		switch rng.IntN(14) {
		case 0, 1, 2, 3:
			cmd = "PFADD " + k + elems(1+rng.IntN(8))
		case 4:
			cmd = "PFADD " + k + elems(50+rng.IntN(200))
		case 5, 6:
			cmd = "PFCOUNT " + k
		case 7:
			cmd = fmt.Sprintf("PFCOUNT %s %s %s", k, key(), key())
		case 8:
			cmd = fmt.Sprintf("PFMERGE %s %s", k, key())
		case 9:
			cmd = "PFDEBUG ENCODING " + k
		case 10:
			cmd = "PFDEBUG DECODE " + k
		case 11:
			if rng.IntN(6) == 0 {
				cmd = "PFDEBUG TODENSE " + k
			} else {
				cmd = "GET " + k
			}
		case 12:
			if rng.IntN(4) != 0 {
				cmd = "PFADD " + k + elems(1)
				break
			}
			// Corrupt a byte somewhere (header, opcodes or registers).
			cmd = fmt.Sprintf("SETRANGE %s %d %s", k, rng.IntN(40), []string{"\xff", "\x7f", "\x00", "\x40", "x"}[rng.IntN(5)])
		case 13:
			if rng.IntN(2) == 0 {
				cmd = "DEL " + k
			} else {
				cmd = "PFADD " + k
			}
		}
		script = append(script, cmd)
		if i%40 == 39 {
			script = append(script, "GET h1", "GET h2", "GET h3")
		}
	}
	diffScript(t, false, script)
}
