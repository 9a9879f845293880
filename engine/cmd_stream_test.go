package engine

import (
	"testing"
)

// streamScript covers every stream command, their errors and edge cases
// with explicit IDs and times, so real Redis's replies are reproducible;
// "~" marks replies that hold the clock (auto IDs, idle times).
var streamScript = []string{
	"CONFIG SET stream-node-max-entries 4",
	"XADD s", "XADD s *", "XADD s * f", "XADD s 1-1 f",
	"XADD s 0-0 f v", "XADD s 0 f v", "XADD s - f v", "XADD s + f v", "XADD s 1-x f v", "XADD s -1 f v", "XADD s 1-1-1 f v",
	"XADD s 1-1 a 1 b 2", "XADD s 1-1 a 1", "XADD s 1-0 a 1", "XADD s 1-* a 3 b 4", "XADD s 1-* a 5 b 6",
	"XADD s 2 c 7", "XADD s 2-* c 8", "XADD s 5-5 a 123456789012 b -17",
	"XADD s 6-1 a '' b 0", "XADD s 7-1 a 1 b 2 c 3",
	"XLEN s", "XLEN nokey",
	"XRANGE s - +", "XREVRANGE s + -", "XRANGE s - + COUNT 3", "XREVRANGE s + - COUNT 2", "XRANGE s - + COUNT 0",
	"XRANGE s - + COUNT -1", "XRANGE s - + COUNT x", "XRANGE s - + FOO", "XRANGE s - + COUNT",
	"XRANGE s (1-1 (5-5", "XRANGE s (1 (5", "XRANGE s 1 2", "XRANGE s 2 1", "XREVRANGE s 5 (1",
	"XRANGE s (- +", "XRANGE s - (+", "XRANGE s (18446744073709551615-18446744073709551615 +", "XRANGE s - (0-0",
	"XRANGE s x +", "XRANGE s - x", "XRANGE nokey - +",
	"XDEL s 1-2 1-2 9-9", "XDEL s bad", "XDEL nokey 1-1", "XRANGE s - +", "XLEN s",
	"XINFO STREAM s", "XINFO STREAM s FULL", "XINFO STREAM s FULL COUNT 2", "XINFO STREAM s FULL COUNT x",
	"XINFO STREAM s FOO", "XINFO STREAM nokey", "XINFO HELP", "XINFO HELP x", "XINFO FOO s", "XINFO GROUPS s",
	"XTRIM s", "XTRIM s MAXLEN", "XTRIM s MAXLEN -1", "XTRIM s MAXLEN x", "XTRIM s MAXLEN 5 LIMIT 1",
	"XTRIM s MAXLEN 5 MINID 1", "XTRIM s LIMIT 1", "XTRIM s FOO 1", "XTRIM nokey MAXLEN 1",
	"XTRIM s MAXLEN ~ 1", "XTRIM s MAXLEN = 6", "XRANGE s - +", "XTRIM s MINID 5-5", "XRANGE s - +",
	"XINFO STREAM s",
	"XGROUP CREATE s g 0", "XGROUP CREATE s g 0", "XGROUP CREATE s g2 $ ENTRIESREAD 2", "XGROUP CREATE s g3 x",
	"XGROUP CREATE s g4 0 ENTRIESREAD -2", "XGROUP CREATE s g4 0 FOO", "XGROUP CREATE nokey g 0",
	"XGROUP CREATE mk g $ MKSTREAM", "XINFO STREAM mk", "XGROUP HELP", "XGROUP FOO s g",
	"XGROUP SETID s nog 0", "XGROUP CREATECONSUMER s nog c", "XGROUP DELCONSUMER s nog c",
	"XINFO GROUPS s",
	"XREADGROUP GROUP g alice COUNT 2 STREAMS s >", "XINFO GROUPS s", "XPENDING s g",
	"XREADGROUP GROUP g bob STREAMS s >", "XPENDING s g", "XINFO GROUPS s",
	"XREADGROUP GROUP g alice STREAMS s 0", "XREADGROUP GROUP g alice COUNT 1 STREAMS s 0",
	"XREADGROUP GROUP g alice STREAMS s $", "XREADGROUP GROUP nog alice STREAMS s >", "XREADGROUP GROUP g alice STREAMS nokey >",
	"XREADGROUP STREAMS s >", "XREADGROUP GROUP g STREAMS s >", "XREAD GROUP g a STREAMS s 0", "XREAD NOACK STREAMS s 0",
	"XREAD STREAMS s >", "XREAD STREAMS s", "XREAD COUNT x STREAMS s 0", "XREAD BLOCK x STREAMS s 0", "XREAD BLOCK -1 STREAMS s 0",
	"XREAD COUNT 2 STREAMS s mk nokey 0 0 0", "XREAD STREAMS s $", "XREAD STREAMS s 6-1",
	"XACK s g 5-5 5-5 9-9", "XACK s g bad", "XACK s nog 1-1", "XACK nokey g 1-1", "XPENDING s g",
	"XCLAIM s g carol 0 6-1 TIME 1700000000000 JUSTID", "~XPENDING s g - + 10",
	"XCLAIM s g carol 0 7-1 6-1 TIME 1700000000000 RETRYCOUNT 7", "XPENDING s g",
	"XCLAIM s g dave 0 1-0 FORCE TIME 1700000000000 JUSTID", "XCLAIM s g dave 0 1-0 TIME 1700000000000 FORCE",
	"XCLAIM s g dave 0 9-9 FORCE JUSTID", "XCLAIM s g dave x 1-0", "XCLAIM s g dave 0 1-0 IDLE x",
	"XCLAIM s g dave 0 1-0 TIME x", "XCLAIM s g dave 0 1-0 RETRYCOUNT x", "XCLAIM s g dave 0 1-0 LASTID x", "XCLAIM s g dave 0 1-0 BAR",
	"XCLAIM s nog dave 0 1-0", "XCLAIM s g dave 0 1-0 LASTID 100-0 JUSTID", "XINFO GROUPS s",
	"XAUTOCLAIM s g erin 0 0 COUNT 1 JUSTID", "XAUTOCLAIM s g erin 0 (1-0 COUNT 100 JUSTID", "XAUTOCLAIM s g erin 0 0",
	"XAUTOCLAIM s g erin 0 0 COUNT 0", "XAUTOCLAIM s g erin x 0", "XAUTOCLAIM s g erin 0 x", "XAUTOCLAIM s g erin 0 0 FOO",
	"XAUTOCLAIM s nog erin 0 0", "XDEL s 6-1", "XAUTOCLAIM s g frank 0 0 JUSTID", "XPENDING s g",
	"XPENDING s g - + 10 erin", "XPENDING s g - + 10 nobody", "XPENDING s g (7-1 + 10", "XPENDING s g - + 0",
	"XPENDING s g - + x", "XPENDING s g x + 10", "~XPENDING s g IDLE 0 - + 10", "XPENDING s g IDLE 0 - +",
	"XPENDING s g IDLE x - + 10", "XPENDING s g - +", "XPENDING s nog",
	"XGROUP SETID s g 0", "XINFO GROUPS s", "XGROUP SETID s g $ ENTRIESREAD 3", "XINFO GROUPS s",
	"XGROUP SETID s g 0 ENTRIESREAD -2",
	"XGROUP CREATECONSUMER s g zed", "XGROUP CREATECONSUMER s g zed", "XGROUP DELCONSUMER s g erin",
	"XGROUP DELCONSUMER s g nobody", "XPENDING s g", "XGROUP DESTROY s g2", "XGROUP DESTROY s g2", "XINFO GROUPS s",
	"XREADGROUP GROUP g noack NOACK STREAMS s 0", "XGROUP SETID s g 0", "XREADGROUP GROUP g noack NOACK STREAMS s >", "XPENDING s g",
	"XSETID s 1-1", "XSETID s 100-1 ENTRIESADDED 1", "XSETID s 100-1 ENTRIESADDED -1", "XSETID s 100-1 MAXDELETEDID 200-1",
	"XSETID s 100-1 ENTRIESADDED 50 MAXDELETEDID 99-1", "XSETID s 100-1 FOO", "XSETID nokey 1-1", "XSETID s x",
	"XINFO STREAM s", "XADD s 100-1 a b", "XADD s 100-* a b",
	"SET str v", "XADD str * a b", "XRANGE str - +", "XLEN str", "XREAD STREAMS str 0", "XGROUP CREATE str g 0",
	"XINFO STREAM str", "XSETID str 1-1", "XACK str g 1-1", "XPENDING str g", "XCLAIM str g c 0 1-1", "XTRIM str MAXLEN 1", "XDEL str 1-1",
	"~XADD lim MAXLEN ~ 3 LIMIT 1 * a b", "XADD lim MAXLEN 3 LIMIT 1 * a b", "XADD lim LIMIT 1 * a b", "~XADD lim NOMKSTREAM * a b",
	"EXISTS lim", "XADD big 1-1 f 1", "XADD big 2-1 f 2", "XADD big 3-1 f 3", "XADD big 4-1 f 4", "XADD big 5-1 f 5",
	"XADD big 6-1 f 6", "XADD big 7-1 f 7", "XADD big 8-1 f 8", "XADD big 9-1 f 9",
	"XADD big MAXLEN ~ 2 10-1 f 10", "XLEN big", "XADD big MINID ~ 9 11-1 f 11", "XLEN big", "XTRIM big MINID ~ 9", "XTRIM big MINID = 9", "XLEN big",
	"XINFO STREAM big", "TYPE s", "OBJECT ENCODING s", "~DUMP big", "XADD e MAXLEN 0 1-1 a b", "XADD top 18446744073709551615-18446744073709551615 a b", "XADD top * a b", "XADD top 18446744073709551615-* a b", "XADD top2 5-18446744073709551615 a b", "XADD top2 5-* a b", "XINFO STREAM e", "XRANGE e - +",
}

func TestStreamCommands(t *testing.T) {
	runScriptGolden(t, "stream", streamScript)
}

func TestStreamDiffRedis(t *testing.T) {
	diffScript(t, false, streamScript)
}

func TestStreamRESP3(t *testing.T) {
	runScriptGoldenProto(t, "streamresp3", streamScript, true)
}

func TestStreamRESP3DiffRedis(t *testing.T) {
	diffScript(t, true, streamScript)
}
