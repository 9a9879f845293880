package engine

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestSetRandomDiffRedis runs a seeded random script of deterministic set
// commands on the engine and on a real redis-server (GOREDIS_DIFF_ADDR;
// skipped when unset). Hashtable sets are compared through SORT ... ALPHA,
// since their member order is the hash table's.
func TestSetRandomDiffRedis(t *testing.T) {
	for seed := uint64(1); seed < 4; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { setRandomDiff(t, seed) })
	}
}

func setRandomDiff(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(11, seed))
	member := func() string {
		if rng.IntN(10) == 0 {
			return fmt.Sprintf("x%d", rng.IntN(50))
		}
		return fmt.Sprint(rng.IntN(700) - 100)
	}
	keys := []string{"s1", "s2", "s3"}
	key := func() string { return keys[rng.IntN(3)] }
	var script []string
	for i := 0; i < 2000; i++ {
		var cmd string
		switch rng.IntN(12) {
		case 0, 1, 2:
			cmd = fmt.Sprintf("SADD %s %s %s %s", key(), member(), member(), member())
		case 3:
			cmd = fmt.Sprintf("SREM %s %s %s", key(), member(), member())
		case 4:
			cmd = fmt.Sprintf("SISMEMBER %s %s", key(), member())
		case 5:
			cmd = fmt.Sprintf("SMISMEMBER %s %s %s", key(), member(), member())
		case 6:
			cmd = fmt.Sprintf("SMOVE %s %s %s", key(), key(), member())
		case 7:
			cmd = fmt.Sprintf("SINTERCARD 2 %s %s LIMIT %d", key(), key(), rng.IntN(5))
		case 8:
			op := []string{"SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"}[rng.IntN(3)]
			cmd = fmt.Sprintf("%s d %s %s", op, key(), key())
		case 9:
			cmd = "SORT d ALPHA"
		case 10:
			cmd = fmt.Sprintf("SCARD %s", key())
		case 11:
			cmd = fmt.Sprintf("SORT %s ALPHA LIMIT %d 20", key(), rng.IntN(30))
		}
		script = append(script, cmd)
		if i%100 == 99 {
			script = append(script, "SORT s1 ALPHA", "SORT s2 ALPHA", "SORT s3 ALPHA")
		}
	}
	diffScript(t, false, script)
}
