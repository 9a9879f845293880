// Package geohash is Redis 7.0's geohash (src/geohash.c,
// geohash_helper.c): 52-bit interleaved hashes over Redis's ranges
// (longitude -180..180, latitude -85.05112878..85.05112878), neighbours,
// the nine-box cover of a radius or box search, and Redis's haversine
// distance. Computations follow Redis's order of operations, so the
// hashes (the sorted-set scores of GEOADD) are identical to Redis's.
package geohash

import "math"

// Limits of the coordinates Redis can index (EPSG:900913).
const (
	LatMin  = -85.05112878
	LatMax  = 85.05112878
	LonMin  = -180.0
	LonMax  = 180.0
	StepMax = 26 // 26*2 = 52 bits, the precision of a double's mantissa

	dR                  = math.Pi / 180.0
	EarthRadiusInMeters = 6372797.560856
	mercatorMax         = 20037726.37
)

// Bits is a hash of 2*Step bits.
type Bits struct {
	Bits uint64
	Step uint8
}

// IsZero reports the empty hash Redis uses to mark a skipped neighbour.
func (h Bits) IsZero() bool { return h.Bits == 0 && h.Step == 0 }

// Range is a closed interval of one coordinate.
type Range struct{ Min, Max float64 }

// Area is the cell of a hash.
type Area struct {
	Hash     Bits
	Lon, Lat Range
}

// Neighbors are the eight cells around a hash.
type Neighbors struct {
	North, East, West, South, NorthEast, SouthEast, NorthWest, SouthWest Bits
}

// WGS84 ranges as Redis indexes them.
func coordRanges() (lon, lat Range) {
	return Range{LonMin, LonMax}, Range{LatMin, LatMax}
}

func degRad(a float64) float64 { return a * dR }
func radDeg(a float64) float64 { return a / dR }

func interleave64(xlo, ylo uint32) uint64 {
	b := [...]uint64{0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F, 0x00FF00FF00FF00FF, 0x0000FFFF0000FFFF}
	s := [...]uint{1, 2, 4, 8, 16}
	x, y := uint64(xlo), uint64(ylo)
	for i := 4; i >= 0; i-- {
		x = (x | x<<s[i]) & b[i]
		y = (y | y<<s[i]) & b[i]
	}
	return x | y<<1
}

func deinterleave64(v uint64) uint64 {
	b := [...]uint64{0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F, 0x00FF00FF00FF00FF, 0x0000FFFF0000FFFF, 0x00000000FFFFFFFF}
	s := [...]uint{0, 1, 2, 4, 8, 16}
	x, y := v, v>>1
	for i := range b {
		x = (x | x>>s[i]) & b[i]
		y = (y | y>>s[i]) & b[i]
	}
	return x | y<<32
}

// Encode hashes a point with step*2 bits over the given ranges (Redis's
// geohashEncode). It fails outside Redis's limits or the ranges.
func Encode(lonR, latR Range, lon, lat float64, step uint8) (Bits, bool) {
	if step > 32 || step == 0 || (latR.Min == 0 && latR.Max == 0) || (lonR.Min == 0 && lonR.Max == 0) {
		return Bits{}, false
	}
	if lon > LonMax || lon < LonMin || lat > LatMax || lat < LatMin {
		return Bits{}, false
	}
	if lat < latR.Min || lat > latR.Max || lon < lonR.Min || lon > lonR.Max {
		return Bits{}, false
	}
	latOffset := (lat - latR.Min) / (latR.Max - latR.Min)
	lonOffset := (lon - lonR.Min) / (lonR.Max - lonR.Min)
	latOffset *= float64(uint64(1) << step)
	lonOffset *= float64(uint64(1) << step)
	// C converts the doubles to uint32_t parameters: truncation, and
	// modulo 2^32 for the one value that can reach 2^32 (step 32).
	return Bits{Bits: interleave64(uint32(uint64(latOffset)), uint32(uint64(lonOffset))), Step: step}, true
}

// EncodeWGS84 hashes a point over Redis's ranges.
func EncodeWGS84(lon, lat float64, step uint8) (Bits, bool) {
	lonR, latR := coordRanges()
	return Encode(lonR, latR, lon, lat, step)
}

// Decode returns the cell of a hash (Redis's geohashDecode).
func Decode(lonR, latR Range, h Bits) (Area, bool) {
	if h.IsZero() || (latR.Min == 0 && latR.Max == 0) || (lonR.Min == 0 && lonR.Max == 0) {
		return Area{}, false
	}
	sep := deinterleave64(h.Bits)
	latScale := latR.Max - latR.Min
	lonScale := lonR.Max - lonR.Min
	ilato := uint32(sep)
	ilono := uint32(sep >> 32)
	div := float64(uint64(1) << h.Step)
	return Area{
		Hash: h,
		Lat: Range{
			Min: latR.Min + (float64(ilato)*1.0/div)*latScale,
			Max: latR.Min + (float64(ilato+1)*1.0/div)*latScale,
		},
		Lon: Range{
			Min: lonR.Min + (float64(ilono)*1.0/div)*lonScale,
			Max: lonR.Min + (float64(ilono+1)*1.0/div)*lonScale,
		},
	}, true
}

// DecodeWGS84 returns the cell of a hash over Redis's ranges.
func DecodeWGS84(h Bits) (Area, bool) {
	lonR, latR := coordRanges()
	return Decode(lonR, latR, h)
}

// Center is the middle of the cell, clamped to Redis's limits.
func (a Area) Center() (lon, lat float64) {
	lon = (a.Lon.Min + a.Lon.Max) / 2
	lon = min(max(lon, LonMin), LonMax)
	lat = (a.Lat.Min + a.Lat.Max) / 2
	lat = min(max(lat, LatMin), LatMax)
	return lon, lat
}

// DecodeScore turns a GEOADD score (a 52-bit hash) back into the centre of
// its cell, as Redis's decodeGeohash does.
func DecodeScore(score float64) (lon, lat float64, ok bool) {
	a, ok := DecodeWGS84(Bits{Bits: floatToUint64(score), Step: StepMax})
	if !ok {
		return 0, 0, false
	}
	lon, lat = a.Center()
	return lon, lat, true
}

// floatToUint64 converts like C's (uint64_t) cast on x86-64 for the
// values a sorted set may hold: scores of non-geo members can be negative
// or huge.
func floatToUint64(f float64) uint64 {
	switch {
	case f != f:
		return 1 << 63
	case f >= 1<<64:
		return 0
	case f >= 1<<63:
		return uint64(f)
	case f <= -(1 << 63):
		return 1 << 63
	}
	return uint64(int64(f))
}

// Align52 shifts a hash to 52 bits: the sorted-set score of a cell.
func Align52(h Bits) uint64 { return h.Bits << (52 - uint(h.Step)*2) }

func moveX(h *Bits, d int) {
	if d == 0 {
		return
	}
	x := h.Bits & 0xaaaaaaaaaaaaaaaa
	y := h.Bits & 0x5555555555555555
	zz := uint64(0x5555555555555555) >> (64 - uint(h.Step)*2)
	if d > 0 {
		x += zz + 1
	} else {
		x |= zz
		x -= zz + 1
	}
	x &= 0xaaaaaaaaaaaaaaaa >> (64 - uint(h.Step)*2)
	h.Bits = x | y
}

func moveY(h *Bits, d int) {
	if d == 0 {
		return
	}
	x := h.Bits & 0xaaaaaaaaaaaaaaaa
	y := h.Bits & 0x5555555555555555
	zz := uint64(0xaaaaaaaaaaaaaaaa) >> (64 - uint(h.Step)*2)
	if d > 0 {
		y += zz + 1
	} else {
		y |= zz
		y -= zz + 1
	}
	y &= 0x5555555555555555 >> (64 - uint(h.Step)*2)
	h.Bits = x | y
}

// NeighborsOf returns the eight cells around h, wrapping at the edges.
func NeighborsOf(h Bits) Neighbors {
	move := func(dx, dy int) Bits {
		b := h
		moveX(&b, dx)
		moveY(&b, dy)
		return b
	}
	return Neighbors{
		East: move(1, 0), West: move(-1, 0), South: move(0, -1), North: move(0, 1),
		NorthWest: move(-1, 1), NorthEast: move(1, 1), SouthEast: move(1, -1), SouthWest: move(-1, -1),
	}
}
