package engine

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzRestoreStream feeds RESTORE stream payloads mutated from real ones
// (nodes, deleted entries, groups, PELs): a payload is refused with an
// error or accepted, and an accepted stream must take every stream command
// without a panic and DUMP to a payload that restores the same.
func FuzzRestoreStream(f *testing.F) {
	e, _ := testEngine(f)
	c := newClient(f, e)
	for _, script := range [][]string{
		{"XADD s 1-1 a 1 b 2", "XADD s 2-1 a 3 b 4", "XADD s 3-1 c 5"},
		{"CONFIG SET stream-node-max-entries 2", "XADD s 1-1 a 1", "XADD s 2-1 a 2", "XADD s 3-1 a 3", "XADD s 4-1 b 4", "XDEL s 2-1"},
		{"XADD s 5-5 f 123456789 g -5", "XGROUP CREATE s g 0", "XREADGROUP GROUP g alice STREAMS s >", "XGROUP CREATECONSUMER s g bob"},
		{"XGROUP CREATE s g $ MKSTREAM", "XSETID s 9-9 ENTRIESADDED 3 MAXDELETEDID 8-0"},
	} {
		c.do("FLUSHALL")
		for _, line := range script {
			c.line(line)
		}
		dump := c.do("DUMP", "s")
		payload := []byte(dump[strings.Index(dump, "\r\n")+2 : len(dump)-2])
		f.Add(payload[:len(payload)-10]) // without the version and CRC footer
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		e, _ := testEngine(t)
		c := newClient(t, e)
		reply := c.do("RESTORE", "k", "0", string(withFooter(body)))
		if reply != "+OK\r\n" {
			require.True(t, strings.HasPrefix(reply, "-"), "%q", reply)
			return
		}
		dump := c.do("DUMP", "k")
		require.Equal(t, "+OK\r\n", c.do("RESTORE", "k2", "0", parseBulk(t, dump)))
		require.Equal(t, dump, c.do("DUMP", "k2"))
		if c.line("TYPE k") != "+stream\r\n" {
			return
		}
		for _, line := range []string{
			"XRANGE k - +", "XREVRANGE k + -", "XRANGE k 2 5 COUNT 2", "XLEN k", "XINFO STREAM k", "XINFO STREAM k FULL",
			"XINFO GROUPS k", "XINFO CONSUMERS k g", "XPENDING k g", "XPENDING k g - + 10", "XREADGROUP GROUP g x STREAMS k >",
			"XREADGROUP GROUP g alice STREAMS k 0", "XAUTOCLAIM k g y 0 0", "XCLAIM k g z 0 1-1 5-5 FORCE", "XACK k g 1-1",
			"XDEL k 1-1 2-1 3-1", "XADD k * f v", "XTRIM k MAXLEN 1", "XREAD STREAMS k 0", "DEBUG DIGEST-VALUE k", "XTRIM k MAXLEN 0",
		} {
			out := c.line(line)
			require.NotContains(t, out, "internal error", line)
		}
	})
}
