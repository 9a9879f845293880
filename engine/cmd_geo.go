package engine

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/goredis-dev/goredis/engine/geohash"
)

// Geo commands (Redis's geo.c). A geo index is an ordinary sorted set whose
// scores are 52-bit geohashes, so ZRANGE, DUMP and persistence see what
// Redis shows.

func geoHandlers() []handlerEntry {
	return []handlerEntry{
		{"geoadd", cmdGeoadd},
		{"geodist", cmdGeodist},
		{"geohash", cmdGeohash},
		{"geopos", cmdGeopos},
		{"geosearch", cmdGeosearch},
		{"geosearchstore", cmdGeosearchstore},
		{"georadius", cmdGeoradius},
		{"georadius_ro", cmdGeoradiusRO},
		{"georadiusbymember", cmdGeoradiusbymember},
		{"georadiusbymember_ro", cmdGeoradiusbymemberRO},
	}
}

const errGeoMember = "ERR could not decode requested zset member"

// formatCFloat formats like C's printf "%f" (inf and -inf included).
func formatCFloat(f float64) string {
	if math.IsInf(f, 0) {
		if f > 0 {
			return "inf"
		}
		return "-inf"
	}
	return strconv.FormatFloat(f, 'f', 6, 64)
}

// parseLonLat reads a longitude and a latitude (Redis's
// extractLongLatOrReply).
func parseLonLat(args [][]byte) (lon, lat float64, err string) {
	var ok bool
	if lon, ok = parseScore(args[0]); !ok {
		return 0, 0, errNotFloat
	}
	if lat, ok = parseScore(args[1]); !ok {
		return 0, 0, errNotFloat
	}
	if lon < geohash.LonMin || lon > geohash.LonMax || lat < geohash.LatMin || lat > geohash.LatMax {
		return 0, 0, "ERR invalid longitude,latitude pair " + formatCFloat(lon) + "," + formatCFloat(lat)
	}
	return lon, lat, ""
}

// parseGeoUnit is Redis's extractUnitOrReply: meters per unit.
func parseGeoUnit(arg []byte) (float64, string) {
	switch {
	case equalFold(arg, "m"):
		return 1, ""
	case equalFold(arg, "km"):
		return 1000, ""
	case equalFold(arg, "ft"):
		return 0.3048, ""
	case equalFold(arg, "mi"):
		return 1609.34, ""
	}
	return 0, "ERR unsupported unit provided. please use M, KM, FT, MI"
}

// parseRadius reads "radius unit" (Redis's extractDistanceOrReply).
func parseRadius(args [][]byte) (radius, conversion float64, err string) {
	radius, ok := parseScore(args[0])
	if !ok {
		return 0, 0, "ERR need numeric radius"
	}
	if radius < 0 {
		return 0, 0, "ERR radius cannot be negative"
	}
	conversion, err = parseGeoUnit(args[1])
	return radius, conversion, err
}

// parseBox reads "width height unit" (Redis's extractBoxOrReply).
func parseBox(args [][]byte) (width, height, conversion float64, err string) {
	width, ok := parseScore(args[0])
	if !ok {
		return 0, 0, 0, "ERR need numeric width"
	}
	if height, ok = parseScore(args[1]); !ok {
		return 0, 0, 0, "ERR need numeric height"
	}
	if height < 0 || width < 0 {
		return 0, 0, 0, "ERR height or width cannot be negative"
	}
	conversion, err = parseGeoUnit(args[2])
	return width, height, conversion, err
}

// geoScore is the sorted-set score GEOADD gives a point.
func geoScore(lon, lat float64) uint64 {
	h, _ := geohash.EncodeWGS84(lon, lat, geohash.StepMax)
	return geohash.Align52(h)
}

// GEOADD key [NX | XX] [CH] longitude latitude member [longitude latitude
// member ...]
func cmdGeoadd(s *Session, args [][]byte) {
	var nx, xx bool
	lonIdx := 2
	for ; lonIdx < len(args); lonIdx++ {
		a := args[lonIdx]
		switch {
		case equalFold(a, "nx"):
			nx = true
		case equalFold(a, "xx"):
			xx = true
		case equalFold(a, "ch"):
		default:
			goto points
		}
	}
points:
	if (len(args)-lonIdx)%3 != 0 || (nx && xx) {
		s.w.Error(errSyntax)
		return
	}
	// Redis rewrites the command as ZADD key [options] score member ...
	zargs := make([][]byte, 0, lonIdx+(len(args)-lonIdx)/3*2)
	zargs = append(zargs, []byte("zadd"))
	zargs = append(zargs, args[1:lonIdx]...)
	for i := lonIdx; i < len(args); i += 3 {
		lon, lat, err := parseLonLat(args[i : i+2])
		if err != "" {
			s.w.Error(err)
			return
		}
		zargs = append(zargs, strconv.AppendUint(nil, geoScore(lon, lat), 10), args[i+2])
	}
	s.rewriteArgv(zargs...) // replicas and the AOF get the ZADD, as from Redis
	zaddGeneric(s, zargs, false)
}

// geoMemberPos decodes a member's position; ok is false when it is
// missing.
func geoMemberPos(z *zset, member []byte) (lon, lat float64, ok bool) {
	score, found := z.score(tmpString(member))
	if !found {
		return 0, 0, false
	}
	return geohash.DecodeScore(score)
}

// HumanDouble writes a coordinate as Redis's addReplyHumanLongDouble does:
// 17 decimals without trailing zeros; a bulk string in RESP2, a double in
// RESP3.
func (w *Writer) HumanDouble(f float64) {
	text := humanDouble(f)
	if w.proto >= 3 {
		w.buf = append(w.buf, ',')
		w.buf = append(w.buf, text...)
		w.buf = append(w.buf, '\r', '\n')
		return
	}
	w.BulkString(text)
}

// humanDouble is ld2string's LD_STR_HUMAN mode ("%.17Lf", trimmed).
func humanDouble(f float64) string {
	t := strconv.FormatFloat(f, 'f', 17, 64)
	if strings.IndexByte(t, '.') >= 0 {
		t = strings.TrimRight(t, "0")
		t = strings.TrimSuffix(t, ".")
	}
	if t == "-0" {
		t = "0"
	}
	return t
}

// geoDistanceText is Redis's addReplyDoubleDistance: four decimals, the
// last one rounded half to even (llrint).
func geoDistanceText(d float64) string {
	if d == 0 {
		return "0.0000"
	}
	v := int64(math.RoundToEven(d * 10000))
	var b []byte
	u := uint64(v)
	if v < 0 {
		b = append(b, '-')
		u = uint64(-v)
	}
	b = strconv.AppendUint(b, u/10000, 10)
	frac := u % 10000
	b = append(b, '.', byte('0'+frac/1000), byte('0'+frac/100%10), byte('0'+frac/10%10), byte('0'+frac%10))
	return string(b)
}

// GEODIST key member1 member2 [M | KM | FT | MI]
func cmdGeodist(s *Session, args [][]byte) {
	toMeter := 1.0
	if len(args) == 5 {
		var err string
		if toMeter, err = parseGeoUnit(args[4]); err != "" {
			s.w.Error(err)
			return
		}
	} else if len(args) > 5 {
		s.w.Error(errSyntax)
		return
	}
	z, found, bad := lookupObj[*zset](s, args[1])
	if bad {
		return
	}
	if !found {
		s.w.Null()
		return
	}
	lon1, lat1, ok1 := geoMemberPos(z, args[2])
	lon2, lat2, ok2 := geoMemberPos(z, args[3])
	if !ok1 || !ok2 {
		s.w.Null()
		return
	}
	s.w.BulkString(geoDistanceText(geohash.DistancePrecise(lon1, lat1, lon2, lat2) / toMeter))
}

// GEOHASH key [member [member ...]]
func cmdGeohash(s *Session, args [][]byte) {
	const alphabet = "0123456789bcdefghjkmnpqrstuvwxyz"
	z, _, bad := lookupObj[*zset](s, args[1])
	if bad {
		return
	}
	s.w.Array(len(args) - 2)
	for _, m := range args[2:] {
		if z == nil {
			s.w.Null()
			continue
		}
		lon, lat, ok := geoMemberPos(z, m)
		if !ok {
			s.w.Null()
			continue
		}
		// Re-encode over the standard latitude range -90..90, as geohash
		// strings elsewhere expect.
		h, _ := geohash.Encode(geohash.Range{Min: -180, Max: 180}, geohash.Range{Min: -90, Max: 90}, lon, lat, 26)
		var buf [11]byte
		for i := range buf {
			idx := uint64(0) // 52 bits make ten characters; the 11th is '0'
			if i < 10 {
				idx = h.Bits >> (52 - (i+1)*5) & 0x1f
			}
			buf[i] = alphabet[idx]
		}
		s.w.Bulk(buf[:])
	}
}

// GEOPOS key [member [member ...]]
func cmdGeopos(s *Session, args [][]byte) {
	z, _, bad := lookupObj[*zset](s, args[1])
	if bad {
		return
	}
	s.w.Array(len(args) - 2)
	for _, m := range args[2:] {
		if z == nil {
			s.w.NullArray()
			continue
		}
		lon, lat, ok := geoMemberPos(z, m)
		if !ok {
			s.w.NullArray()
			continue
		}
		s.w.Array(2)
		s.w.HumanDouble(lon)
		s.w.HumanDouble(lat)
	}
}

// Variants of the search command (Redis's RADIUS_* and GEOSEARCH* flags).
const (
	geoFromCoords  = 1 << iota // GEORADIUS: center in the arguments
	geoFromMember              // GEORADIUSBYMEMBER
	geoNoStore                 // the _RO forms
	geoSearch                  // GEOSEARCH syntax
	geoSearchStore             // GEOSEARCHSTORE
)

// GEOSEARCH key <FROMMEMBER member | FROMLONLAT longitude latitude>
// <BYRADIUS radius <M | KM | FT | MI> | BYBOX width height <M | KM | FT |
// MI>> [ASC | DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]
func cmdGeosearch(s *Session, args [][]byte) { geoSearchGeneric(s, args, 1, geoSearch) }

// GEOSEARCHSTORE destination source <FROMMEMBER member | FROMLONLAT
// longitude latitude> <BYRADIUS radius unit | BYBOX width height unit>
// [ASC | DESC] [COUNT count [ANY]] [STOREDIST]
func cmdGeosearchstore(s *Session, args [][]byte) {
	geoSearchGeneric(s, args, 2, geoSearch|geoSearchStore)
}

// GEORADIUS key longitude latitude radius <M | KM | FT | MI> [WITHCOORD]
// [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC] [STORE key |
// STOREDIST key]
func cmdGeoradius(s *Session, args [][]byte) { geoSearchGeneric(s, args, 1, geoFromCoords) }

// GEORADIUS_RO key longitude latitude radius <M | KM | FT | MI> [WITHCOORD]
// [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC]
func cmdGeoradiusRO(s *Session, args [][]byte) {
	geoSearchGeneric(s, args, 1, geoFromCoords|geoNoStore)
}

// GEORADIUSBYMEMBER key member radius <M | KM | FT | MI> [WITHCOORD]
// [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC] [STORE key |
// STOREDIST key]
func cmdGeoradiusbymember(s *Session, args [][]byte) {
	geoSearchGeneric(s, args, 1, geoFromMember)
}

// GEORADIUSBYMEMBER_RO key member radius <M | KM | FT | MI> [WITHCOORD]
// [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC | DESC]
func cmdGeoradiusbymemberRO(s *Session, args [][]byte) {
	geoSearchGeneric(s, args, 1, geoFromMember|geoNoStore)
}

// geoPoint is one search result.
type geoPoint struct {
	lon, lat, dist float64
	score          float64
	member         string
	idx            int  // position in the search order (the sort's tiebreak)
	precise        bool // dist is bit for bit Redis's (see geohash.DistancePrecise)
}

// refine recomputes the distance with the correctly rounded functions.
func (p *geoPoint) refine(shape *geohash.Shape) {
	if !p.precise {
		p.dist = geohash.DistancePrecise(shape.Lon, shape.Lat, p.lon, p.lat)
		p.precise = true
	}
}

// geoSort orders results by distance.
const (
	geoSortNone = iota
	geoSortAsc
	geoSortDesc
)

// geoSearchGeneric is Redis's georadiusGeneric: argument parsing in
// Redis's order (so a command with two faults gets Redis's error), the
// nine-cell search, sorting, and the reply or the stored set.
func geoSearchGeneric(s *Session, args [][]byte, srcIdx int, flags int) {
	z, _, bad := lookupObj[*zset](s, args[srcIdx])
	if bad {
		return
	}
	var shape geohash.Shape
	var storeKey []byte
	storeDist := false
	var base int
	var err string
	switch {
	case flags&geoFromCoords != 0:
		base = 6
		if shape.Lon, shape.Lat, err = parseLonLat(args[2:4]); err != "" {
			s.w.Error(err)
			return
		}
		if shape.Radius, shape.Conversion, err = parseRadius(args[4:6]); err != "" {
			s.w.Error(err)
			return
		}
	case flags&geoFromMember != 0 && z == nil:
		base = 5 // parse the options anyway: the reply depends on STORE
	case flags&geoFromMember != 0:
		base = 5
		var ok bool
		if shape.Lon, shape.Lat, ok = geoMemberPos(z, args[2]); !ok {
			s.w.Error(errGeoMember)
			return
		}
		if shape.Radius, shape.Conversion, err = parseRadius(args[3:5]); err != "" {
			s.w.Error(err)
			return
		}
	default:
		base = 2
		if flags&geoSearchStore != 0 {
			base = 3
			storeKey = args[1]
		}
	}
	var withDist, withHash, withCoord, fromMember, fromLoc, byRadius, byBox, anyResults bool
	sortOrder := geoSortNone
	var count int64
	opts := args[base:]
	for i := 0; i < len(opts); i++ {
		a := opts[i]
		left := len(opts) - i - 1
		switch {
		case equalFold(a, "withdist"):
			withDist = true
		case equalFold(a, "withhash"):
			withHash = true
		case equalFold(a, "withcoord"):
			withCoord = true
		case equalFold(a, "any"):
			anyResults = true
		case equalFold(a, "asc"):
			sortOrder = geoSortAsc
		case equalFold(a, "desc"):
			sortOrder = geoSortDesc
		case equalFold(a, "count") && left >= 1:
			n, ok := parseInt(opts[i+1])
			if !ok {
				s.w.Error(errNotInt)
				return
			}
			if n <= 0 {
				s.w.Error("ERR COUNT must be > 0")
				return
			}
			count = n
			i++
		case (equalFold(a, "store") || equalFold(a, "storedist")) && left >= 1 && flags&(geoNoStore|geoSearch) == 0:
			storeKey = opts[i+1]
			storeDist = equalFold(a, "storedist")
			i++
		case equalFold(a, "storedist") && flags&geoSearchStore != 0:
			storeDist = true
		case equalFold(a, "frommember") && left >= 1 && flags&geoSearch != 0 && !fromLoc:
			if z != nil {
				var ok bool
				if shape.Lon, shape.Lat, ok = geoMemberPos(z, opts[i+1]); !ok {
					s.w.Error(errGeoMember)
					return
				}
			}
			fromMember = true
			i++
		case equalFold(a, "fromlonlat") && left >= 2 && flags&geoSearch != 0 && !fromMember:
			if shape.Lon, shape.Lat, err = parseLonLat(opts[i+1 : i+3]); err != "" {
				s.w.Error(err)
				return
			}
			fromLoc = true
			i += 2
		case equalFold(a, "byradius") && left >= 2 && flags&geoSearch != 0 && !byBox:
			if shape.Radius, shape.Conversion, err = parseRadius(opts[i+1 : i+3]); err != "" {
				s.w.Error(err)
				return
			}
			shape.Box = false
			byRadius = true
			i += 2
		case equalFold(a, "bybox") && left >= 3 && flags&geoSearch != 0 && !byRadius:
			if shape.Width, shape.Height, shape.Conversion, err = parseBox(opts[i+1 : i+4]); err != "" {
				s.w.Error(err)
				return
			}
			shape.Box = true
			byBox = true
			i += 3
		default:
			s.w.Error(errSyntax)
			return
		}
	}
	if storeKey != nil && (withDist || withHash || withCoord) {
		what := "STORE option in GEORADIUS"
		if flags&geoSearchStore != 0 {
			what = "GEOSEARCHSTORE"
		}
		s.w.Error("ERR " + what + " is not compatible with WITHDIST, WITHHASH and WITHCOORD options")
		return
	}
	if flags&geoSearch != 0 && !fromMember && !fromLoc {
		s.w.Error("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + string(args[0]))
		return
	}
	if flags&geoSearch != 0 && !byRadius && !byBox {
		s.w.Error("ERR exactly one of BYRADIUS and BYBOX can be specified for " + string(args[0]))
		return
	}
	if anyResults && count == 0 {
		s.w.Error("ERR the ANY argument requires COUNT argument")
		return
	}
	if z == nil {
		if storeKey != nil {
			s.storeZset(storeKey, nil, "")
			return
		}
		s.w.Array(0)
		return
	}
	if count != 0 && sortOrder == geoSortNone && !anyResults {
		sortOrder = geoSortAsc
	}
	limit := 0
	if anyResults {
		limit = int(min(count, math.MaxInt32))
	}
	scratch := &s.e.geoScratch
	defer scratch.release()
	points := geoCollect(z, &shape, limit, scratch.points[:0])
	scratch.points = points
	if len(points) == 0 && storeKey == nil {
		s.w.Array(0)
		return
	}
	returned := len(points)
	if count != 0 && count < int64(returned) {
		returned = int(count)
	}
	if sortOrder != geoSortNone {
		geoSortPoints(points, sortOrder, scratch)
		// Distances an ulp apart may compare the other way in Redis:
		// settle near ties with Redis's exact distances.
		for i := 1; i < len(points); i++ {
			if geoNearTie(points[i-1].dist, points[i].dist) {
				for j := range points {
					points[j].refine(&shape)
				}
				geoSortPoints(points, sortOrder, scratch)
				break
			}
		}
	}
	points = points[:returned]
	if storeKey != nil {
		entries := make([]zentry, len(points))
		for i, p := range points {
			sc := p.score
			if storeDist {
				p.refine(&shape) // the full double is stored
				sc = p.dist / shape.Conversion
			}
			entries[i] = zentry{member: p.member, score: sc}
		}
		event := "georadiusstore"
		if flags&geoSearch != 0 {
			event = "geosearchstore"
		}
		s.storeZset(storeKey, entries, event)
		return
	}
	extra := btoi(withDist) + btoi(withHash) + btoi(withCoord)
	s.w.Array(len(points))
	for _, p := range points {
		if extra > 0 {
			s.w.Array(extra + 1)
		}
		s.w.BulkString(p.member)
		if withDist {
			if geoDistanceAmbiguous(p.dist / shape.Conversion) {
				p.refine(&shape)
			}
			s.w.BulkString(geoDistanceText(p.dist / shape.Conversion))
		}
		if withHash {
			s.w.Int(int64(p.score))
		}
		if withCoord {
			s.w.Array(2)
			s.w.HumanDouble(p.lon)
			s.w.HumanDouble(p.lat)
		}
	}
}

// geoScratch keeps a search's working slices between commands: a search
// over a dense area collects hundreds of points, and allocating them anew
// each time costs more in the collector than the search itself.
type geoScratch struct {
	points, sorted []geoPoint
	keys           []geoSortKey
}

type geoSortKey struct {
	dist float64
	idx  int
}

// geoScratchKeep bounds the points kept between searches.
const geoScratchKeep = 4096

// release forgets the members the last search referenced, and drops
// slices grown past geoScratchKeep by an unusually large search.
func (g *geoScratch) release() {
	for _, p := range []*[]geoPoint{&g.points, &g.sorted} {
		if cap(*p) > geoScratchKeep {
			*p = nil
			continue
		}
		clear(*p) // the used part: each search sets the length it used
		*p = (*p)[:0]
	}
	if cap(g.keys) > geoScratchKeep {
		g.keys = nil
	}
}

// geoSortPoints sorts by distance as Redis's (stable) qsort does. It
// sorts small keys and moves each point once.
func geoSortPoints(points []geoPoint, order int, scratch *geoScratch) {
	keys := scratch.keys[:0]
	for i, p := range points {
		keys = append(keys, geoSortKey{p.dist, i})
	}
	scratch.keys = keys
	slices.SortFunc(keys, func(a, b geoSortKey) int {
		c := cmpDist(a.dist, b.dist)
		if order == geoSortDesc {
			c = -c
		}
		if c == 0 {
			c = points[a.idx].idx - points[b.idx].idx
		}
		return c
	})
	sorted := scratch.sorted[:0]
	for _, k := range keys {
		sorted = append(sorted, points[k.idx])
	}
	scratch.sorted = sorted
	copy(points, sorted)
}

// geoNearTie reports distances too close for Go's math to order them as
// glibc's would.
func geoNearTie(a, b float64) bool {
	return a != b && math.Abs(a-b) <= 1e-12*math.Max(a, b)
}

// geoDistanceAmbiguous reports a distance whose fourth decimal could round
// either way within the last bits.
func geoDistanceAmbiguous(d float64) bool {
	v := d * 10000
	return math.Abs(v-math.Floor(v)-0.5) <= 1e-11*v+1e-9
}

func cmpDist(a, b float64) int {
	switch {
	case a > b:
		return 1
	case a == b:
		return 0
	}
	return -1
}

// geoCollect finds the members inside the shape, cell by cell in Redis's
// order (membersOfAllNeighbors); with limit > 0 it stops after that many.
func geoCollect(z *zset, shape *geohash.Shape, limit int, points []geoPoint) []geoPoint {
	cover := geohash.CoverShape(shape)
	cells := cover.Cells()
	last := -1
	for i, cell := range cells {
		if cell.IsZero() {
			continue
		}
		// Huge radii make neighbours coincide: skip a repeat of the last.
		if last > 0 && cell == cells[last] {
			continue
		}
		if limit > 0 && len(points) >= limit {
			break
		}
		lo, hi := geohash.ScoreRange(cell)
		points = geoScanCell(z, shape, float64(lo), float64(hi), points, limit)
		last = i
	}
	return points
}

// geoScanCell appends the members with lo <= score < hi that lie inside
// the shape (Redis's geoGetPointsInRange), walking the skiplist's bottom
// level directly.
func geoScanCell(z *zset, shape *geohash.Shape, lo, hi float64, points []geoPoint, limit int) []geoPoint {
	visit := func(member string, score float64) bool {
		if lon, lat, ok := geohash.DecodeScore(score); ok {
			if d, in := shape.Within(lon, lat); in {
				points = append(points, geoPoint{lon: lon, lat: lat, dist: d, score: score, member: member, idx: len(points)})
			}
		}
		return limit > 0 && len(points) >= limit
	}
	if z.zsl == nil {
		for i := z.countScoreBelow(lo, false); i < len(z.lp) && z.lp[i].score < hi; i++ {
			if visit(z.lp[i].member, z.lp[i].score) {
				break
			}
		}
		return points
	}
	// The first node with score >= lo.
	for x := z.zsl.firstFrom(lo); x != nil && x.score < hi; x = x.level0.forward {
		if visit(x.member, x.score) {
			break
		}
	}
	return points
}
