package cluster

import (
	"errors"
	"net/netip"
	"strconv"
)

// Todo are the deferred actions Redis's clusterDoBeforeSleep records: the
// host runs them between two commands (or before the next event loop
// round), once however many changes asked for them.
type Todo uint8

// The deferred actions.
const (
	TodoHandleFailover Todo = 1 << iota
	TodoUpdateState
	TodoSaveConfig
	TodoFsyncConfig
	TodoHandleManualFailover
)

// Settings are the configuration parameters the cluster logic reads.
type Settings struct {
	NodeTimeout              int64 // ms
	RequireFullCoverage      bool
	AllowReadsWhenDown       bool
	AllowPubsubshardWhenDown bool
	AllowReplicaMigration    bool
	MigrationBarrier         int
	ReplicaValidityFactor    int
	ReplicaNoFailover        bool
	PreferredEndpoint        string // "ip", "hostname" or "unknown-endpoint"
	// LinkSendbufLimit is cluster-link-sendbuf-limit: a link with more
	// bytes than this waiting to be sent is freed (0: no limit).
	LinkSendbufLimit int64
}

// Timing constants of cluster.h and cluster.c, in milliseconds.
const (
	FailReportValidityMult = 2
	FailUndoTimeMult       = 2
	MFTimeout              = 5000
	MFPauseMult            = 2
	SlaveMigrationDelay    = 5000
	maxRejoinDelay         = 5000
	minRejoinDelay         = 500
	writableDelay          = 2000
	blacklistTTL           = 60 // seconds
)

// State is one node's view of the cluster: Redis's clusterState.
type State struct {
	Myself *Node
	nodes  map[string]*Node
	// order keeps the nodes in the order they were added, so that CLUSTER
	// NODES and nodes.conf list them stably.
	order []*Node

	Slots         [Slots]*Node
	MigratingTo   [Slots]*Node
	ImportingFrom [Slots]*Node

	CurrentEpoch, LastVoteEpoch uint64
	// DropPacketFilter is DEBUG DROP-CLUSTER-PACKET-FILTER's message type:
	// received messages of that type are dropped (-1: none).
	DropPacketFilter int64
	// OK is cluster_state:ok (false is fail; a node starts failed).
	OK bool
	// Size is the number of masters serving at least one slot.
	Size int

	// blacklist holds the forgotten nodes (name → unix seconds until
	// which gossip about them is ignored).
	blacklist map[string]int64

	// Bus message counters by type, for CLUSTER INFO.
	MsgSent, MsgReceived [MsgTypeCount]int64
	// LinksBufferLimitExceeded counts links freed for their send buffer.
	LinksBufferLimitExceeded int64
	// PFailNodes counts the nodes flagged PFAIL at the last cron.
	PFailNodes int

	// Failover election state of a replica (clusterHandleSlaveFailover).
	FailoverAuthTime   int64
	FailoverAuthCount  int
	FailoverAuthSent   bool
	FailoverAuthRank   int
	FailoverAuthEpoch  uint64
	CantFailoverReason int
	// Manual failover state.
	MFEnd          int64
	MFReplica      *Node
	MFMasterOffset int64
	MFCanStart     bool

	Todo     Todo
	Settings Settings
	// Log receives log lines with Redis's level marks ('.' debug, '-'
	// verbose, '*' notice, '#' warning); nil discards them.
	Log func(level byte, line string)
	// NewName makes node names (RandomName unless a test sets it).
	NewName func() string
	// OnDelNode, when set, runs as DelNode drops a node: the bus frees
	// the node's links there, as Redis's freeClusterNode frees them, so
	// that no packet read on them later speaks for a forgotten node.
	OnDelNode func(n *Node)

	firstUpdate, minorityAt int64
}

// New returns the state of a fresh node named name: a master that knows
// only itself, as clusterInit makes it when there is no nodes.conf.
func New(name string, now int64) *State {
	st := newState()
	me := st.newNode(name, FlagMyself|FlagMaster, now)
	st.Myself = me
	st.AddNode(me)
	return st
}

func newState() *State {
	return &State{
		DropPacketFilter: -1,
		nodes:            map[string]*Node{},
		blacklist:        map[string]int64{},
		Size:             1,
		NewName:          RandomName,
		Settings: Settings{NodeTimeout: 15000, RequireFullCoverage: true, AllowReplicaMigration: true,
			MigrationBarrier: 1, ReplicaValidityFactor: 10, AllowPubsubshardWhenDown: true, PreferredEndpoint: "ip"},
	}
}

func (st *State) logf(level byte, line string) {
	if st.Log != nil {
		st.Log(level, line)
	}
}

// newNode makes a node (a random name when name is empty), not yet in the
// table.
func (st *State) newNode(name string, flags NodeFlags, now int64) *Node {
	if name == "" {
		name = st.NewName()
	}
	return &Node{Name: name, Flags: flags, CTime: now}
}

// NewNode makes a node for the table (add it with AddNode).
func (st *State) NewNode(name string, flags NodeFlags, now int64) *Node {
	return st.newNode(name, flags, now)
}

// Nodes returns the known nodes in a stable order. The slice must not be
// modified.
func (st *State) Nodes() []*Node { return st.order }

// Lookup finds a node by name; nil for unknown or malformed names.
func (st *State) Lookup(name string) *Node {
	if !ValidName(name) {
		return nil
	}
	return st.nodes[name]
}

// AddNode puts n in the table.
func (st *State) AddNode(n *Node) {
	st.nodes[n.Name] = n
	st.order = append(st.order, n)
}

// DelNode removes n from the table: its slots become unassigned, open
// slots towards it close, and its failure reports are dropped (Redis's
// clusterDelNode).
func (st *State) DelNode(n *Node) {
	if st.OnDelNode != nil {
		st.OnDelNode(n)
	}
	for j := range Slots {
		if st.ImportingFrom[j] == n {
			st.ImportingFrom[j] = nil
		}
		if st.MigratingTo[j] == n {
			st.MigratingTo[j] = nil
		}
		if st.Slots[j] == n {
			st.DelSlot(j)
		}
	}
	for _, o := range st.order {
		if o != n {
			o.delFailureReport(n, 0, 0)
		}
	}
	for _, r := range n.Replicas {
		r.Master = nil
	}
	if n.IsReplica() && n.Master != nil {
		n.Master.removeReplica(n)
	}
	if st.MFReplica == n {
		st.MFReplica = nil
	}
	delete(st.nodes, n.Name)
	for i, o := range st.order {
		if o == n {
			st.order = append(st.order[:i], st.order[i+1:]...)
			break
		}
	}
}

// RenameNode gives n its real name (learned in the handshake).
func (st *State) RenameNode(n *Node, name string) {
	delete(st.nodes, n.Name)
	n.Name = name
	st.nodes[name] = n
}

// AddSlot assigns slot to n; false when the slot has an owner.
func (st *State) AddSlot(n *Node, slot int) bool {
	if st.Slots[slot] != nil {
		return false
	}
	if !n.setSlotBit(slot) && n.NumSlots == 1 && st.mastersHaveReplicas() {
		n.Flags |= FlagMigrateTo
	}
	st.Slots[slot] = n
	return true
}

// DelSlot unassigns slot; false when it had no owner.
func (st *State) DelSlot(slot int) bool {
	n := st.Slots[slot]
	if n == nil {
		return false
	}
	n.clearSlotBit(slot)
	st.Slots[slot] = nil
	return true
}

// DelNodeSlots unassigns every slot of n and returns how many it had.
func (st *State) DelNodeSlots(n *Node) int {
	deleted := 0
	for j := range Slots {
		if n.HasSlot(j) {
			st.DelSlot(j)
			deleted++
		}
	}
	return deleted
}

// CloseAllSlots forgets every migrating and importing state.
func (st *State) CloseAllSlots() {
	st.MigratingTo = [Slots]*Node{}
	st.ImportingFrom = [Slots]*Node{}
}

func (st *State) mastersHaveReplicas() bool {
	for _, n := range st.order {
		if n.IsMaster() && len(n.Replicas) > 0 {
			return true
		}
	}
	return false
}

// SetNodeAsMaster turns n into a master (clusterSetNodeAsMaster).
func (st *State) SetNodeAsMaster(n *Node) {
	if n.IsMaster() {
		return
	}
	if n.Master != nil {
		n.Master.removeReplica(n)
		if n != st.Myself {
			n.Flags |= FlagMigrateTo
		}
	}
	n.Flags &^= FlagSlave
	n.Flags |= FlagMaster
	n.Master = nil
	st.Todo |= TodoSaveConfig | TodoUpdateState
}

// SetReplicaOf records that n replicates master.
func (st *State) SetReplicaOf(n, master *Node) {
	if n.Master != nil {
		n.Master.removeReplica(n)
	}
	master.addReplica(n)
	n.Master = master
}

// SetMyMaster makes this node a replica of n in the cluster's view
// (clusterSetMaster without the replication, which the caller starts).
func (st *State) SetMyMaster(n *Node) {
	me := st.Myself
	if me.IsMaster() {
		me.Flags &^= FlagMaster | FlagMigrateTo
		me.Flags |= FlagSlave
		st.CloseAllSlots()
	} else if me.Master != nil {
		me.Master.removeReplica(me)
	}
	me.Master = n
	n.addReplica(me)
	st.ResetManualFailover()
}

// ResetManualFailover forgets a manual failover in progress.
func (st *State) ResetManualFailover() {
	st.MFEnd = 0
	st.MFCanStart = false
	st.MFReplica = nil
	st.MFMasterOffset = -1
}

// MaxEpoch is the largest config epoch known, or the current epoch when
// larger.
func (st *State) MaxEpoch() uint64 {
	max := st.CurrentEpoch
	for _, n := range st.order {
		if n.ConfigEpoch > max {
			max = n.ConfigEpoch
		}
	}
	return max
}

// BumpEpochWithoutConsensus gives this node a new config epoch unless it
// already has the unique largest one; it reports whether it did.
func (st *State) BumpEpochWithoutConsensus() bool {
	maxEpoch := st.MaxEpoch()
	me := st.Myself
	if me.ConfigEpoch != 0 && me.ConfigEpoch == maxEpoch {
		return false
	}
	st.CurrentEpoch++
	me.ConfigEpoch = st.CurrentEpoch
	st.Todo |= TodoSaveConfig | TodoFsyncConfig
	st.logf('#', "New configEpoch set to "+strconv.FormatUint(me.ConfigEpoch, 10))
	return true
}

// HandleConfigEpochCollision resolves two masters with one config epoch:
// the one with the lexicographically smaller name takes a new epoch. It
// reports whether this node's epoch changed (the caller saves the config
// at once).
func (st *State) HandleConfigEpochCollision(sender *Node) bool {
	me := st.Myself
	if sender.ConfigEpoch != me.ConfigEpoch || !sender.IsMaster() || !me.IsMaster() {
		return false
	}
	if sender.Name <= me.Name {
		return false
	}
	st.CurrentEpoch++
	me.ConfigEpoch = st.CurrentEpoch
	st.logf('-', "WARNING: configEpoch collision with node "+sender.Name+". configEpoch set to "+strconv.FormatUint(me.ConfigEpoch, 10))
	return true
}

// BlacklistAdd keeps gossip from re-adding a forgotten node for a minute.
func (st *State) BlacklistAdd(name string, nowSec int64) {
	st.blacklistCleanup(nowSec)
	st.blacklist[name] = nowSec + blacklistTTL
}

// Blacklisted reports whether name was forgotten less than a minute ago.
func (st *State) Blacklisted(name string, nowSec int64) bool {
	st.blacklistCleanup(nowSec)
	_, ok := st.blacklist[name]
	return ok
}

func (st *State) blacklistCleanup(nowSec int64) {
	for k, exp := range st.blacklist {
		if exp < nowSec {
			delete(st.blacklist, k)
		}
	}
}

// Errors of StartHandshake, as clusterStartHandshake sets errno.
var (
	ErrInvalidAddress    = errors.New("invalid node address")
	ErrHandshakeUnderway = errors.New("handshake in progress")
)

// NormalizeIP parses ip as IPv4 or IPv6 and returns its canonical text.
func NormalizeIP(ip string) (string, bool) {
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Zone() != "" {
		return "", false
	}
	return a.String(), true
}

// StartHandshake adds a node in handshake with a random name for the bus
// to MEET (clusterStartHandshake).
func (st *State) StartHandshake(ip string, port, cport int, now int64) error {
	norm, ok := NormalizeIP(ip)
	if !ok || port <= 0 || port > 65535 || cport <= 0 || cport > 65535 {
		return ErrInvalidAddress
	}
	for _, n := range st.order {
		if n.InHandshake() && n.IP == norm && n.Port == port && n.CPort == cport {
			return ErrHandshakeUnderway
		}
	}
	n := st.newNode("", FlagHandshake|FlagMeet, now)
	n.IP, n.Port, n.CPort = norm, port, cport
	st.AddNode(n)
	return nil
}

// Reset forgets every other node and every slot (CLUSTER RESET); a hard
// reset also zeroes the epochs and renames this node. The caller turns a
// replica into a master and flushes its data first.
func (st *State) Reset(hard bool) {
	me := st.Myself
	if me.IsReplica() {
		st.SetNodeAsMaster(me)
	}
	st.CloseAllSlots()
	st.ResetManualFailover()
	for j := range Slots {
		st.DelSlot(j)
	}
	for _, n := range append([]*Node(nil), st.order...) {
		if n != me {
			st.DelNode(n)
		}
	}
	if hard {
		st.CurrentEpoch, st.LastVoteEpoch = 0, 0
		me.ConfigEpoch = 0
		st.logf('#', "configEpoch set to 0 via CLUSTER RESET HARD")
		st.RenameNode(me, st.NewName())
		st.logf('*', "Node hard reset, now I'm "+me.Name)
	}
	st.Todo |= TodoSaveConfig | TodoUpdateState | TodoFsyncConfig
}

// AddFailureReport records that sender believes n is failing; true when
// the report is new.
func (n *Node) AddFailureReport(sender *Node, now int64) bool {
	for i := range n.FailReports {
		if n.FailReports[i].Sender == sender {
			n.FailReports[i].Time = now
			return false
		}
	}
	n.FailReports = append(n.FailReports, FailReport{sender, now})
	return true
}

// CleanupFailureReports drops reports older than twice the node timeout.
func (n *Node) CleanupFailureReports(now, nodeTimeout int64) {
	maxAge := nodeTimeout * FailReportValidityMult
	kept := n.FailReports[:0]
	for _, fr := range n.FailReports {
		if now-fr.Time <= maxAge {
			kept = append(kept, fr)
		}
	}
	n.FailReports = kept
}

// DelFailureReport removes sender's report about n; true when there was
// one.
func (n *Node) DelFailureReport(sender *Node, now, nodeTimeout int64) bool {
	return n.delFailureReport(sender, now, nodeTimeout)
}

func (n *Node) delFailureReport(sender *Node, now, nodeTimeout int64) bool {
	for i, fr := range n.FailReports {
		if fr.Sender == sender {
			n.FailReports = append(n.FailReports[:i], n.FailReports[i+1:]...)
			if nodeTimeout > 0 {
				n.CleanupFailureReports(now, nodeTimeout)
			}
			return true
		}
	}
	return false
}

// FailureReportsCount counts the valid reports about n.
func (n *Node) FailureReportsCount(now, nodeTimeout int64) int {
	n.CleanupFailureReports(now, nodeTimeout)
	return len(n.FailReports)
}

// UpdateState recomputes cluster_state and the cluster size
// (clusterUpdateState).
func (st *State) UpdateState(now int64) {
	st.Todo &^= TodoUpdateState
	if st.firstUpdate == 0 {
		st.firstUpdate = now
	}
	me := st.Myself
	if me.IsMaster() && !st.OK && now-st.firstUpdate < writableDelay {
		return
	}
	newOK := true
	if st.Settings.RequireFullCoverage {
		for j := range Slots {
			if n := st.Slots[j]; n == nil || n.Failed() {
				newOK = false
				break
			}
		}
	}
	reachable := 0
	st.Size = 0
	for _, n := range st.order {
		if n.IsMaster() && n.NumSlots > 0 {
			st.Size++
			if n.Flags&(FlagFail|FlagPFail) == 0 {
				reachable++
			}
		}
	}
	if reachable < st.Size/2+1 {
		newOK = false
		st.minorityAt = now
	}
	if newOK != st.OK {
		rejoin := min(max(st.Settings.NodeTimeout, minRejoinDelay), maxRejoinDelay)
		if newOK && me.IsMaster() && now-st.minorityAt < rejoin {
			return
		}
		if newOK {
			st.logf('#', "Cluster state changed: ok")
		} else {
			st.logf('#', "Cluster state changed: fail")
		}
		st.OK = newOK
	}
}

// SlotRanges lists the ranges of slots n owns as start, end pairs.
func (st *State) SlotRanges(n *Node) []int {
	var out []int
	start := -1
	for j := 0; j <= Slots; j++ {
		owned := j < Slots && st.Slots[j] == n
		if owned && start < 0 {
			start = j
		}
		if !owned && start >= 0 {
			out = append(out, start, j-1)
			start = -1
		}
	}
	return out
}

// ShardNodes is a master followed by its replicas (a replica stands for
// its master).
func (st *State) ShardNodes(n *Node) []*Node {
	m := n
	if n.IsReplica() && n.Master != nil {
		m = n.Master
	}
	return append([]*Node{m}, m.Replicas...)
}
