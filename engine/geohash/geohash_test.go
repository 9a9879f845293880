package geohash

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Scores, positions and geohash strings as Redis 7.0.15 reports them
// (GEOADD + ZRANGE WITHSCORES, GEOPOS, GEOHASH), including the corners
// where Redis's hash overflows 52 bits.
func TestEncodeDecodeLikeRedis(t *testing.T) {
	cases := []struct {
		lon, lat float64
		score    uint64
		pos      [2]string // GEOPOS, "%.17Lf" trimmed
	}{
		{13.361389, 38.115556, 3479099956230698, [2]string{"13.36138933897018433", "38.11555639549629859"}},
		{15.087269, 37.502669, 3479447370796909, [2]string{"15.08726745843887329", "37.50266842333162032"}},
		{-180, -85.05112878, 0, [2]string{"-179.99999731779098511", "-85.05112751263942528"}},
		{180, 85.05112878, 13510798882111488, [2]string{"180.00000000000000000", "85.05112877999999910"}},
		{0, 0, 3377699720527872, [2]string{"0.00000268220901489", "0.00000126736058093"}},
	}
	for _, c := range cases {
		h, ok := EncodeWGS84(c.lon, c.lat, StepMax)
		require.True(t, ok)
		score := Align52(h)
		assert.Equal(t, c.score, score, "%v,%v", c.lon, c.lat)
		lon, lat, ok := DecodeScore(float64(score))
		require.True(t, ok)
		assert.Equal(t, c.pos[0], strconv.FormatFloat(lon, 'f', 17, 64))
		assert.Equal(t, c.pos[1], strconv.FormatFloat(lat, 'f', 17, 64))
	}
	_, ok := EncodeWGS84(180.0001, 0, StepMax)
	assert.False(t, ok)
	_, ok = EncodeWGS84(0, 85.06, StepMax)
	assert.False(t, ok)
}

func TestInterleaveRoundTrip(t *testing.T) {
	for _, v := range [][2]uint32{{0, 0}, {1, 0}, {0, 1}, {0xffffffff, 0}, {0x12345678, 0x9abcdef0}, {0xffffffff, 0xffffffff}} {
		sep := deinterleave64(interleave64(v[0], v[1]))
		assert.Equal(t, v[0], uint32(sep))
		assert.Equal(t, v[1], uint32(sep>>32))
	}
}

func TestNeighborsWrapAndAdjacency(t *testing.T) {
	h, _ := EncodeWGS84(13.361389, 38.115556, 10)
	n := NeighborsOf(h)
	area, _ := DecodeWGS84(h)
	east, _ := DecodeWGS84(n.East)
	north, _ := DecodeWGS84(n.North)
	assert.InDelta(t, area.Lon.Max, east.Lon.Min, 1e-9)
	assert.InDelta(t, area.Lat.Max, north.Lat.Min, 1e-9)
	// East of the last column wraps to the first.
	edge, _ := EncodeWGS84(179.99, 0, 5)
	wrapped, _ := DecodeWGS84(NeighborsOf(edge).East)
	assert.Equal(t, -180.0, wrapped.Lon.Min)
}

func TestDistanceLikeRedis(t *testing.T) {
	lon1, lat1, _ := DecodeScore(3479099956230698)
	lon2, lat2, _ := DecodeScore(3479447370796909)
	// GEODIST Sicily Palermo Catania km: 166.2742
	assert.InDelta(t, 166274.2, Distance(lon1, lat1, lon2, lat2), 0.1)
	assert.Equal(t, Distance(lon1, lat1, lon2, lat2), DistancePrecise(lon1, lat1, lon2, lat2))
	assert.Equal(t, 0.0, Distance(lon1, lat1, lon1, lat1))
}

func TestEstimateSteps(t *testing.T) {
	assert.Equal(t, uint8(26), EstimateStepsByRadius(0, 0))
	assert.Equal(t, uint8(1), EstimateStepsByRadius(1e8, 0))
	assert.Equal(t, EstimateStepsByRadius(1000, 0)-2, EstimateStepsByRadius(1000, 81))
}

// The correctly rounded functions against values computed with 200-bit
// arithmetic (testdata/crmath.txt, made with mpmath).
func TestCorrectlyRounded(t *testing.T) {
	f, err := os.Open("testdata/crmath.txt")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		var v [5]float64
		for i, field := range strings.Fields(line) {
			v[i], err = strconv.ParseFloat(field, 64)
			require.NoError(t, err)
		}
		require.Equal(t, v[1], sinCR(v[0]), "sin(%x)", v[0])
		require.Equal(t, v[2], cosCR(v[0]), "cos(%x)", v[0])
		require.Equal(t, v[4], asinCR(v[3]), "asin(%x)", v[3])
		n++
	}
	require.Equal(t, 3000, n)
}

func BenchmarkDistance(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Distance(13.361389, 38.115556, 15.087269, 37.502669+float64(i&7)*1e-3)
	}
}

func BenchmarkDistancePrecise(b *testing.B) {
	for i := 0; i < b.N; i++ {
		DistancePrecise(13.361389, 38.115556, 15.087269, 37.502669+float64(i&7)*1e-3)
	}
}
