package engine

import (
	"github.com/goredis-dev/goredis/engine/stream"
	"github.com/goredis-dev/goredis/rdb"
)

// streamValue is a stream stored in the keyspace: the data structure of
// package stream plus what every value type carries.
type streamValue struct {
	*stream.Stream
	snapMark
}

func newStreamValue() *streamValue { return &streamValue{Stream: stream.New()} }

func (v *streamValue) typeName() string { return "stream" }

// encoding is always "stream" (Redis's OBJ_ENCODING_STREAM).
func (v *streamValue) encoding() string { return "stream" }

func (v *streamValue) copyObject() object { return &streamValue{Stream: v.Dup()} }

// approxBytes estimates the memory the stream holds (MEMORY USAGE,
// sandbox limits).
func (v *streamValue) approxBytes() int64 { return v.Bytes() }

// memUsage is the stream's memory for used_memory (memSizer): the
// stream keeps a running count of its nodes, so this costs O(groups).
func (v *streamValue) memUsage() int64 { return v.Bytes() }

// toRDB describes the stream for the RDB encoder (nodes are shared, not
// copied: the encoder only reads them).
func (v *streamValue) toRDB() *rdb.Stream {
	st := v.Stream
	out := &rdb.Stream{
		Length:       st.Length,
		LastID:       rdb.StreamID{Ms: st.LastID.Ms, Seq: st.LastID.Seq},
		FirstID:      rdb.StreamID{Ms: st.FirstID.Ms, Seq: st.FirstID.Seq},
		MaxDeletedID: rdb.StreamID{Ms: st.MaxDeletedID.Ms, Seq: st.MaxDeletedID.Seq},
		EntriesAdded: st.EntriesAdded,
		V2:           true,
	}
	st.EachNode(func(master stream.ID, lp []byte) {
		out.Nodes = append(out.Nodes, rdb.StreamNode{Master: master.Key(), Listpack: lp})
	})
	for _, g := range st.Groups() {
		rg := rdb.StreamGroup{
			Name:             g.Name,
			LastID:           rdb.StreamID{Ms: g.LastID.Ms, Seq: g.LastID.Seq},
			EntriesRead:      g.EntriesRead,
			EntriesReadKnown: true,
		}
		for _, n := range g.Pending() {
			rg.Pending = append(rg.Pending, rdb.StreamNACK{ID: n.ID.Key(), DeliveryTime: n.DeliveryTime, DeliveryCount: n.DeliveryCount})
		}
		for _, c := range g.Consumers() {
			rc := rdb.StreamConsumer{Name: c.Name, SeenTime: c.SeenTime}
			for _, n := range c.Pending() {
				rc.Pending = append(rc.Pending, n.ID.Key())
			}
			rg.Consumers = append(rg.Consumers, rc)
		}
		out.Groups = append(out.Groups, rg)
	}
	return out
}

// StreamFromRDB builds a stream from a decoded value, checking its nodes
// and that its counters and groups agree with them (RESTORE takes
// payloads from anyone). The AOF rewrite uses it too.
func StreamFromRDB(r *rdb.Stream) (*stream.Stream, error) {
	st := stream.New()
	for _, n := range r.Nodes {
		lp := n.Listpack
		if err := st.AddNode(stream.IDFromKey(n.Master[:]), lp); err != nil {
			return nil, rdb.Corrupt("Stream listpack integrity check failed.")
		}
	}
	st.Length = r.Length
	st.LastID = stream.ID{Ms: r.LastID.Ms, Seq: r.LastID.Seq}
	if err := st.Check(); err != nil {
		return nil, err
	}
	if r.V2 {
		st.FirstID = stream.ID{Ms: r.FirstID.Ms, Seq: r.FirstID.Seq}
		st.MaxDeletedID = stream.ID{Ms: r.MaxDeletedID.Ms, Seq: r.MaxDeletedID.Seq}
		st.EntriesAdded = r.EntriesAdded
	} else {
		// Redis 5/6 streams: what 7.0 derives when loading them.
		st.EntriesAdded = st.Length
		if st.Length > 0 {
			st.FirstID = st.EdgeID(true, true)
		}
	}
	for _, rg := range r.Groups {
		last := stream.ID{Ms: rg.LastID.Ms, Seq: rg.LastID.Seq}
		read := rg.EntriesRead
		if !rg.EntriesReadKnown {
			read = st.EstimateDistance(last)
		}
		g := st.CreateGroup(rg.Name, last, read)
		if g == nil {
			return nil, rdb.Corrupt("Duplicated consumer group name " + rg.Name)
		}
		for _, p := range rg.Pending {
			if !g.AddPending(&stream.NACK{ID: stream.IDFromKey(p.ID[:]), DeliveryTime: p.DeliveryTime, DeliveryCount: p.DeliveryCount}) {
				return nil, rdb.Corrupt("Duplicated global PEL entry loading stream consumer group")
			}
		}
		for _, rc := range rg.Consumers {
			c := g.CreateConsumer(rc.Name, rc.SeenTime)
			if c == nil {
				return nil, rdb.Corrupt("Duplicate stream consumer detected.")
			}
			for _, key := range rc.Pending {
				n := g.FindPending(stream.IDFromKey(key[:]))
				if n == nil {
					return nil, rdb.Corrupt("Consumer entry not found in group global PEL")
				}
				if n.Consumer != nil {
					return nil, rdb.Corrupt("Duplicated consumer PEL entry  loading a stream consumer group")
				}
				g.Assign(n, c)
			}
		}
		for _, n := range g.Pending() {
			if n.Consumer == nil {
				// Redis's deep check: every pending entry has an owner.
				return nil, rdb.Corrupt("Stream CG PEL entry without consumer")
			}
		}
	}
	return st, nil
}
