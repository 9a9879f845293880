package cluster

import (
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
)

// NameLen is the length of a node name: 40 hex characters, as a SHA1.
const NameLen = 40

// PortIncr is the offset of the bus port from the client port when
// cluster-port is 0.
const PortIncr = 10000

// NodeFlags are a node's CLUSTER_NODE_* flags, with Redis's values (they
// travel in bus messages).
type NodeFlags uint16

// The node flags, as cluster.h numbers them.
const (
	FlagMaster NodeFlags = 1 << iota
	FlagSlave
	FlagPFail
	FlagFail
	FlagMyself
	FlagHandshake
	FlagNoAddr
	FlagMeet
	FlagMigrateTo
	FlagNoFailover
)

// flagNames lists the flags CLUSTER NODES and nodes.conf show, in Redis's
// order.
var flagNames = []struct {
	flag NodeFlags
	name string
}{
	{FlagMyself, "myself"},
	{FlagMaster, "master"},
	{FlagSlave, "slave"},
	{FlagPFail, "fail?"},
	{FlagFail, "fail"},
	{FlagHandshake, "handshake"},
	{FlagNoAddr, "noaddr"},
	{FlagNoFailover, "nofailover"},
}

// FailReport is one master's report that a node is failing.
type FailReport struct {
	Sender *Node
	Time   int64 // unix ms of the last report
}

// Node is what this node knows of one node of the cluster (itself
// included).
type Node struct {
	Name        string // 40 hex characters
	CTime       int64  // unix ms the node entered the table
	Flags       NodeFlags
	ConfigEpoch uint64
	slots       [Slots / 8]byte
	NumSlots    int
	Master      *Node   // the master of a replica (nil when unknown)
	Replicas    []*Node // the replicas of a master

	PingSent, PongReceived, DataReceived int64 // unix ms, 0 for none
	FailTime                             int64
	VotedTime                            int64
	ReplOffsetTime, OrphanedTime         int64
	ReplOffset                           int64
	// LastInPingGossip is the ping counter value when the node was last
	// put in a gossip section.
	LastInPingGossip int

	IP       string
	Hostname string
	Port     int // client port
	PPort    int // plaintext port of a TLS cluster
	CPort    int // bus port
	// Linked is set by the bus while an outbound link to the node is up;
	// Inbound while the node's inbound link is.
	Linked, Inbound bool

	FailReports []FailReport
}

// IsMaster reports whether n has the master flag.
func (n *Node) IsMaster() bool { return n.Flags&FlagMaster != 0 }

// IsReplica reports whether n has the slave flag.
func (n *Node) IsReplica() bool { return n.Flags&FlagSlave != 0 }

// Failed reports whether n is flagged FAIL.
func (n *Node) Failed() bool { return n.Flags&FlagFail != 0 }

// TimedOut reports whether n is flagged PFAIL.
func (n *Node) TimedOut() bool { return n.Flags&FlagPFail != 0 }

// InHandshake reports whether n has not answered its first ping yet.
func (n *Node) InHandshake() bool { return n.Flags&FlagHandshake != 0 }

// HasSlot reports whether n claims slot.
func (n *Node) HasSlot(slot int) bool { return n.slots[slot>>3]&(1<<(slot&7)) != 0 }

// SlotBitmap is n's slots as the bus carries them: bit slot%8 of byte
// slot/8.
func (n *Node) SlotBitmap() *[Slots / 8]byte { return &n.slots }

func (n *Node) setSlotBit(slot int) (old bool) {
	old = n.HasSlot(slot)
	n.slots[slot>>3] |= 1 << (slot & 7)
	if !old {
		n.NumSlots++
	}
	return old
}

func (n *Node) clearSlotBit(slot int) (old bool) {
	old = n.HasSlot(slot)
	n.slots[slot>>3] &^= 1 << (slot & 7)
	if old {
		n.NumSlots--
	}
	return old
}

func (n *Node) addReplica(r *Node) {
	for _, x := range n.Replicas {
		if x == r {
			return
		}
	}
	n.Replicas = append(n.Replicas, r)
	n.Flags |= FlagMigrateTo
}

func (n *Node) removeReplica(r *Node) {
	for i, x := range n.Replicas {
		if x == r {
			n.Replicas = append(n.Replicas[:i], n.Replicas[i+1:]...)
			if len(n.Replicas) == 0 {
				n.Flags &^= FlagMigrateTo
			}
			return
		}
	}
}

// NonFailingReplicas counts n's replicas not flagged FAIL.
func (n *Node) NonFailingReplicas() int {
	c := 0
	for _, r := range n.Replicas {
		if !r.Failed() {
			c++
		}
	}
	return c
}

// RandomName returns a new random node name. math/rand/v2's functions
// draw from the runtime's ChaCha8 generator, seeded from the OS's entropy
// for each process, as unpredictable as Redis's getRandomHexChars; not
// crypto/rand, which would bring Go's crypto module into the WebAssembly
// build that links this package.
func RandomName() string {
	var b [(NameLen/2 + 7) &^ 7]byte
	for i := 0; i < len(b); i += 8 {
		binary.LittleEndian.PutUint64(b[i:], rand.Uint64())
	}
	return hex.EncodeToString(b[:NameLen/2])
}

// ValidName reports whether name is a node name as Redis checks it: 40
// characters of [a-z0-9].
func ValidName(name string) bool {
	if len(name) != NameLen {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z') && !('0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
