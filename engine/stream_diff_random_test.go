package engine

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestStreamRandomDiffRedis runs long random (seeded) scripts of stream
// commands on the engine and on a real redis-server (GOREDIS_DIFF_ADDR;
// skipped when unset) and requires identical replies: appends with
// explicit, partial and stale IDs into small nodes, exact and approximate
// trimming, deletions, ranges, consumer groups reading, acknowledging and
// claiming, the counters XINFO reports, and DUMP payloads of streams
// without groups. Replies that carry the clock (idle times) are compared
// by kind only.
func TestStreamRandomDiffRedis(t *testing.T) {
	for seed := uint64(1); seed < 5; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { streamRandomDiff(t, seed) })
	}
}

func streamRandomDiff(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(15, seed))
	keys := []string{"s1", "s2"}
	ms := map[string]int{}
	id := func() string {
		switch rng.IntN(6) {
		case 0:
			return fmt.Sprintf("%d", rng.IntN(120))
		case 1:
			return "-"
		case 2:
			return "+"
		}
		return fmt.Sprintf("%d-%d", rng.IntN(120), rng.IntN(4))
	}
	bound := func() string {
		b := id()
		if rng.IntN(4) == 0 && b != "-" && b != "+" {
			return "(" + b
		}
		return b
	}
	strictID := func() string { return fmt.Sprintf("%d-%d", rng.IntN(120), rng.IntN(4)) }
	fields := func() string {
		switch rng.IntN(4) {
		case 0:
			return "a 1 b 2"
		case 1:
			return fmt.Sprintf("a %d b x%d", rng.IntN(1000)-500, rng.IntN(50))
		case 2:
			return fmt.Sprintf("c %d", rng.IntN(100000))
		}
		return "a 1"
	}
	group := func() string { return []string{"g1", "g2", "g3"}[rng.IntN(3)] }
	consumer := func() string { return []string{"alice", "bob", "carol"}[rng.IntN(3)] }
	script := []string{"CONFIG SET stream-node-max-entries 5", "CONFIG SET stream-node-max-bytes 4096"}
	for i := 0; i < 1500; i++ {
		k := keys[rng.IntN(2)]
		var cmd string
		switch rng.IntN(30) {
		case 0, 1, 2, 3, 4, 5:
			// mostly increasing IDs, sometimes stale ones (errors) or ms-*
			ms[k] += rng.IntN(3)
			newID := fmt.Sprintf("%d-%d", ms[k], rng.IntN(3))
			switch rng.IntN(5) {
			case 0:
				newID = fmt.Sprintf("%d-*", ms[k])
			case 1:
				newID = strictID()
			}
			trim := ""
			switch rng.IntN(8) {
			case 0:
				trim = fmt.Sprintf("MAXLEN %d ", rng.IntN(30))
			case 1:
				trim = fmt.Sprintf("MAXLEN ~ %d ", rng.IntN(30))
			case 2:
				trim = fmt.Sprintf("MINID ~ %d LIMIT %d ", rng.IntN(120), rng.IntN(10))
			case 3:
				trim = fmt.Sprintf("MINID = %s ", strictID())
			}
			cmd = fmt.Sprintf("XADD %s %s%s %s", k, trim, newID, fields())
		case 6, 7:
			cmd = fmt.Sprintf("XRANGE %s %s %s COUNT %d", k, bound(), bound(), rng.IntN(8))
		case 8:
			cmd = fmt.Sprintf("XREVRANGE %s %s %s", k, bound(), bound())
		case 9:
			cmd = fmt.Sprintf("XDEL %s %s %s", k, strictID(), strictID())
		case 10:
			cmd = fmt.Sprintf("XTRIM %s %s", k, []string{
				fmt.Sprintf("MAXLEN %d", rng.IntN(40)), fmt.Sprintf("MAXLEN ~ %d", rng.IntN(40)),
				fmt.Sprintf("MINID %s", strictID()), fmt.Sprintf("MINID ~ %s LIMIT %d", strictID(), rng.IntN(12)),
			}[rng.IntN(4)])
		case 11:
			cmd = "XLEN " + k
		case 12:
			cmd = "XINFO STREAM " + k
		case 13:
			// s2 never has groups: its payload holds no times
			cmd = "DUMP s2"
		case 14:
			cmd = fmt.Sprintf("XGROUP CREATE s1 %s %s", group(), []string{"0", "$", strictID()}[rng.IntN(3)])
		case 15, 16, 17:
			opt := ""
			if rng.IntN(4) == 0 {
				opt = "NOACK "
			}
			from := ">"
			if rng.IntN(4) == 0 {
				from = "0"
			}
			cmd = fmt.Sprintf("XREADGROUP GROUP %s %s COUNT %d %sSTREAMS s1 %s", group(), consumer(), rng.IntN(4)+1, opt, from)
		case 18, 19:
			cmd = fmt.Sprintf("XACK s1 %s %s %s", group(), strictID(), strictID())
		case 20:
			cmd = fmt.Sprintf("XPENDING s1 %s", group())
		case 21:
			cmd = fmt.Sprintf("~XPENDING s1 %s - + %d", group(), rng.IntN(10))
		case 22:
			cmd = fmt.Sprintf("XCLAIM s1 %s %s 0 %s %s TIME 1700000000000 %s", group(), consumer(), strictID(), strictID(),
				[]string{"JUSTID", "", "FORCE", "RETRYCOUNT 3 JUSTID"}[rng.IntN(4)])
		case 23:
			cmd = fmt.Sprintf("XAUTOCLAIM s1 %s %s 0 %s COUNT %d JUSTID", group(), consumer(), bound(), rng.IntN(5)+1)
		case 24:
			cmd = "XINFO GROUPS s1"
		case 25:
			cmd = fmt.Sprintf("XGROUP SETID s1 %s %s", group(), []string{"0", "$", strictID()}[rng.IntN(3)])
		case 26:
			switch rng.IntN(3) {
			case 0:
				cmd = fmt.Sprintf("XGROUP DELCONSUMER s1 %s %s", group(), consumer())
			case 1:
				cmd = fmt.Sprintf("XGROUP CREATECONSUMER s1 %s %s", group(), consumer())
			default:
				cmd = fmt.Sprintf("XGROUP DESTROY s1 %s", group())
			}
		case 27:
			cmd = fmt.Sprintf("XREAD COUNT %d STREAMS s1 s2 %s %s", rng.IntN(5), strictID(), strictID())
		case 28:
			cmd = fmt.Sprintf("XAUTOCLAIM s1 %s %s 0 0 COUNT 3", group(), consumer())
		case 29:
			if rng.IntN(10) == 0 {
				cmd = "DEL " + k
				ms[k] = 0
			} else {
				cmd = fmt.Sprintf("XSETID %s %s", k, strictID())
			}
		}
		script = append(script, cmd)
	}
	diffScript(t, false, script)
}
