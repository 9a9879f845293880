package engine

import (
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/goredis-dev/goredis/cluster"
)

// CLUSTER and its subcommands, READONLY, READWRITE and ASKING. Without
// cluster mode they answer as a Redis 7.0 started with cluster-enabled no
// (clients and GUIs probe CLUSTER INFO or CLUSTER SLOTS to learn whether
// they talk to a cluster).

func clusterHandlers() []handlerEntry {
	list := []handlerEntry{
		{"readonly", cmdReadonly},
		{"readwrite", cmdReadwrite},
		{"asking", cmdAsking},
	}
	// Every CLUSTER subcommand of Redis 7.0 (MYSHARDID came in 7.2).
	for _, sub := range []struct {
		name string
		fn   handler
	}{
		{"addslots", cmdClusterAddSlots}, {"addslotsrange", cmdClusterAddSlotsRange},
		{"bumpepoch", cmdClusterBumpEpoch}, {"count-failure-reports", cmdClusterCountFailureReports},
		{"countkeysinslot", cmdClusterCountKeysInSlot}, {"delslots", cmdClusterAddSlots},
		{"delslotsrange", cmdClusterAddSlotsRange}, {"failover", cmdClusterFailover},
		{"flushslots", cmdClusterFlushSlots}, {"forget", cmdClusterForget},
		{"getkeysinslot", cmdClusterGetKeysInSlot}, {"help", cmdClusterHelp},
		{"info", cmdClusterInfo}, {"keyslot", cmdClusterKeySlot}, {"links", cmdClusterLinks},
		{"meet", cmdClusterMeet}, {"myid", cmdClusterMyID}, {"nodes", cmdClusterNodes},
		{"replicas", cmdClusterReplicas}, {"replicate", cmdClusterReplicate},
		{"reset", cmdClusterReset}, {"saveconfig", cmdClusterSaveConfig},
		{"set-config-epoch", cmdClusterSetConfigEpoch}, {"setslot", cmdClusterSetSlot},
		{"shards", cmdClusterShards}, {"slaves", cmdClusterReplicas}, {"slots", cmdClusterSlots},
	} {
		list = append(list, handlerEntry{"cluster|" + sub.name, clusterOnly(sub.fn)})
	}
	return list
}

const errClusterDisabled = "ERR This instance has cluster support disabled"

// clusterOnly answers Redis's error for a CLUSTER subcommand when cluster
// mode is off.
func clusterOnly(fn handler) handler {
	return func(s *Session, args [][]byte) {
		if s.e.cluster == nil {
			s.w.Error(errClusterDisabled)
			return
		}
		fn(s, args)
	}
}

// ASKING
func cmdAsking(s *Session, args [][]byte) {
	if s.e.cluster == nil {
		s.w.Error(errClusterDisabled)
		return
	}
	s.asking = true
	s.w.OK()
}

// READONLY
func cmdReadonly(s *Session, args [][]byte) {
	if s.e.cluster == nil {
		s.w.Error(errClusterDisabled)
		return
	}
	s.readonlyCluster = true
	s.w.OK()
}

// READWRITE
func cmdReadwrite(s *Session, args [][]byte) {
	if s.e.cluster == nil {
		s.w.Error(errClusterDisabled)
		return
	}
	s.readonlyCluster = false
	s.w.OK()
}

// clusterSyntaxError is addReplySubcommandSyntaxError.
func clusterSyntaxError(s *Session, args [][]byte) {
	s.w.Error("ERR unknown subcommand or wrong number of arguments for '" + truncateArg(args[1]) + "'. Try " + strings.ToUpper(string(args[0])) + " HELP.")
}

// CLUSTER HELP
func cmdClusterHelp(s *Session, args [][]byte) {
	writeHelp(&s.w, "CLUSTER", []string{
		"ADDSLOTS <slot> [<slot> ...]",
		"    Assign slots to current node.",
		"ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
		"    Assign slots which are between <start-slot> and <end-slot> to current node.",
		"BUMPEPOCH",
		"    Advance the cluster config epoch.",
		"COUNT-FAILURE-REPORTS <node-id>",
		"    Return number of failure reports for <node-id>.",
		"COUNTKEYSINSLOT <slot>",
		"    Return the number of keys in <slot>.",
		"DELSLOTS <slot> [<slot> ...]",
		"    Delete slots information from current node.",
		"DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
		"    Delete slots information which are between <start-slot> and <end-slot> from current node.",
		"FAILOVER [FORCE|TAKEOVER]",
		"    Promote current replica node to being a master.",
		"FORGET <node-id>",
		"    Remove a node from the cluster.",
		"GETKEYSINSLOT <slot> <count>",
		"    Return key names stored by current node in a slot.",
		"FLUSHSLOTS",
		"    Delete current node own slots information.",
		"INFO",
		"    Return information about the cluster.",
		"KEYSLOT <key>",
		"    Return the hash slot for <key>.",
		"MEET <ip> <port> [<bus-port>]",
		"    Connect nodes into a working cluster.",
		"MYID",
		"    Return the node id.",
		"NODES",
		"    Return cluster configuration seen by node. Output format:",
		"    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
		"REPLICATE <node-id>",
		"    Configure current node as replica to <node-id>.",
		"RESET [HARD|SOFT]",
		"    Reset current node (default: soft).",
		"SET-CONFIG-EPOCH <epoch>",
		"    Set config epoch of current node.",
		"SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)",
		"    Set slot state.",
		"REPLICAS <node-id>",
		"    Return <node-id> replicas.",
		"SAVECONFIG",
		"    Force saving cluster configuration on disk.",
		"SLOTS",
		"    Return information about slots range mappings. Each range is made of:",
		"    start, end, master and replicas IP addresses, ports and ids",
		"SHARDS",
		"    Return information about slot range mappings and the nodes associated with them.",
		"LINKS",
		"    Return information about all network links between this node and its peers.",
		"    Output format is an array where each array element is a map containing attributes of a link",
	})
}

// slotArg parses a slot as getSlotOrReply.
func slotArg(s *Session, arg []byte) (int, bool) {
	n, ok := parseInt(arg)
	if !ok || n < 0 || n >= cluster.Slots {
		s.w.Error("ERR Invalid or out of range slot")
		return 0, false
	}
	return int(n), true
}

// checkSlotAssignments is checkSlotAssignmentsOrReply.
func checkSlotAssignments(s *Session, seen []byte, del bool, start, end int) bool {
	st := s.e.cluster.st
	for slot := start; slot <= end; slot++ {
		if del && st.Slots[slot] == nil {
			s.w.Error("ERR Slot " + strconv.Itoa(slot) + " is already unassigned")
			return false
		} else if !del && st.Slots[slot] != nil {
			s.w.Error("ERR Slot " + strconv.Itoa(slot) + " is already busy")
			return false
		}
		seen[slot]++
		if seen[slot] == 2 {
			s.w.Error("ERR Slot " + strconv.Itoa(slot) + " specified multiple times")
			return false
		}
	}
	return true
}

// updateSlots is clusterUpdateSlots: take or drop the marked slots.
func (s *Session) updateSlots(seen []byte, del bool) {
	st := s.e.cluster.st
	for j := range cluster.Slots {
		if seen[j] == 0 {
			continue
		}
		st.ImportingFrom[j] = nil
		if del {
			s.e.clusterDelSlot(j)
		} else {
			st.AddSlot(st.Myself, j)
		}
	}
	st.Todo |= cluster.TodoUpdateState | cluster.TodoSaveConfig
	s.w.OK()
}

// CLUSTER ADDSLOTS slot [slot ...]
// CLUSTER DELSLOTS slot [slot ...]
func cmdClusterAddSlots(s *Session, args [][]byte) {
	del := equalFold(args[1], "delslots")
	for _, a := range args[2:] {
		if _, ok := slotArg(s, a); !ok {
			return
		}
	}
	seen := make([]byte, cluster.Slots)
	for _, a := range args[2:] {
		slot, _ := slotArg(s, a)
		if !checkSlotAssignments(s, seen, del, slot, slot) {
			return
		}
	}
	s.updateSlots(seen, del)
}

// CLUSTER ADDSLOTSRANGE start end [start end ...]
// CLUSTER DELSLOTSRANGE start end [start end ...]
func cmdClusterAddSlotsRange(s *Session, args [][]byte) {
	if len(args)%2 == 1 {
		s.w.Error("ERR wrong number of arguments for '" + s.run.cmd.Name + "' command")
		return
	}
	del := equalFold(args[1], "delslotsrange")
	seen := make([]byte, cluster.Slots)
	for j := 2; j < len(args); j += 2 {
		start, ok := slotArg(s, args[j])
		if !ok {
			return
		}
		end, ok := slotArg(s, args[j+1])
		if !ok {
			return
		}
		if start > end {
			s.w.Error("ERR start slot number " + strconv.Itoa(start) + " is greater than end slot number " + strconv.Itoa(end))
			return
		}
		if !checkSlotAssignments(s, seen, del, start, end) {
			return
		}
	}
	s.updateSlots(seen, del)
}

// clusterDelSlot unassigns a slot; when this node belongs to the shard
// that served it, the shard channels of the slot lose their subscribers
// (clusterDelSlot's removeChannelsInSlot).
func (e *Engine) clusterDelSlot(slot int) {
	st := e.cluster.st
	if n := st.Slots[slot]; n != nil {
		for _, m := range st.ShardNodes(n) {
			if m == st.Myself {
				e.removeChannelsInSlot(slot)
				break
			}
		}
	}
	st.DelSlot(slot)
}

// removeChannelsInSlot unsubscribes every client from the shard channels
// of slot, each told with an sunsubscribe message.
func (e *Engine) removeChannelsInSlot(slot int) {
	h := e.main.pubsub
	if h == nil || len(h.shards) == 0 {
		return
	}
	var names []string
	for ch := range h.shards {
		if cluster.KeySlot(ch) == slot {
			names = append(names, ch)
		}
	}
	sort.Strings(names)
	for _, ch := range names {
		for _, s := range append([]*Session(nil), h.shards[ch]...) {
			s.pushAsync(func(w *Writer) {
				s.drop(subShard, ch)
				s.unsubReply(subShard, ch, true)
			})
		}
	}
}

// CLUSTER FLUSHSLOTS
func cmdClusterFlushSlots(s *Session, args [][]byte) {
	if s.ks.dbs[0].size() != 0 {
		s.w.Error("ERR DB must be empty to perform CLUSTER FLUSHSLOTS.")
		return
	}
	st := s.e.cluster.st
	for j := range cluster.Slots {
		if st.Slots[j] == st.Myself {
			s.e.clusterDelSlot(j)
		}
	}
	st.Todo |= cluster.TodoUpdateState | cluster.TodoSaveConfig
	s.w.OK()
}

// CLUSTER SETSLOT slot IMPORTING node-id|MIGRATING node-id|STABLE|NODE node-id
func cmdClusterSetSlot(s *Session, args [][]byte) {
	e := s.e
	st := e.cluster.st
	me := st.Myself
	if me.IsReplica() {
		s.w.Error("ERR Please use SETSLOT only with masters.")
		return
	}
	slot, ok := slotArg(s, args[2])
	if !ok {
		return
	}
	action := strings.ToLower(string(args[3]))
	switch {
	case action == "migrating" && len(args) == 5:
		if st.Slots[slot] != me {
			s.w.Error("ERR I'm not the owner of hash slot " + strconv.Itoa(slot))
			return
		}
		n := st.Lookup(string(args[4]))
		if n == nil {
			s.w.Error("ERR I don't know about node " + string(args[4]))
			return
		}
		if n.IsReplica() {
			s.w.Error("ERR Target node is not a master")
			return
		}
		st.MigratingTo[slot] = n
	case action == "importing" && len(args) == 5:
		if st.Slots[slot] == me {
			s.w.Error("ERR I'm already the owner of hash slot " + strconv.Itoa(slot))
			return
		}
		n := st.Lookup(string(args[4]))
		if n == nil {
			s.w.Error("ERR I don't know about node " + string(args[4]))
			return
		}
		if n.IsReplica() {
			s.w.Error("ERR Target node is not a master")
			return
		}
		st.ImportingFrom[slot] = n
	case action == "stable" && len(args) == 4:
		st.ImportingFrom[slot] = nil
		st.MigratingTo[slot] = nil
	case action == "node" && len(args) == 5:
		n := st.Lookup(string(args[4]))
		if n == nil {
			s.w.Error("ERR Unknown node " + string(args[4]))
			return
		}
		if n.IsReplica() {
			s.w.Error("ERR Target node is not a master")
			return
		}
		keys := e.countKeysInSlot(slot)
		if st.Slots[slot] == me && n != me && keys != 0 {
			s.w.Error("ERR Can't assign hashslot " + strconv.Itoa(slot) + " to a different node while I still hold keys for this hash slot.")
			return
		}
		if keys == 0 && st.MigratingTo[slot] != nil {
			st.MigratingTo[slot] = nil
		}
		wasMine := st.Slots[slot] == me
		e.clusterDelSlot(slot)
		st.AddSlot(n, slot)
		if wasMine && n != me && me.NumSlots == 0 && st.Settings.AllowReplicaMigration {
			e.logLevel('#', "Configuration change detected. Reconfiguring myself as a replica of "+n.Name)
			e.clusterSetMyMaster(n)
			st.Todo |= cluster.TodoSaveConfig | cluster.TodoUpdateState | cluster.TodoFsyncConfig
		}
		if n == me && st.ImportingFrom[slot] != nil {
			if st.BumpEpochWithoutConsensus() {
				e.logLevel('#', "configEpoch updated after importing slot "+strconv.Itoa(slot))
			}
			st.ImportingFrom[slot] = nil
			if b := e.cluster.bus; b != nil {
				b.BroadcastPong()
			}
		}
	default:
		s.w.Error("ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP")
		return
	}
	st.Todo |= cluster.TodoSaveConfig | cluster.TodoUpdateState
	s.w.OK()
}

// countKeysInSlot counts db 0's keys in slot.
func (e *Engine) countKeysInSlot(slot int) int {
	if x := e.main.dbs[0].slots; x != nil {
		return x.count[slot]
	}
	return 0
}

// CLUSTER BUMPEPOCH
func cmdClusterBumpEpoch(s *Session, args [][]byte) {
	st := s.e.cluster.st
	word := "STILL"
	if st.BumpEpochWithoutConsensus() {
		word = "BUMPED"
	}
	s.w.Simple(word + " " + strconv.FormatUint(st.Myself.ConfigEpoch, 10))
}

// CLUSTER INFO
func cmdClusterInfo(s *Session, args [][]byte) {
	st := s.e.cluster.st
	assigned, ok, pfail, fail := 0, 0, 0, 0
	for _, n := range st.Slots {
		if n == nil {
			continue
		}
		assigned++
		switch {
		case n.Failed():
			fail++
		case n.TimedOut():
			pfail++
		default:
			ok++
		}
	}
	me := st.Myself
	myEpoch := me.ConfigEpoch
	if me.IsReplica() && me.Master != nil {
		myEpoch = me.Master.ConfigEpoch
	}
	state := "fail"
	if st.OK {
		state = "ok"
	}
	var b strings.Builder
	field := func(name, value string) {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(value)
		b.WriteString("\r\n")
	}
	field("cluster_state", state)
	field("cluster_slots_assigned", strconv.Itoa(assigned))
	field("cluster_slots_ok", strconv.Itoa(ok))
	field("cluster_slots_pfail", strconv.Itoa(pfail))
	field("cluster_slots_fail", strconv.Itoa(fail))
	field("cluster_known_nodes", strconv.Itoa(len(st.Nodes())))
	field("cluster_size", strconv.Itoa(st.Size))
	field("cluster_current_epoch", strconv.FormatUint(st.CurrentEpoch, 10))
	field("cluster_my_epoch", strconv.FormatUint(myEpoch, 10))
	for _, dir := range []struct {
		counts *[cluster.MsgTypeCount]int64
		word   string
	}{{&st.MsgSent, "sent"}, {&st.MsgReceived, "received"}} {
		var total int64
		for t, c := range dir.counts {
			if c == 0 {
				continue
			}
			total += c
			field("cluster_stats_messages_"+cluster.MsgTypeName(uint16(t))+"_"+dir.word, strconv.FormatInt(c, 10))
		}
		field("cluster_stats_messages_"+dir.word, strconv.FormatInt(total, 10))
	}
	field("total_cluster_links_buffer_limit_exceeded", strconv.FormatInt(st.LinksBufferLimitExceeded, 10))
	s.w.Verbatim("txt", b.String())
}

// CLUSTER SAVECONFIG
func cmdClusterSaveConfig(s *Session, args [][]byte) {
	cm := s.e.cluster
	cm.st.Todo &^= cluster.TodoSaveConfig | cluster.TodoFsyncConfig
	if err := cm.saveConfig(); err != nil {
		s.w.Error("ERR error saving the cluster node config: " + errnoText(err))
		return
	}
	s.w.OK()
}

// errnoText is strerror's text for an OS error (the innermost message).
func errnoText(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			break
		}
		err = u
	}
	msg := err.Error()
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	return msg
}

// CLUSTER KEYSLOT key
func cmdClusterKeySlot(s *Session, args [][]byte) {
	s.w.Int(int64(cluster.KeySlot(args[2])))
}

// CLUSTER COUNTKEYSINSLOT slot
func cmdClusterCountKeysInSlot(s *Session, args [][]byte) {
	slot, ok := parseInt(args[2])
	if !ok {
		s.w.Error(errNotInt)
		return
	}
	if slot < 0 || slot >= cluster.Slots {
		s.w.Error("ERR Invalid slot")
		return
	}
	s.w.Int(int64(s.e.countKeysInSlot(int(slot))))
}

// CLUSTER GETKEYSINSLOT slot count
func cmdClusterGetKeysInSlot(s *Session, args [][]byte) {
	slot, ok := parseInt(args[2])
	if !ok {
		s.w.Error(errNotInt)
		return
	}
	maxKeys, ok := parseInt(args[3])
	if !ok {
		s.w.Error(errNotInt)
		return
	}
	if slot < 0 || slot >= cluster.Slots || maxKeys < 0 {
		s.w.Error("ERR Invalid slot or number of keys")
		return
	}
	x := s.e.main.dbs[0].slots
	n := min(int64(x.count[slot]), maxKeys)
	s.w.Array(int(n))
	for k := range x.keys[slot] {
		if n == 0 {
			break
		}
		s.w.BulkString(k)
		n--
	}
}

// CLUSTER FORGET node-id
func cmdClusterForget(s *Session, args [][]byte) {
	e := s.e
	st := e.cluster.st
	n := st.Lookup(string(args[2]))
	switch {
	case n == nil:
		s.w.Error("ERR Unknown node " + string(args[2]))
		return
	case n == st.Myself:
		s.w.Error("ERR I tried hard but I can't forget myself...")
		return
	case st.Myself.IsReplica() && st.Myself.Master == n:
		s.w.Error("ERR Can't forget my master!")
		return
	}
	st.BlacklistAdd(n.Name, e.now().Unix())
	st.DelNode(n)
	st.Todo |= cluster.TodoUpdateState | cluster.TodoSaveConfig
	s.w.OK()
}

// CLUSTER REPLICATE node-id
func cmdClusterReplicate(s *Session, args [][]byte) {
	e := s.e
	st := e.cluster.st
	me := st.Myself
	n := st.Lookup(string(args[2]))
	switch {
	case n == nil:
		s.w.Error("ERR Unknown node " + string(args[2]))
		return
	case n == me:
		s.w.Error("ERR Can't replicate myself")
		return
	case n.IsReplica():
		s.w.Error("ERR I can only replicate a master, not a replica.")
		return
	case me.IsMaster() && (me.NumSlots != 0 || s.ks.dbs[0].size() != 0):
		s.w.Error("ERR To set a master the node must be empty and without assigned slots.")
		return
	}
	e.clusterSetMyMaster(n)
	st.Todo |= cluster.TodoUpdateState | cluster.TodoSaveConfig
	s.w.OK()
}

// clusterSetMyMaster makes this node a replica of n and starts
// replicating from it (clusterSetMaster).
func (e *Engine) clusterSetMyMaster(n *cluster.Node) {
	if e.cluster.st.MFReplica != nil {
		// A master paused for a replica's manual failover resumes as it
		// turns into a replica (resetManualFailover).
		e.unpauseFailover()
	}
	e.cluster.st.SetMyMaster(n)
	e.clusterFollow(n.IP, n.Port)
}

// CLUSTER REPLICAS node-id
// CLUSTER SLAVES node-id
func cmdClusterReplicas(s *Session, args [][]byte) {
	st := s.e.cluster.st
	n := st.Lookup(string(args[2]))
	if n == nil {
		s.w.Error("ERR Unknown node " + string(args[2]))
		return
	}
	if n.IsReplica() {
		s.w.Error("ERR The specified node is not a master")
		return
	}
	s.w.Array(len(n.Replicas))
	for _, r := range n.Replicas {
		s.w.BulkString(st.NodeDescription(r))
	}
}

// CLUSTER COUNT-FAILURE-REPORTS node-id
func cmdClusterCountFailureReports(s *Session, args [][]byte) {
	st := s.e.cluster.st
	n := st.Lookup(string(args[2]))
	if n == nil {
		s.w.Error("ERR Unknown node " + string(args[2]))
		return
	}
	s.w.Int(int64(n.FailureReportsCount(s.e.now().UnixMilli(), st.Settings.NodeTimeout)))
}

// CLUSTER FAILOVER [FORCE|TAKEOVER]
func cmdClusterFailover(s *Session, args [][]byte) {
	e := s.e
	st := e.cluster.st
	if len(args) > 3 {
		clusterSyntaxError(s, args)
		return
	}
	force, takeover := false, false
	if len(args) == 3 {
		switch {
		case equalFold(args[2], "force"):
			force = true
		case equalFold(args[2], "takeover"):
			force, takeover = true, true
		default:
			s.w.Error(errSyntax)
			return
		}
	}
	me := st.Myself
	switch {
	case me.IsMaster():
		s.w.Error("ERR You should send CLUSTER FAILOVER to a replica")
		return
	case me.Master == nil:
		s.w.Error("ERR I'm a replica but my master is unknown to me")
		return
	case !force && (me.Master.Failed() || !me.Master.Linked):
		s.w.Error("ERR Master is down or failed, please use CLUSTER FAILOVER FORCE")
		return
	}
	st.ResetManualFailover()
	st.MFEnd = e.now().UnixMilli() + cluster.MFTimeout
	switch {
	case takeover:
		e.logLevel('#', "Taking over the master (user request).")
		st.BumpEpochWithoutConsensus()
		e.ClusterReplaceMaster()
	case force:
		e.logLevel('#', "Forced failover user request accepted.")
		st.MFCanStart = true
	default:
		e.logLevel('#', "Manual failover user request accepted.")
		if b := e.cluster.bus; b != nil {
			b.SendMFStart(me.Master)
		}
	}
	s.w.OK()
}

// ClusterReplaceMaster makes this replica the master of its master's
// slots (clusterFailoverReplaceYourMaster). Called with the engine
// locked: by CLUSTER FAILOVER TAKEOVER, or by the bus in ClusterDo once
// an election is won.
func (e *Engine) ClusterReplaceMaster() {
	st := e.cluster.st
	me := st.Myself
	old := me.Master
	if me.IsMaster() || old == nil {
		return
	}
	st.SetNodeAsMaster(me)
	e.clusterUnfollow()
	for j := range cluster.Slots {
		if old.HasSlot(j) {
			e.clusterDelSlot(j)
			st.AddSlot(me, j)
		}
	}
	st.UpdateState(e.now().UnixMilli())
	if err := e.cluster.saveConfig(); err != nil {
		e.logLevel('#', "Fatal: can't update cluster config file.")
		if e.cluster.fatal != nil {
			e.cluster.fatal()
		}
	}
	if b := e.cluster.bus; b != nil {
		b.BroadcastPong()
	}
	st.ResetManualFailover()
}

// CLUSTER SET-CONFIG-EPOCH epoch
func cmdClusterSetConfigEpoch(s *Session, args [][]byte) {
	st := s.e.cluster.st
	epoch, ok := parseInt(args[2])
	if !ok {
		s.w.Error(errNotInt)
		return
	}
	switch {
	case epoch < 0:
		s.w.Error("ERR Invalid config epoch specified: " + strconv.FormatInt(epoch, 10))
	case len(st.Nodes()) > 1:
		s.w.Error("ERR The user can assign a config epoch only when the node does not know any other node.")
	case st.Myself.ConfigEpoch != 0:
		s.w.Error("ERR Node config epoch is already non-zero")
	default:
		st.Myself.ConfigEpoch = uint64(epoch)
		s.e.logLevel('#', "configEpoch set to "+strconv.FormatInt(epoch, 10)+" via CLUSTER SET-CONFIG-EPOCH")
		if st.CurrentEpoch < uint64(epoch) {
			st.CurrentEpoch = uint64(epoch)
		}
		st.Todo |= cluster.TodoUpdateState | cluster.TodoSaveConfig
		s.w.OK()
	}
}

// CLUSTER RESET [HARD|SOFT]
func cmdClusterReset(s *Session, args [][]byte) {
	e := s.e
	st := e.cluster.st
	if len(args) > 3 {
		clusterSyntaxError(s, args)
		return
	}
	hard := false
	if len(args) == 3 {
		switch {
		case equalFold(args[2], "hard"):
			hard = true
		case equalFold(args[2], "soft"):
		default:
			s.w.Error(errSyntax)
			return
		}
	}
	if st.Myself.IsMaster() && s.db.size() != 0 {
		s.w.Error("ERR CLUSTER RESET can't be called with master nodes containing keys")
		return
	}
	if st.Myself.IsReplica() {
		st.SetNodeAsMaster(st.Myself)
		e.clusterUnfollow()
		for _, db := range e.main.dbs {
			e.flushDB(db)
		}
	}
	for j := range cluster.Slots {
		if st.Slots[j] != nil {
			e.clusterDelSlot(j)
		}
	}
	st.Reset(hard)
	s.w.OK()
}

// CLUSTER LINKS
func cmdClusterLinks(s *Session, args [][]byte) {
	var links []ClusterLinkInfo
	if b, ok := s.e.cluster.bus.(interface{ Links() []ClusterLinkInfo }); ok {
		links = b.Links()
	}
	s.w.Array(len(links))
	for _, l := range links {
		s.w.Map(6)
		s.w.BulkString("direction")
		s.w.BulkString(l.Direction)
		s.w.BulkString("node")
		s.w.BulkString(l.Node)
		s.w.BulkString("create-time")
		s.w.Int(l.CreateTime)
		s.w.BulkString("events")
		s.w.BulkString(l.Events)
		s.w.BulkString("send-buffer-allocated")
		s.w.Int(l.SendBufferAllocated)
		s.w.BulkString("send-buffer-used")
		s.w.Int(l.SendBufferUsed)
	}
}

// clusterLinksMemory is INFO's mem_cluster_links: what the cluster bus's
// links hold (Redis's stat_cluster_links_memory); 0 outside cluster mode.
func (e *Engine) clusterLinksMemory() int64 {
	if e.cluster == nil {
		return 0
	}
	b, ok := e.cluster.bus.(interface{ Links() []ClusterLinkInfo })
	if !ok {
		return 0
	}
	var n int64
	for _, l := range b.Links() {
		n += l.MemoryUsed
	}
	return n
}

// ClusterLinkInfo describes one bus link for CLUSTER LINKS.
type ClusterLinkInfo struct {
	Direction           string // "to" or "from"
	Node                string
	CreateTime          int64 // unix ms
	Events              string
	SendBufferAllocated int64
	SendBufferUsed      int64
	// MemoryUsed is all the link holds: its state, send queue and
	// queued messages (INFO mem_cluster_links sums it, as Redis's
	// getClusterLinkMemUsage).
	MemoryUsed int64
}

// CLUSTER MEET ip port [cluster-port]
func cmdClusterMeet(s *Session, args [][]byte) {
	if len(args) > 5 {
		clusterSyntaxError(s, args)
		return
	}
	port, ok := parseInt(args[3])
	if !ok {
		s.w.Error("ERR Invalid TCP base port specified: " + string(args[3]))
		return
	}
	cport := port + cluster.PortIncr
	if len(args) == 5 {
		if cport, ok = parseInt(args[4]); !ok {
			s.w.Error("ERR Invalid TCP bus port specified: " + string(args[4]))
			return
		}
	}
	err := s.e.cluster.st.StartHandshake(string(args[2]), int(port), int(cport), s.e.now().UnixMilli())
	if errors.Is(err, cluster.ErrInvalidAddress) {
		s.w.Error("ERR Invalid node address specified: " + string(args[2]) + ":" + string(args[3]))
		return
	}
	s.w.OK()
}

// CLUSTER MYID
func cmdClusterMyID(s *Session, args [][]byte) {
	s.w.BulkString(s.e.cluster.st.Myself.Name)
}

// CLUSTER NODES
func cmdClusterNodes(s *Session, args [][]byte) {
	s.w.Verbatim("txt", s.e.cluster.st.NodesDescription(0))
}

// writeNodeEndpoint is addNodeToNodeReply: a node of CLUSTER SLOTS.
func (s *Session) writeNodeEndpoint(n *cluster.Node) {
	w := &s.w
	pref := s.e.cluster.st.Settings.PreferredEndpoint
	w.Array(4)
	switch pref {
	case "hostname":
		if n.Hostname != "" {
			w.BulkString(n.Hostname)
		} else {
			w.BulkString("?")
		}
	case "unknown-endpoint":
		w.Null()
	default:
		w.BulkString(n.IP)
	}
	w.Int(int64(n.Port))
	w.BulkString(n.Name)
	extra := 0
	if pref != "ip" {
		extra++
	}
	if pref != "hostname" && n.Hostname != "" {
		extra++
	}
	w.Map(extra)
	if pref != "ip" {
		w.BulkString("ip")
		w.BulkString(n.IP)
	}
	if pref != "hostname" && n.Hostname != "" {
		w.BulkString("hostname")
		w.BulkString(n.Hostname)
	}
}

// replicaAvailable is isReplicaAvailable: a replica CLUSTER SLOTS lists.
func (e *Engine) replicaAvailable(n *cluster.Node) bool {
	if n.Failed() {
		return false
	}
	off := n.ReplOffset
	if n.Flags&cluster.FlagMyself != 0 {
		off = e.replicaOffset()
	}
	return off != 0
}

// CLUSTER SLOTS
func cmdClusterSlots(s *Session, args [][]byte) {
	e := s.e
	st := e.cluster.st
	type rng struct {
		n          *cluster.Node
		start, end int
	}
	var ranges []rng
	for j := 0; j < cluster.Slots; {
		n := st.Slots[j]
		k := j
		for k+1 < cluster.Slots && st.Slots[k+1] == n {
			k++
		}
		if n != nil {
			ranges = append(ranges, rng{n, j, k})
		}
		j = k + 1
	}
	s.w.Array(len(ranges))
	for _, r := range ranges {
		var replicas []*cluster.Node
		for _, rep := range r.n.Replicas {
			if e.replicaAvailable(rep) {
				replicas = append(replicas, rep)
			}
		}
		s.w.Array(3 + len(replicas))
		s.w.Int(int64(r.start))
		s.w.Int(int64(r.end))
		s.writeNodeEndpoint(r.n)
		for _, rep := range replicas {
			s.writeNodeEndpoint(rep)
		}
	}
}

// CLUSTER SHARDS
func cmdClusterShards(s *Session, args [][]byte) {
	e := s.e
	st := e.cluster.st
	var masters []*cluster.Node
	for _, n := range st.Nodes() {
		if n.IsMaster() {
			masters = append(masters, n)
		}
	}
	w := &s.w
	w.Array(len(masters))
	for _, m := range masters {
		w.Map(2)
		w.BulkString("slots")
		ranges := st.SlotRanges(m)
		w.Array(len(ranges))
		for _, r := range ranges {
			w.Int(int64(r))
		}
		w.BulkString("nodes")
		nodes := st.ShardNodes(m)
		w.Array(len(nodes))
		for _, n := range nodes {
			e.writeShardNode(w, n)
		}
	}
}

// writeShardNode is addNodeDetailsToShardReply.
func (e *Engine) writeShardNode(w *Writer, n *cluster.Node) {
	fields := 6
	if n.Port != 0 {
		fields++
	}
	if n.Hostname != "" {
		fields++
	}
	w.Map(fields)
	w.BulkString("id")
	w.BulkString(n.Name)
	if n.Port != 0 {
		w.BulkString("port")
		w.Int(int64(n.Port))
	}
	w.BulkString("ip")
	w.BulkString(n.IP)
	w.BulkString("endpoint")
	w.BulkString(e.cluster.endpointText(n))
	if n.Hostname != "" {
		w.BulkString("hostname")
		w.BulkString(n.Hostname)
	}
	offset := n.ReplOffset
	if n.Flags&cluster.FlagMyself != 0 {
		if n.IsReplica() {
			offset = e.replicaOffset()
		} else {
			offset = e.masterOffset()
		}
	}
	role := "master"
	if n.IsReplica() {
		role = "replica"
	}
	w.BulkString("role")
	w.BulkString(role)
	w.BulkString("replication-offset")
	w.Int(offset)
	health := "online"
	switch {
	case n.Failed():
		health = "fail"
	case n.IsReplica() && offset == 0:
		health = "loading"
	}
	w.BulkString("health")
	w.BulkString(health)
}

// endpointText is getPreferredEndpoint as CLUSTER SHARDS shows it (an
// unknown endpoint is the empty string there).
func (cm *clusterMode) endpointText(n *cluster.Node) string { return cm.endpoint(n) }

// DEBUG CLUSTERLINK KILL <to|from|all> <node-id>
func (s *Session) debugClusterLinkKill(args [][]byte) {
	cm := s.e.cluster
	if cm == nil {
		s.w.Error("ERR Debug option only available for cluster mode enabled setup!")
		return
	}
	n := cm.st.Lookup(string(args[4]))
	if n == nil {
		s.w.Error("ERR Unknown node " + string(args[4]))
		return
	}
	var to, from bool
	switch {
	case equalFold(args[3], "from"):
		from = true
	case equalFold(args[3], "to"):
		to = true
	case equalFold(args[3], "all"):
		to, from = true, true
	default:
		s.w.Error("ERR Unknown direction " + string(args[3]))
		return
	}
	if cm.bus != nil {
		cm.bus.KillLinks(n, to, from)
	}
	s.w.OK()
}
