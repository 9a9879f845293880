package engine

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestGeoRandomDiffRedis runs seeded random geo scripts on the engine and
// on a real redis-server (GOREDIS_DIFF_ADDR; skipped when unset): scores
// (ZRANGE WITHSCORES), positions, hashes, distances and searches of every
// shape and option, around clustered points, the poles' limits and the
// antimeridian, in RESP2 and RESP3.
func TestGeoRandomDiffRedis(t *testing.T) {
	for seed := uint64(1); seed < 7; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { geoRandomDiff(t, seed, seed%2 == 0) })
	}
}

func geoRandomDiff(t *testing.T, seed uint64, proto3 bool) {
	rng := rand.New(rand.NewPCG(17, seed))
	keys := []string{"g1", "g2"}
	key := func() string { return keys[rng.IntN(len(keys))] }
	member := func() string { return fmt.Sprintf("m%d", rng.IntN(120)) }
	// Points cluster around a few centres so searches find something.
	centres := [][2]float64{{13.36, 38.11}, {-122.4, 37.7}, {179.9, -16.5}, {-179.95, 60.1}, {0, 0}, {2.35, 85.0}, {151.2, -33.86}}
	lonlat := func() (float64, float64) {
		c := centres[rng.IntN(len(centres))]
		lon := c[0] + (rng.Float64()-0.5)*rng.Float64()*4
		lat := c[1] + (rng.Float64()-0.5)*rng.Float64()*4
		lon = min(max(lon, -180), 180)
		lat = min(max(lat, -85.05112878), 85.05112878)
		return lon, lat
	}
	coord := func() string {
		lon, lat := lonlat()
		return fmt.Sprintf("%.6f %.6f", lon, lat)
	}
	unit := func() string { return []string{"m", "km", "ft", "mi", "KM"}[rng.IntN(5)] }
	radius := func(u string) string {
		switch u {
		case "m", "ft":
			return fmt.Sprint(rng.IntN(400000))
		}
		return fmt.Sprintf("%.3f", rng.Float64()*rng.Float64()*600)
	}
	with := func() string {
		return []string{"", " WITHDIST", " WITHCOORD", " WITHHASH", " WITHDIST WITHCOORD WITHHASH"}[rng.IntN(5)]
	}
	order := func() string {
		return []string{"", " ASC", " DESC", fmt.Sprintf(" COUNT %d", 1+rng.IntN(6)), fmt.Sprintf(" COUNT %d DESC", 1+rng.IntN(6)), fmt.Sprintf(" COUNT %d ANY", 1+rng.IntN(6))}[rng.IntN(6)]
	}
	by := func() string {
		u := unit()
		if rng.IntN(2) == 0 {
			return fmt.Sprintf("BYRADIUS %s %s", radius(u), u)
		}
		return fmt.Sprintf("BYBOX %s %s %s", radius(u), radius(u), u)
	}
	var script []string
	for i := 0; i < 1200; i++ {
		k := key()
		var cmd string
		switch rng.IntN(16) {
		case 0, 1, 2, 3:
			flags := []string{"", "NX ", "XX ", "CH ", "XX CH "}[rng.IntN(5)]
			cmd = fmt.Sprintf("GEOADD %s %s%s %s %s %s", k, flags, coord(), member(), coord(), member())
		case 4:
			cmd = fmt.Sprintf("GEOPOS %s %s %s", k, member(), member())
		case 5:
			cmd = fmt.Sprintf("GEOHASH %s %s %s", k, member(), member())
		case 6:
			cmd = fmt.Sprintf("GEODIST %s %s %s %s", k, member(), member(), unit())
		case 7, 8:
			cmd = fmt.Sprintf("GEOSEARCH %s FROMLONLAT %s %s%s%s", k, coord(), by(), order(), with())
		case 9:
			cmd = fmt.Sprintf("GEOSEARCH %s FROMMEMBER %s %s%s%s", k, member(), by(), order(), with())
		case 10:
			u := unit()
			cmd = fmt.Sprintf("GEORADIUS %s %s %s %s%s%s", k, coord(), radius(u), u, with(), order())
		case 11:
			u := unit()
			cmd = fmt.Sprintf("GEORADIUSBYMEMBER_RO %s %s %s %s%s%s", k, member(), radius(u), u, with(), order())
		case 12:
			store := []string{"", " STOREDIST"}[rng.IntN(2)]
			cmd = fmt.Sprintf("GEOSEARCHSTORE dst %s FROMLONLAT %s %s%s%s", k, coord(), by(), order(), store)
		case 13:
			u := unit()
			store := []string{"STORE", "STOREDIST"}[rng.IntN(2)]
			cmd = fmt.Sprintf("GEORADIUSBYMEMBER %s %s %s %s%s %s dst", k, member(), radius(u), u, order(), store)
		case 14:
			cmd = "ZRANGE dst 0 -1 WITHSCORES"
		case 15:
			cmd = fmt.Sprintf("ZREM %s %s", k, member())
		}
		script = append(script, cmd)
		if i%60 == 59 {
			script = append(script, "ZRANGE g1 0 -1 WITHSCORES", "ZRANGE g2 0 -1 WITHSCORES")
		}
	}
	diffScript(t, proto3, script)
}
