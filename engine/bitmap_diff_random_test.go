package engine

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestBitmapRandomDiffRedis runs a seeded random script of bit commands
// on the engine and on a real redis-server (GOREDIS_DIFF_ADDR; skipped
// when unset) and requires identical replies, including the raw bytes of
// the values (GET).
func TestBitmapRandomDiffRedis(t *testing.T) {
	for seed := uint64(1); seed < 5; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { bitmapRandomDiff(t, seed) })
	}
}

func bitmapRandomDiff(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(11, seed))
	keys := []string{"b1", "b2", "b3"}
	key := func() string { return keys[rng.IntN(len(keys))] }
	idx := func(n int) int { return rng.IntN(2*n+1) - n }
	unit := func() string { return []string{"", " BYTE", " BIT", " bit"}[rng.IntN(4)] }
	ftype := func() string {
		if rng.IntN(2) == 0 {
			return fmt.Sprintf("i%d", 1+rng.IntN(64))
		}
		return fmt.Sprintf("u%d", 1+rng.IntN(63))
	}
	offset := func() string {
		if rng.IntN(4) == 0 {
			return fmt.Sprintf("#%d", rng.IntN(20))
		}
		return fmt.Sprint(rng.IntN(400))
	}
	value := func() string {
		switch rng.IntN(5) {
		case 0:
			return fmt.Sprint(rng.Int64())
		case 1:
			return fmt.Sprint(-rng.Int64())
		case 2:
			return "9223372036854775807"
		}
		return fmt.Sprint(rng.IntN(2000) - 1000)
	}
	var script []string
	for i := 0; i < 3000; i++ {
		k := key()
		var cmd string
		switch rng.IntN(16) {
		case 0, 1, 2:
			cmd = fmt.Sprintf("SETBIT %s %d %d", k, rng.IntN(600), rng.IntN(2))
		case 3:
			cmd = fmt.Sprintf("GETBIT %s %d", k, rng.IntN(700))
		case 4:
			cmd = fmt.Sprintf("BITCOUNT %s", k)
		case 5:
			cmd = fmt.Sprintf("BITCOUNT %s %d %d%s", k, idx(90), idx(90), unit())
		case 6:
			cmd = fmt.Sprintf("BITPOS %s %d", k, rng.IntN(2))
		case 7:
			cmd = fmt.Sprintf("BITPOS %s %d %d", k, rng.IntN(2), idx(90))
		case 8:
			cmd = fmt.Sprintf("BITPOS %s %d %d %d%s", k, rng.IntN(2), idx(700), idx(700), unit())
		case 9:
			op := []string{"AND", "OR", "XOR"}[rng.IntN(3)]
			cmd = fmt.Sprintf("BITOP %s %s %s %s", op, k, key(), key())
		case 10:
			cmd = fmt.Sprintf("BITOP NOT %s %s", k, key())
		case 11, 12:
			ow := []string{"", "OVERFLOW WRAP ", "OVERFLOW SAT ", "OVERFLOW FAIL "}
			cmd = fmt.Sprintf("BITFIELD %s %sINCRBY %s %s %s GET %s %s %sSET %s %s %s", k,
				ow[rng.IntN(4)], ftype(), offset(), value(), ftype(), offset(),
				ow[rng.IntN(4)], ftype(), offset(), value())
		case 13:
			cmd = fmt.Sprintf("BITFIELD_RO %s GET %s %s GET %s %s", k, ftype(), offset(), ftype(), offset())
		case 14:
			cmd = fmt.Sprintf("SETRANGE %s %d %s", k, rng.IntN(60), []string{"\xff\xff", "abc", "\x00\x81", "0"}[rng.IntN(4)])
		case 15:
			cmd = fmt.Sprintf("DEL %s", k)
		}
		script = append(script, cmd)
		if i%50 == 49 {
			script = append(script, "GET b1", "GET b2", "GET b3")
		}
	}
	diffScript(t, false, script)
}
