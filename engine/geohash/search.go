package geohash

import "math"

// Shape is the area of a GEOSEARCH: a circle of Radius or a Width x
// Height box around (Lon, Lat); the sizes are in the user's unit, and
// Conversion turns them into meters.
type Shape struct {
	Lon, Lat      float64
	Box           bool
	Radius        float64
	Width, Height float64
	Conversion    float64
}

// Cover is the search plan: the centre cell and its neighbours (some
// zeroed when they cannot touch the shape).
type Cover struct {
	Hash      Bits
	Neighbors Neighbors
	Area      Area
}

// Cells lists the centre and its neighbours in the order Redis searches
// them (membersOfAllNeighbors).
func (c Cover) Cells() [9]Bits {
	n := c.Neighbors
	return [9]Bits{c.Hash, n.North, n.South, n.East, n.West, n.NorthEast, n.NorthWest, n.SouthEast, n.SouthWest}
}

// EstimateStepsByRadius is the hash precision whose cells are about the
// size of the search (Redis's geohashEstimateStepsByRadius).
func EstimateStepsByRadius(rangeMeters, lat float64) uint8 {
	if rangeMeters == 0 {
		return 26
	}
	step := 1
	for rangeMeters < mercatorMax {
		rangeMeters *= 2
		step++
	}
	step -= 2
	if lat > 66 || lat < -66 {
		step--
		if lat > 80 || lat < -80 {
			step--
		}
	}
	return uint8(min(max(step, 1), 26))
}

// BoundingBox is the lon/lat box that contains the shape (Redis's
// geohashBoundingBox): min lon, min lat, max lon, max lat.
func (s *Shape) BoundingBox() [4]float64 {
	height, width := s.Radius, s.Radius
	if s.Box {
		height, width = s.Height/2, s.Width/2
	}
	height *= s.Conversion
	width *= s.Conversion
	latDelta := radDeg(height / EarthRadiusInMeters)
	lonDeltaTop := radDeg(width / EarthRadiusInMeters / cosCR(degRad(s.Lat+latDelta)))
	lonDeltaBottom := radDeg(width / EarthRadiusInMeters / cosCR(degRad(s.Lat-latDelta)))
	var b [4]float64
	if s.Lat < 0 {
		b[0], b[2] = s.Lon-lonDeltaBottom, s.Lon+lonDeltaBottom
	} else {
		b[0], b[2] = s.Lon-lonDeltaTop, s.Lon+lonDeltaTop
	}
	b[1], b[3] = s.Lat-latDelta, s.Lat+latDelta
	return b
}

// CoverShape computes the nine cells to search (Redis's
// geohashCalculateAreasByShapeWGS84).
func CoverShape(s *Shape) Cover {
	b := s.BoundingBox()
	minLon, minLat, maxLon, maxLat := b[0], b[1], b[2], b[3]
	radius := s.Radius
	if s.Box {
		radius = math.Sqrt((s.Width/2)*(s.Width/2) + (s.Height/2)*(s.Height/2))
	}
	radius *= s.Conversion
	steps := EstimateStepsByRadius(radius, s.Lat)
	lonR, latR := coordRanges()
	hash, _ := Encode(lonR, latR, s.Lon, s.Lat, steps)
	neighbors := NeighborsOf(hash)
	area, _ := Decode(lonR, latR, hash)

	// One step coarser when a neighbour does not reach the box's edge.
	north, _ := Decode(lonR, latR, neighbors.North)
	south, _ := Decode(lonR, latR, neighbors.South)
	east, _ := Decode(lonR, latR, neighbors.East)
	west, _ := Decode(lonR, latR, neighbors.West)
	decrease := north.Lat.Max < maxLat || south.Lat.Min > minLat ||
		east.Lon.Max < maxLon || west.Lon.Min > minLon
	if steps > 1 && decrease {
		steps--
		hash, _ = Encode(lonR, latR, s.Lon, s.Lat, steps)
		neighbors = NeighborsOf(hash)
		area, _ = Decode(lonR, latR, hash)
	}
	// Leave out the cells that cannot touch the box.
	if steps >= 2 {
		if area.Lat.Min < minLat {
			neighbors.South, neighbors.SouthWest, neighbors.SouthEast = Bits{}, Bits{}, Bits{}
		}
		if area.Lat.Max > maxLat {
			neighbors.North, neighbors.NorthEast, neighbors.NorthWest = Bits{}, Bits{}, Bits{}
		}
		if area.Lon.Min < minLon {
			neighbors.West, neighbors.SouthWest, neighbors.NorthWest = Bits{}, Bits{}, Bits{}
		}
		if area.Lon.Max > maxLon {
			neighbors.East, neighbors.SouthEast, neighbors.NorthEast = Bits{}, Bits{}, Bits{}
		}
	}
	return Cover{Hash: hash, Neighbors: neighbors, Area: area}
}

// ScoreRange is the sorted-set score interval [min, max) of a cell's
// points.
func ScoreRange(h Bits) (lo, hi uint64) {
	lo = Align52(h)
	h.Bits++
	return lo, Align52(h)
}

// LatDistance is the distance in meters along a meridian.
func LatDistance(lat1, lat2 float64) float64 {
	return EarthRadiusInMeters * math.Abs(degRad(lat2)-degRad(lat1))
}

// Distance is Redis's haversine great-circle distance in meters, computed
// with Go's math functions: within a few ulps of Redis's.
func Distance(lon1, lat1, lon2, lat2 float64) float64 {
	return haversine(lon1, lat1, lon2, lat2, math.Sin, math.Cos, math.Asin)
}

// DistancePrecise is Distance with correctly rounded sin, cos and asin:
// bit for bit what Redis computes with glibc, but slower.
func DistancePrecise(lon1, lat1, lon2, lat2 float64) float64 {
	return haversine(lon1, lat1, lon2, lat2, sinCR, cosCR, asinCR)
}

func haversine(lon1, lat1, lon2, lat2 float64, sin, cos, asin func(float64) float64) float64 {
	lon1r, lon2r := degRad(lon1), degRad(lon2)
	v := sin((lon2r - lon1r) / 2)
	if v == 0 {
		return LatDistance(lat1, lat2)
	}
	lat1r, lat2r := degRad(lat1), degRad(lat2)
	u := sin((lat2r - lat1r) / 2)
	// float64() keeps each product rounded as in C (no fused multiply-add).
	a := float64(u*u) + float64(float64(cos(lat1r)*cos(lat2r))*v)*v
	return 2.0 * EarthRadiusInMeters * asin(math.Sqrt(a))
}

// nearlyEqual reports values within a few thousand ulps of each other: where
// Go's math and glibc could disagree about which is larger.
func nearlyEqual(a, b float64) bool {
	return math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b))
}

// Within reports whether the point (lon, lat) is inside the shape, and its
// distance in meters from the centre (Redis's geoWithinShape). Distances
// come from Go's math; near the edge, where an ulp decides, from the
// correctly rounded functions, so the decision is Redis's.
func (s *Shape) Within(lon, lat float64) (float64, bool) {
	if !s.Box {
		radius := s.Radius * s.Conversion
		// The great-circle distance is never below the distance along the
		// meridian: most points of the cells are rejected without
		// trigonometry (with a margin far above rounding).
		if LatDistance(lat, s.Lat) > radius*(1+1e-9) {
			return 0, false
		}
		d := Distance(s.Lon, s.Lat, lon, lat)
		if nearlyEqual(d, radius) {
			d = DistancePrecise(s.Lon, s.Lat, lon, lat)
		}
		return d, d <= radius
	}
	widthM, heightM := s.Width*s.Conversion, s.Height*s.Conversion
	if LatDistance(lat, s.Lat) > heightM/2 {
		return 0, false
	}
	lonDist := Distance(lon, lat, s.Lon, lat)
	if nearlyEqual(lonDist, widthM/2) {
		lonDist = DistancePrecise(lon, lat, s.Lon, lat)
	}
	if lonDist > widthM/2 {
		return 0, false
	}
	return Distance(s.Lon, s.Lat, lon, lat), true
}
