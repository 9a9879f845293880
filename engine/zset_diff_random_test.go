package engine

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestZsetRandomDiffRedis runs a long random (but seeded) script of
// deterministic zset commands on the engine and on a real redis-server
// (GOREDIS_DIFF_ADDR; skipped when unset), key by key big enough to be
// skiplists, and requires identical replies.
func TestZsetRandomDiffRedis(t *testing.T) {
	for seed := uint64(104); seed < 108; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { zsetRandomDiff(t, seed) })
	}
}

func zsetRandomDiff(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(7, seed))
	member := func() string { return fmt.Sprintf("m%d", rng.IntN(300)) }
	score := func() string {
		switch rng.IntN(8) {
		case 0:
			return "-inf"
		case 1:
			return "+inf"
		case 2:
			return fmt.Sprintf("%d.5", rng.IntN(50)-10)
		case 3:
			// fractions with no exact binary form: sums and products
			// round, so the order of operations shows in the digits
			return fmt.Sprintf("%d.%d", rng.IntN(20)-10, rng.IntN(100))
		}
		return fmt.Sprint(rng.IntN(50) - 10)
	}
	weight := func() string {
		return []string{"1", "0", "2", "0.5", "0.1", "1.3", "2.7", "-1.1", "3.14"}[rng.IntN(9)]
	}
	bound := func() string {
		switch rng.IntN(12) {
		case 0:
			return "''" // Redis's strtod reads the empty string as 0
		case 1:
			return "(" // and a bare "(" as exclusive 0
		}
		b := score()
		if rng.IntN(3) == 0 && b[0] != '-' && b[0] != '+' {
			return "(" + b
		}
		return b
	}
	lex := func() string {
		switch rng.IntN(6) {
		case 0:
			return "-"
		case 1:
			return "+"
		case 2:
			return "(" + member()
		}
		return "[" + member()
	}
	keys := []string{"z1", "z2"}
	var script []string
	for i := 0; i < 2500; i++ {
		k := keys[rng.IntN(2)]
		var cmd string
		switch rng.IntN(26) {
		case 0, 1, 2, 3:
			flags := []string{"", "NX ", "XX ", "GT ", "LT ", "CH ", "GT CH ", "XX LT CH "}[rng.IntN(8)]
			cmd = fmt.Sprintf("ZADD %s %s%s %s %s %s", k, flags, score(), member(), score(), member())
		case 4:
			cmd = fmt.Sprintf("ZINCRBY %s %d %s", k, rng.IntN(7)-3, member())
		case 5:
			cmd = fmt.Sprintf("ZREM %s %s %s", k, member(), member())
		case 6:
			cmd = fmt.Sprintf("ZRANGE %s %d %d WITHSCORES", k, rng.IntN(400)-200, rng.IntN(400)-200)
		case 7:
			rev := ""
			lo, hi := bound(), bound()
			if rng.IntN(2) == 0 {
				rev, lo, hi = "REV ", hi, lo
			}
			cmd = fmt.Sprintf("ZRANGE %s %s %s BYSCORE %sLIMIT %d %d WITHSCORES", k, lo, hi, rev, rng.IntN(20), rng.IntN(30)-1)
		case 8:
			cmd = fmt.Sprintf("ZCOUNT %s %s %s", k, bound(), bound())
		case 9:
			cmd = fmt.Sprintf("ZRANK %s %s", k, member())
		case 10:
			cmd = fmt.Sprintf("ZREVRANK %s %s", k, member())
		case 11:
			cmd = fmt.Sprintf("ZREMRANGEBYRANK %s %d %d", k, rng.IntN(40)-20, rng.IntN(40)-20)
		case 12:
			cmd = fmt.Sprintf("ZREMRANGEBYSCORE %s %s %s", k, bound(), bound())
		case 13:
			cmd = fmt.Sprintf("ZPOPMIN %s %d", k, rng.IntN(3))
		case 14:
			cmd = fmt.Sprintf("ZPOPMAX %s %d", k, rng.IntN(3))
		case 15:
			agg := []string{"SUM", "MIN", "MAX"}[rng.IntN(3)]
			cmd = fmt.Sprintf("ZUNIONSTORE z3 2 z1 z2 WEIGHTS %d %s AGGREGATE %s", rng.IntN(3), score(), agg)
		case 16:
			cmd = fmt.Sprintf("ZINTER 2 z1 z2 WEIGHTS 2 0.5 AGGREGATE %s WITHSCORES", []string{"SUM", "MIN", "MAX"}[rng.IntN(3)])
		case 17:
			cmd = fmt.Sprintf("ZRANGESTORE z3 %s %s %s BYSCORE LIMIT 0 %d", k, bound(), bound(), rng.IntN(200))
		case 18:
			cmd = "ZRANGE z3 0 -1 WITHSCORES"
		case 19:
			cmd = fmt.Sprintf("ZADD lx 0 %s 0 %s 0 %s", member(), member(), member())
		case 20:
			rev := ""
			lo, hi := lex(), lex()
			if rng.IntN(2) == 0 {
				rev, lo, hi = "REV ", hi, lo
			}
			cmd = fmt.Sprintf("ZRANGE lx %s %s BYLEX %sLIMIT %d %d", lo, hi, rev, rng.IntN(10), rng.IntN(40)-1)
		case 21:
			switch rng.IntN(3) {
			case 0:
				cmd = fmt.Sprintf("ZLEXCOUNT lx %s %s", lex(), lex())
			case 1:
				cmd = fmt.Sprintf("ZREMRANGEBYLEX lx %s %s", lex(), lex())
			default:
				cmd = fmt.Sprintf("ZDIFF 2 %s lx WITHSCORES", k)
			}
		case 22:
			cmd = fmt.Sprintf("ZADD z4 %s %s", score(), member())
		case 23:
			// three sources of different sizes: Redis adds them smallest
			// first
			agg := []string{"SUM", "SUM", "MIN", "MAX"}[rng.IntN(4)]
			op := []string{"ZUNION", "ZINTER"}[rng.IntN(2)]
			cmd = fmt.Sprintf("%s 3 z1 z2 z4 WEIGHTS %s %s %s AGGREGATE %s WITHSCORES", op, weight(), weight(), weight(), agg)
		case 24:
			op := []string{"ZUNIONSTORE", "ZINTERSTORE"}[rng.IntN(2)]
			cmd = fmt.Sprintf("%s z3 3 z4 %s z2 WEIGHTS %s %s %s", op, k, weight(), weight(), weight())
		case 25:
			lo, hi := bound(), bound()
			if rng.IntN(2) == 0 {
				cmd = fmt.Sprintf("ZRANGEBYSCORE %s %s %s WITHSCORES", k, lo, hi)
			} else {
				cmd = fmt.Sprintf("ZREVRANGEBYSCORE %s %s %s WITHSCORES", k, hi, lo)
			}
		}
		script = append(script, cmd)
		if i%100 == 99 {
			script = append(script, "ZCARD z1", "ZCARD z2", "ZRANGE z1 0 -1 WITHSCORES", "ZRANGE z2 0 -1 WITHSCORES", "ZRANGE lx 0 -1")
		}
	}
	diffScript(t, false, script)
}
