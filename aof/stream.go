package aof

import (
	"strconv"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/engine/stream"
	"github.com/goredis-dev/goredis/rdb"
)

// appendStreamCommands appends what Redis's rewriteStreamObject writes for
// a stream: an XADD per entry (or, for an empty stream, an XADD of 0-1
// trimmed away by MAXLEN 0), XSETID with the counters, then per group
// XGROUP CREATE ... ENTRIESREAD, and per consumer an XCLAIM ... FORCE per
// pending entry or XGROUP CREATECONSUMER when it has none.
func appendStreamCommands(b []byte, key []byte, r *rdb.Stream) []byte {
	st, err := engine.StreamFromRDB(r)
	if err != nil {
		// Snapshots only hold streams the engine built: unreachable.
		return b
	}
	var args [][]byte
	if st.Length > 0 {
		var it stream.Iterator
		it.Start(st, stream.ID{}, stream.MaxID, false)
		for {
			id, n, ok := it.Next()
			if !ok {
				break
			}
			args = append(args[:0], []byte("XADD"), key, id.Append(nil))
			for range n {
				f, v := it.Field()
				args = append(args, append([]byte(nil), f...), append([]byte(nil), v...))
			}
			b = AppendCommand(b, args)
		}
	} else {
		b = AppendCommand(b, [][]byte{[]byte("XADD"), key, []byte("MAXLEN"), []byte("0"), []byte("0-1"), []byte("x"), []byte("y")})
	}
	b = AppendCommand(b, [][]byte{[]byte("XSETID"), key, st.LastID.Append(nil),
		[]byte("ENTRIESADDED"), strconv.AppendUint(nil, st.EntriesAdded, 10),
		[]byte("MAXDELETEDID"), st.MaxDeletedID.Append(nil)})
	for _, g := range st.Groups() {
		name := []byte(g.Name)
		b = AppendCommand(b, [][]byte{[]byte("XGROUP"), []byte("CREATE"), key, name, g.LastID.Append(nil),
			[]byte("ENTRIESREAD"), strconv.AppendInt(nil, g.EntriesRead, 10)})
		for _, c := range g.Consumers() {
			if c.PendingCount() == 0 {
				b = AppendCommand(b, [][]byte{[]byte("XGROUP"), []byte("CREATECONSUMER"), key, name, []byte(c.Name)})
				continue
			}
			for _, n := range c.Pending() {
				b = AppendCommand(b, [][]byte{[]byte("XCLAIM"), key, name, []byte(c.Name), []byte("0"), n.ID.Append(nil),
					[]byte("TIME"), strconv.AppendInt(nil, n.DeliveryTime, 10),
					[]byte("RETRYCOUNT"), strconv.AppendUint(nil, n.DeliveryCount, 10),
					[]byte("JUSTID"), []byte("FORCE")})
			}
		}
	}
	return b
}
