package main

import (
	"math/rand/v2"
	"strconv"
)

// typeBench benchmarks one explicit command on data loaded beforehand
// (bitmaps, HyperLogLogs, geo), so the CSV has one row and the CPU
// measured is that command's.
type typeBench struct {
	args  []string          // the command; __rand_int__ as redis-benchmark substitutes it
	setup func() [][]string // commands that load the data, run before each run
	scale int               // divide the request count (slow commands)
}

func typeBenches() map[string]typeBench {
	oneMB := func(seed uint64) string {
		rng := rand.New(rand.NewPCG(seed, 1))
		b := make([]byte, 1<<20)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return string(b)
	}
	hll := func(key string, seed uint64) [][]string {
		cmds := [][]string{{"DEL", key}}
		for lo := 0; lo < 100000; lo += 1000 {
			cmd := []string{"PFADD", key}
			for i := lo; i < lo+1000; i++ {
				cmd = append(cmd, strconv.FormatUint(seed, 10)+":"+strconv.Itoa(i))
			}
			cmds = append(cmds, cmd)
		}
		return cmds
	}
	benches := map[string]typeBench{
		"setbit": {
			// redis-benchmark pads __rand_int__ with zeros, which no
			// offset parser accepts: the random part is the key.
			args:  []string{"SETBIT", "bits:__rand_int__", "1000", "1"},
			setup: func() [][]string { return nil },
		},
		"bitcount_1mb": {
			args:  []string{"BITCOUNT", "bits1m"},
			setup: func() [][]string { return [][]string{{"SET", "bits1m", oneMB(1)}} },
			scale: 10,
		},
		"bitop_1mb": {
			args: []string{"BITOP", "AND", "bitsdst", "bits1m", "bits1m2"},
			setup: func() [][]string {
				return [][]string{{"SET", "bits1m", oneMB(1)}, {"SET", "bits1m2", oneMB(2)}}
			},
			scale: 20,
		},
		"pfadd": {
			args:  []string{"PFADD", "hll", "__rand_int__"},
			setup: func() [][]string { return [][]string{{"DEL", "hll"}} },
		},
		"pfcount_1": {
			// The estimate is cached in the value after the first call, in both
			// servers: this measures the cached path.
			args:  []string{"PFCOUNT", "hll1"},
			setup: func() [][]string { return hll("hll1", 1) },
		},
		"pfcount_3": {
			args: []string{"PFCOUNT", "hll1", "hll2", "hll3"},
			setup: func() [][]string {
				return append(append(hll("hll1", 1), hll("hll2", 2)...), hll("hll3", 3)...)
			},
			scale: 10,
		},
		"xadd": {
			// redis-benchmark has no XADD test: the command the issue names,
			// an auto ID and one small field, into one stream.
			args:  []string{"XADD", "mystream", "*", "f", "v"},
			setup: func() [][]string { return [][]string{{"DEL", "mystream"}} },
		},
		"xrange_100": {
			// 100 entries of two small fields from a stream of 10,000.
			args: []string{"XRANGE", "stream10k", "-", "+", "COUNT", "100"},
			setup: func() [][]string {
				cmds := [][]string{{"DEL", "stream10k"}}
				for i := 1; i <= 10000; i++ {
					cmds = append(cmds, []string{"XADD", "stream10k", strconv.Itoa(i) + "-1", "name", "user" + strconv.Itoa(i), "score", strconv.Itoa(i % 977)})
				}
				return cmds
			},
			scale: 4,
		},
		"geoadd": {
			args:  []string{"GEOADD", "geo", "13.361389", "38.115556", "m:__rand_int__"},
			setup: func() [][]string { return [][]string{{"DEL", "geo"}} },
		},
		"geosearch_100k": {
			// 100,000 points over 2° x 2° of Sicily; a 5 km radius holds
			// about 200 of them, sorted, the nearest 20 returned.
			args: []string{"GEOSEARCH", "geo100k", "FROMLONLAT", "14", "38", "BYRADIUS", "5", "km", "ASC", "COUNT", "20"},
			setup: func() [][]string {
				rng := rand.New(rand.NewPCG(3, 4))
				cmds := [][]string{{"DEL", "geo100k"}}
				for lo := 0; lo < 100000; lo += 1000 {
					cmd := []string{"GEOADD", "geo100k"}
					for i := lo; i < lo+1000; i++ {
						cmd = append(cmd, strconv.FormatFloat(13+2*rng.Float64(), 'f', 6, 64),
							strconv.FormatFloat(37+2*rng.Float64(), 'f', 6, 64), "p"+strconv.Itoa(i))
					}
					cmds = append(cmds, cmd)
				}
				return cmds
			},
			scale: 4,
		},
	}
	for name, b := range scriptBenches() {
		benches[name] = b
	}
	return benches
}
