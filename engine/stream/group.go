package stream

import (
	"sort"
	"strings"
)

// Group is a consumer group.
type Group struct {
	Name string
	// LastID is the last ID delivered to the group.
	LastID ID
	// EntriesRead is the group's logical read counter, or
	// InvalidEntriesRead.
	EntriesRead int64
	pel         pel
	consumers   []*Consumer // sorted by name
	// consumerBytes counts the consumers' memory (Stream.Bytes).
	consumerBytes int64
	// ReadCursor is where the group's last delivery was read, for the
	// next read of new entries to start from (Iterator.StartFrom).
	ReadCursor Cursor
}

// consumerOverhead is a consumer's struct and index slot, besides its name.
const consumerOverhead = 80

// Consumer is a member of a group.
type Consumer struct {
	Name     string
	SeenTime int64 // unix ms
	pel      pel
}

// NACK is a pending entry: delivered, not yet acknowledged. The group's
// PEL and its consumer's PEL share it.
type NACK struct {
	ID            ID
	DeliveryTime  int64 // unix ms
	DeliveryCount uint64
	Consumer      *Consumer
}

// pel is an ordered set of pending entries by ID. Deliveries append at
// the end (IDs grow), so a sorted slice costs little.
type pel []*NACK

func (p pel) search(id ID) int {
	if n := len(p); n > 0 && p[n-1].ID.Less(id) {
		return n
	}
	return sort.Search(len(p), func(i int) bool { return p[i].ID.Compare(id) >= 0 })
}

func (p pel) find(id ID) *NACK {
	i := p.search(id)
	if i < len(p) && p[i].ID == id {
		return p[i]
	}
	return nil
}

// insert adds n unless its ID is there; reports whether it was added.
func (p *pel) insert(n *NACK) bool {
	i := p.search(n.ID)
	if i < len(*p) && (*p)[i].ID == n.ID {
		return false
	}
	*p = append(*p, nil)
	copy((*p)[i+1:], (*p)[i:])
	(*p)[i] = n
	return true
}

func (p *pel) remove(id ID) {
	i := p.search(id)
	if i < len(*p) && (*p)[i].ID == id {
		copy((*p)[i:], (*p)[i+1:])
		(*p)[len(*p)-1] = nil
		*p = (*p)[:len(*p)-1]
	}
}

// Groups returns the groups in name order (byte order, as Redis's rax).
func (s *Stream) Groups() []*Group { return s.groups }

// Group returns the named group, nil if none.
func (s *Stream) Group(name string) *Group {
	i := sort.Search(len(s.groups), func(i int) bool { return s.groups[i].Name >= name })
	if i < len(s.groups) && s.groups[i].Name == name {
		return s.groups[i]
	}
	return nil
}

// CreateGroup adds a group; nil when the name is taken.
func (s *Stream) CreateGroup(name string, last ID, entriesRead int64) *Group {
	i := sort.Search(len(s.groups), func(i int) bool { return s.groups[i].Name >= name })
	if i < len(s.groups) && s.groups[i].Name == name {
		return nil
	}
	g := &Group{Name: name, LastID: last, EntriesRead: entriesRead}
	s.groups = append(s.groups, nil)
	copy(s.groups[i+1:], s.groups[i:])
	s.groups[i] = g
	return g
}

// DestroyGroup removes a group; reports whether it existed.
func (s *Stream) DestroyGroup(name string) bool {
	i := sort.Search(len(s.groups), func(i int) bool { return s.groups[i].Name >= name })
	if i < len(s.groups) && s.groups[i].Name == name {
		s.groups = append(s.groups[:i], s.groups[i+1:]...)
		return true
	}
	return false
}

// Consumers returns the consumers in name order.
func (g *Group) Consumers() []*Consumer { return g.consumers }

// Consumer returns the named consumer, nil if none.
func (g *Group) Consumer(name string) *Consumer {
	i := sort.Search(len(g.consumers), func(i int) bool { return g.consumers[i].Name >= name })
	if i < len(g.consumers) && g.consumers[i].Name == name {
		return g.consumers[i]
	}
	return nil
}

// CreateConsumer adds a consumer seen at nowMs; nil when it exists.
func (g *Group) CreateConsumer(name string, nowMs int64) *Consumer {
	i := sort.Search(len(g.consumers), func(i int) bool { return g.consumers[i].Name >= name })
	if i < len(g.consumers) && g.consumers[i].Name == name {
		return nil
	}
	c := &Consumer{Name: strings.Clone(name), SeenTime: nowMs}
	g.consumerBytes += consumerOverhead + int64(len(name))
	g.consumers = append(g.consumers, nil)
	copy(g.consumers[i+1:], g.consumers[i:])
	g.consumers[i] = c
	return c
}

// DeleteConsumer removes a consumer and its pending entries from the
// group; it returns how many were pending.
func (g *Group) DeleteConsumer(c *Consumer) int {
	n := len(c.pel)
	for _, nack := range c.pel {
		g.pel.remove(nack.ID)
	}
	i := sort.Search(len(g.consumers), func(i int) bool { return g.consumers[i].Name >= c.Name })
	if i < len(g.consumers) && g.consumers[i] == c {
		g.consumers = append(g.consumers[:i], g.consumers[i+1:]...)
		g.consumerBytes -= consumerOverhead + int64(len(c.Name))
	}
	return n
}

// PendingCount is the size of the group's PEL.
func (g *Group) PendingCount() int { return len(g.pel) }

// Pending returns the group's PEL in ID order (read only).
func (g *Group) Pending() []*NACK { return g.pel }

// PendingFrom is the PEL from the first entry >= id.
func (g *Group) PendingFrom(id ID) []*NACK { return g.pel[g.pel.search(id):] }

// FindPending returns the group's NACK for id, nil if none.
func (g *Group) FindPending(id ID) *NACK { return g.pel.find(id) }

// PendingCount is the size of the consumer's PEL.
func (c *Consumer) PendingCount() int { return len(c.pel) }

// Pending returns the consumer's PEL in ID order (read only).
func (c *Consumer) Pending() []*NACK { return c.pel }

// PendingFrom is the consumer's PEL from the first entry >= id.
func (c *Consumer) PendingFrom(id ID) []*NACK { return c.pel[c.pel.search(id):] }

// Ack removes id from the PELs; reports whether it was pending.
func (g *Group) Ack(id ID) bool {
	n := g.pel.find(id)
	if n == nil {
		return false
	}
	g.pel.remove(id)
	if n.Consumer != nil {
		n.Consumer.pel.remove(id)
	}
	return true
}

// Deliver records id as delivered to c at nowMs (streamReplyWithRange's
// PEL step): a new NACK, or an existing one moved to c with its count
// reset to 1. It returns the NACK.
func (g *Group) Deliver(id ID, c *Consumer, nowMs int64) *NACK {
	if n := g.pel.find(id); n != nil {
		if n.Consumer != nil {
			n.Consumer.pel.remove(id)
		}
		n.Consumer = c
		n.DeliveryTime = nowMs
		n.DeliveryCount = 1
		c.pel.insert(n)
		return n
	}
	n := &NACK{ID: id, DeliveryTime: nowMs, DeliveryCount: 1, Consumer: c}
	g.pel.insert(n)
	c.pel.insert(n)
	return n
}

// AddPending inserts a NACK with no consumer (XCLAIM FORCE, RDB loading);
// false when id is already pending.
func (g *Group) AddPending(n *NACK) bool { return g.pel.insert(n) }

// Assign makes c the owner of n.
func (g *Group) Assign(n *NACK, c *Consumer) bool {
	if n.Consumer == c {
		return true
	}
	if n.Consumer != nil {
		n.Consumer.pel.remove(n.ID)
	}
	n.Consumer = c
	return c.pel.insert(n)
}

// Dup returns an independent copy of the stream (COPY, copy-on-write).
func (s *Stream) Dup() *Stream {
	d := *s
	d.nodes = make([]*node, len(s.nodes))
	d.nodeBytes = 0
	for i, n := range s.nodes {
		d.nodes[i] = &node{master: n.master, lp: append([]byte(nil), n.lp...)}
		d.nodeBytes += int64(cap(d.nodes[i].lp)) + nodeOverhead
	}
	d.groups = make([]*Group, len(s.groups))
	for i, g := range s.groups {
		ng := &Group{Name: g.Name, LastID: g.LastID, EntriesRead: g.EntriesRead, consumerBytes: g.consumerBytes}
		byID := make(map[ID]*NACK, len(g.pel))
		ng.pel = make(pel, len(g.pel))
		for j, n := range g.pel {
			nn := &NACK{ID: n.ID, DeliveryTime: n.DeliveryTime, DeliveryCount: n.DeliveryCount}
			ng.pel[j] = nn
			byID[n.ID] = nn
		}
		ng.consumers = make([]*Consumer, len(g.consumers))
		for j, c := range g.consumers {
			nc := &Consumer{Name: c.Name, SeenTime: c.SeenTime, pel: make(pel, len(c.pel))}
			for k, n := range c.pel {
				nn := byID[n.ID]
				nn.Consumer = nc
				nc.pel[k] = nn
			}
			ng.consumers[j] = nc
		}
		d.groups[i] = ng
	}
	return &d
}
