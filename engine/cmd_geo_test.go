package engine

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// geoScript covers the geo commands, their option parsing and errors;
// replies in testdata/geo*.golden.json were recorded from Redis 7.0.15.
var geoScript = []string{
	"GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania",
	"ZRANGE Sicily 0 -1 WITHSCORES", "GEOPOS Sicily Palermo nonex Catania", "GEOHASH Sicily Palermo Catania nonex",
	"GEODIST Sicily Palermo Catania", "GEODIST Sicily Palermo Catania km", "GEODIST Sicily Palermo Catania MI",
	"GEODIST Sicily Palermo Catania ft", "GEODIST Sicily Palermo nonex", "GEODIST nokey a b", "GEODIST Sicily a b parsecs",
	"GEODIST Sicily a b km x",
	"GEOADD Sicily 200 100 x", "GEOADD Sicily 13 85.06 x", "GEOADD Sicily inf 0 x", "GEOADD Sicily abc 0 x", "GEOADD Sicily 0 abc x",
	"GEOADD Sicily 1 2", "GEOADD Sicily NX XX 1 2 x", "GEOADD Sicily NX 1", "GEOADD Sicily CH NX ch", "GEOADD Sicily GT 1 2 x",
	"GEOADD Sicily NX 13.5 38 Palermo 14 37 New", "GEOADD Sicily XX CH 13.4 38.1 Palermo 1 1 Newer", "GEOADD Sicily CH 13.4 38.1 Palermo",
	"ZRANGE Sicily 0 -1 WITHSCORES",
	"GEOADD edge -180 -85.05112878 sw 180 85.05112878 ne 0 0 zero 179.999999 0 east", "ZRANGE edge 0 -1 WITHSCORES",
	"GEOPOS edge sw ne zero east", "GEOHASH edge sw ne zero east",
	"GEORADIUS Sicily 15 37 200 km", "GEORADIUS Sicily 15 37 200 km WITHDIST WITHCOORD WITHHASH ASC",
	"GEORADIUS Sicily 15 37 200 km DESC COUNT 1", "GEORADIUS Sicily 15 37 200 km COUNT 2 ANY", "GEORADIUS Sicily 15 37 200 km ANY",
	"GEORADIUS Sicily 15 37 200 km COUNT", "GEORADIUS Sicily 15 37 200 km COUNT 0", "GEORADIUS Sicily 15 37 200 km COUNT x",
	"GEORADIUS Sicily 15 37 -1 km", "GEORADIUS Sicily 15 37 x km", "GEORADIUS Sicily 15 37 1 parsec", "GEORADIUS Sicily 200 37 1 km",
	"GEORADIUS Sicily 15 37 200 km STORE", "GEORADIUS Sicily 15 37 200 km STORE dst WITHDIST", "GEORADIUS Sicily 15 37 200 km FOO",
	"GEORADIUS Sicily 15 37 200 km STORE dst", "ZRANGE dst 0 -1 WITHSCORES",
	"GEORADIUS Sicily 15 37 200 km STOREDIST dst", "ZRANGE dst 0 -1 WITHSCORES",
	"GEORADIUS Sicily 15 37 1 m STORE dst", "EXISTS dst", "GEORADIUS nokey 15 37 1 m STORE dst",
	"GEORADIUS_RO Sicily 15 37 200 km STORE dst", "GEORADIUS_RO Sicily 15 37 200 km WITHDIST",
	"GEORADIUSBYMEMBER Sicily Palermo 100 km WITHDIST", "GEORADIUSBYMEMBER Sicily nonex 100 km", "GEORADIUSBYMEMBER nokey nonex 100 km",
	"GEORADIUSBYMEMBER nokey nonex 100 km STORE dst", "GEORADIUSBYMEMBER nokey nonex x km", "GEORADIUSBYMEMBER_RO Sicily Catania 500 km DESC",
	"GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC", "GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 400 400 km ASC WITHCOORD WITHDIST",
	"GEOSEARCH Sicily FROMMEMBER Palermo FROMLONLAT 15 37 BYRADIUS 200 km", "GEOSEARCH Sicily BYRADIUS 200 km",
	"GEOSEARCH Sicily FROMLONLAT 15 37", "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km BYBOX 1 1 km",
	"geosearch Sicily BYBOX 1 1 km", "GeoSearch Sicily FROMLONLAT 15 37", "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX -1 1 km",
	"GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX x 1 km", "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 x km",
	"GEOSEARCH Sicily FROMMEMBER nonex BYRADIUS 1 km", "GEOSEARCH nokey FROMMEMBER nonex BYRADIUS 1 km",
	"GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km STORE dst", "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ANY",
	"GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST", "ZRANGE dst 0 -1 WITHSCORES",
	"GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYBOX 400 400 km COUNT 1 DESC", "ZRANGE dst 0 -1 WITHSCORES",
	"GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km WITHDIST", "GEOSEARCHSTORE dst nokey FROMLONLAT 15 37 BYRADIUS 200 km",
	"EXISTS dst",
	"SET str x", "GEOADD str 1 1 a", "GEOPOS str a", "GEOHASH str a", "GEODIST str a b", "GEORADIUS str 1 1 1 km",
	"GEOSEARCH str FROMLONLAT 1 1 BYRADIUS 1 km", "GEOPOS nokey a", "GEOHASH nokey a",
	"ZADD plain -5 neg 1e20 huge 0 zero", "GEOPOS plain neg huge zero", "GEOHASH plain neg huge", "GEODIST plain neg huge",
	"GEOADD wrap 179.9 10 a -179.9 10 b 179.95 10.05 c", "GEOSEARCH wrap FROMLONLAT 180 10 BYRADIUS 50 km ASC WITHDIST",
	"GEOSEARCH wrap FROMLONLAT -180 10 BYBOX 100 100 km DESC", "GEORADIUS wrap 0 0 20000 km WITHDIST",
	"GEOADD pole 0 85 a 90 85 b 180 85 c -90 85 d", "GEOSEARCH pole FROMLONLAT 45 85 BYRADIUS 1000 km ASC WITHDIST",
	"GEORADIUS Sicily 15 37 0 km", "GEORADIUS Sicily 15.087269 37.502669 0 m WITHDIST",
}

func TestGeoCommands(t *testing.T) {
	runScriptGolden(t, "geo", geoScript)
}

func TestGeoDiffRedis(t *testing.T) {
	diffScript(t, false, geoScript)
}

// geoResp3Script shows RESP3's doubles for coordinates and its nulls.
var geoResp3Script = []string{
	"GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania",
	"GEOPOS Sicily Palermo nonex", "GEOHASH Sicily Palermo nonex", "GEODIST Sicily Palermo nonex", "GEODIST nokey a b",
	"GEODIST Sicily Palermo Catania", "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC WITHCOORD WITHDIST WITHHASH",
	"GEOSEARCH nokey FROMLONLAT 15 37 BYRADIUS 200 km", "GEOPOS nokey a",
}

func TestGeoCommandsResp3(t *testing.T) {
	runScriptGoldenProto(t, "georesp3", geoResp3Script, true)
}

func TestGeoDiffRedisResp3(t *testing.T) {
	diffScript(t, true, geoResp3Script)
}

// GEOADD is ZADD underneath: it sends "zadd" events, and the stores send
// their own.
func TestGeoKeyspaceEvents(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	sub := newClient(t, e)
	c.line("CONFIG SET notify-keyspace-events KEA")
	sub.line("PSUBSCRIBE __keyevent@0__:*")
	sub.s.TakeOutput(nil)
	c.line("GEOADD g 13.361389 38.115556 Palermo")
	c.line("GEOSEARCHSTORE d g FROMMEMBER Palermo BYRADIUS 1 km")
	c.line("GEORADIUS g 13.361389 38.115556 1 km STORE d2")
	c.line("GEOSEARCHSTORE d g FROMLONLAT 0 0 BYRADIUS 1 km")
	out := string(sub.s.TakeOutput(nil))
	var events []string
	for _, line := range strings.Split(out, "\r\n") {
		if strings.HasPrefix(line, "__keyevent@0__:") && line != "__keyevent@0__:*" {
			events = append(events, strings.TrimPrefix(line, "__keyevent@0__:"))
		}
	}
	assert.Equal(t, []string{"zadd", "geosearchstore", "georadiusstore", "del"}, events)
}

func TestGeoDistanceText(t *testing.T) {
	for d, want := range map[float64]string{0: "0.0000", 0.00005: "0.0000", 166274.1516: "166274.1516", 1.23456: "1.2346"} {
		assert.Equal(t, want, geoDistanceText(d), "%v", d)
	}
	assert.Equal(t, "13.36138933897018433", humanDouble(13.361389338970184))
	assert.Equal(t, "180", humanDouble(180))
	assert.Equal(t, "0", humanDouble(-0.0))
}
