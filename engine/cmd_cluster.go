package engine

// CLUSTER, READONLY, READWRITE and ASKING answer as a Redis 7.0 started
// with cluster-enabled no answers them (GoRedis refuses cluster-enabled
// yes): clients and GUIs probe CLUSTER INFO or CLUSTER SLOTS to learn
// whether they talk to a cluster.

func clusterHandlers() []handlerEntry {
	list := []handlerEntry{
		{"readonly", cmdClusterDisabled},
		{"readwrite", cmdClusterDisabled},
		{"asking", cmdClusterDisabled},
	}
	// Every CLUSTER subcommand of Redis 7.0 (MYSHARDID came in 7.2).
	for _, sub := range []string{
		"addslots", "addslotsrange", "bumpepoch", "count-failure-reports", "countkeysinslot",
		"delslots", "delslotsrange", "failover", "flushslots", "forget", "getkeysinslot",
		"help", "info", "keyslot", "links", "meet", "myid", "nodes", "replicas", "replicate",
		"reset", "saveconfig", "set-config-epoch", "setslot", "shards", "slaves", "slots",
	} {
		list = append(list, handlerEntry{"cluster|" + sub, cmdClusterDisabled})
	}
	return list
}

// CLUSTER <subcommand> [...], READONLY, READWRITE, ASKING
func cmdClusterDisabled(s *Session, args [][]byte) {
	s.w.Error("ERR This instance has cluster support disabled")
}
