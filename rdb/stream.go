package rdb

import (
	"encoding/binary"
	"math"
	"unsafe"
)

// Streams, as Redis 7.0 writes them (RDB_TYPE_STREAM_LISTPACKS_2) and
// as Redis 5 and 6 wrote them (RDB_TYPE_STREAM_LISTPACKS): the listpack
// nodes under their 16-byte big-endian master IDs, the stream's counters,
// then every consumer group with its pending entries and consumers. The
// listpacks are carried as they are; package engine/stream checks them.

// StreamID is an entry ID: milliseconds and sequence.
type StreamID struct{ Ms, Seq uint64 }

// StreamNode is one listpack node of a stream.
type StreamNode struct {
	// Master is the node's key: its first entry's ID, 128-bit big endian.
	Master [16]byte
	// Listpack is the node, as Redis keeps it in memory.
	Listpack []byte
}

// StreamNACK is a pending entry of a group.
type StreamNACK struct {
	ID            [16]byte
	DeliveryTime  int64
	DeliveryCount uint64
}

// StreamConsumer is a consumer and the IDs of the pending entries it owns.
type StreamConsumer struct {
	Name     string
	SeenTime int64
	Pending  [][16]byte
}

// StreamGroup is a consumer group.
type StreamGroup struct {
	Name   string
	LastID StreamID
	// EntriesRead is the group's read counter; -1 when unknown. A version-1
	// stream does not carry it (EntriesReadKnown is false) and the loader
	// estimates it.
	EntriesRead      int64
	EntriesReadKnown bool
	Pending          []StreamNACK
	Consumers        []StreamConsumer
}

// Stream is a decoded stream value.
type Stream struct {
	Nodes        []StreamNode
	Length       uint64
	LastID       StreamID
	FirstID      StreamID
	MaxDeletedID StreamID
	EntriesAdded uint64
	// V2 is false for a Redis 5/6 stream (no first ID, max deleted ID,
	// entries added or group read counters: the loader derives them).
	V2     bool
	Groups []StreamGroup
}

// AppendStream appends a stream's payload (without the type byte; that
// is TypeStreamListpack2).
func AppendStream(b []byte, s *Stream, compress bool) []byte {
	b = AppendLen(b, uint64(len(s.Nodes)))
	for _, n := range s.Nodes {
		b = AppendString(b, string(n.Master[:]), compress)
		b = AppendString(b, bytesString(n.Listpack), compress)
	}
	b = AppendLen(b, s.Length)
	b = AppendLen(b, s.LastID.Ms)
	b = AppendLen(b, s.LastID.Seq)
	b = AppendLen(b, s.FirstID.Ms)
	b = AppendLen(b, s.FirstID.Seq)
	b = AppendLen(b, s.MaxDeletedID.Ms)
	b = AppendLen(b, s.MaxDeletedID.Seq)
	b = AppendLen(b, s.EntriesAdded)
	b = AppendLen(b, uint64(len(s.Groups)))
	for _, g := range s.Groups {
		b = AppendString(b, g.Name, compress)
		b = AppendLen(b, g.LastID.Ms)
		b = AppendLen(b, g.LastID.Seq)
		b = AppendLen(b, uint64(g.EntriesRead))
		b = AppendLen(b, uint64(len(g.Pending)))
		for _, p := range g.Pending {
			b = append(b, p.ID[:]...)
			b = binary.LittleEndian.AppendUint64(b, uint64(p.DeliveryTime))
			b = AppendLen(b, p.DeliveryCount)
		}
		b = AppendLen(b, uint64(len(g.Consumers)))
		for _, c := range g.Consumers {
			b = AppendString(b, c.Name, compress)
			b = binary.LittleEndian.AppendUint64(b, uint64(c.SeenTime))
			b = AppendLen(b, uint64(len(c.Pending)))
			for _, id := range c.Pending {
				b = append(b, id[:]...)
			}
		}
	}
	return b
}

// bytesString views b as a string for AppendString, which only reads it.
func bytesString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// stream reads a stream of type t.
func (d *decoder) stream(t byte) (*Stream, error) {
	s := &Stream{V2: t == TypeStreamListpack2}
	n, err := d.count(2)
	if err != nil {
		return nil, err
	}
	s.Nodes = make([]StreamNode, 0, min(n, 1024))
	for range n {
		key, err := d.stringBytes()
		if err != nil {
			return nil, err
		}
		if len(key) != 16 {
			return nil, errCorrupt
		}
		lp, err := d.stringBytes()
		if err != nil {
			return nil, err
		}
		var node StreamNode
		copy(node.Master[:], key)
		node.Listpack = lp
		s.Nodes = append(s.Nodes, node)
	}
	lens := []*uint64{&s.Length, &s.LastID.Ms, &s.LastID.Seq}
	if s.V2 {
		lens = append(lens, &s.FirstID.Ms, &s.FirstID.Seq, &s.MaxDeletedID.Ms, &s.MaxDeletedID.Seq, &s.EntriesAdded)
	}
	for _, p := range lens {
		if *p, err = d.plainLen(); err != nil {
			return nil, err
		}
	}
	if s.Length > 0 && len(s.Nodes) == 0 {
		return nil, errCorrupt
	}
	ng, err := d.count(3)
	if err != nil {
		return nil, err
	}
	for range ng {
		var g StreamGroup
		if g.Name, err = d.string(); err != nil {
			return nil, err
		}
		if g.LastID.Ms, err = d.plainLen(); err != nil {
			return nil, err
		}
		if g.LastID.Seq, err = d.plainLen(); err != nil {
			return nil, err
		}
		if s.V2 {
			er, err := d.plainLen()
			if err != nil {
				return nil, err
			}
			if er > math.MaxInt64 && er != math.MaxUint64 {
				return nil, errCorrupt
			}
			g.EntriesRead, g.EntriesReadKnown = int64(er), true
		}
		np, err := d.count(16 + 8 + 1)
		if err != nil {
			return nil, err
		}
		for range np {
			var p StreamNACK
			raw, err := d.bytes(16 + 8)
			if err != nil {
				return nil, err
			}
			copy(p.ID[:], raw)
			p.DeliveryTime = int64(binary.LittleEndian.Uint64(raw[16:]))
			if p.DeliveryCount, err = d.plainLen(); err != nil {
				return nil, err
			}
			g.Pending = append(g.Pending, p)
		}
		nc, err := d.count(1 + 8 + 1)
		if err != nil {
			return nil, err
		}
		for range nc {
			var c StreamConsumer
			if c.Name, err = d.string(); err != nil {
				return nil, err
			}
			raw, err := d.bytes(8)
			if err != nil {
				return nil, err
			}
			c.SeenTime = int64(binary.LittleEndian.Uint64(raw))
			npc, err := d.count(16)
			if err != nil {
				return nil, err
			}
			for range npc {
				raw, err := d.bytes(16)
				if err != nil {
					return nil, err
				}
				var id [16]byte
				copy(id[:], raw)
				c.Pending = append(c.Pending, id)
			}
			g.Consumers = append(g.Consumers, c)
		}
		s.Groups = append(s.Groups, g)
	}
	return s, nil
}
