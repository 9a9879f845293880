package engine

import "sort"

func pubsubHandlers() []handlerEntry {
	return []handlerEntry{
		{"subscribe", cmdSubscribe},
		{"unsubscribe", cmdUnsubscribe},
		{"psubscribe", cmdPsubscribe},
		{"punsubscribe", cmdPunsubscribe},
		{"ssubscribe", cmdSsubscribe},
		{"sunsubscribe", cmdSunsubscribe},
		{"publish", cmdPublish},
		{"spublish", cmdSpublish},
		{"pubsub|channels", cmdPubsubChannels},
		{"pubsub|numsub", cmdPubsubNumsub},
		{"pubsub|numpat", cmdPubsubNumpat},
		{"pubsub|shardchannels", cmdPubsubShardChannels},
		{"pubsub|shardnumsub", cmdPubsubShardNumsub},
		{"pubsub|help", cmdPubsubHelp},
		{"monitor", cmdMonitor},
		{"client|tracking", cmdClientTracking},
		{"client|caching", cmdClientCaching},
		{"client|getredir", cmdClientGetredir},
		{"client|trackinginfo", cmdClientTrackingInfo},
	}
}

// SUBSCRIBE channel [channel ...]
func cmdSubscribe(s *Session, args [][]byte) {
	for _, a := range args[1:] {
		s.subscribe(subChannel, string(a))
	}
}

// UNSUBSCRIBE [channel [channel ...]]
func cmdUnsubscribe(s *Session, args [][]byte) { unsubscribeCommand(s, subChannel, args) }

// PSUBSCRIBE pattern [pattern ...]
func cmdPsubscribe(s *Session, args [][]byte) {
	for _, a := range args[1:] {
		s.subscribe(subPattern, string(a))
	}
}

// PUNSUBSCRIBE [pattern [pattern ...]]
func cmdPunsubscribe(s *Session, args [][]byte) { unsubscribeCommand(s, subPattern, args) }

// SSUBSCRIBE shardchannel [shardchannel ...]
func cmdSsubscribe(s *Session, args [][]byte) {
	for _, a := range args[1:] {
		s.subscribe(subShard, string(a))
	}
}

// SUNSUBSCRIBE [shardchannel [shardchannel ...]]
func cmdSunsubscribe(s *Session, args [][]byte) { unsubscribeCommand(s, subShard, args) }

func unsubscribeCommand(s *Session, k subKind, args [][]byte) {
	if len(args) == 1 {
		s.unsubscribeEvery(k)
		return
	}
	for _, a := range args[1:] {
		s.unsubscribe(k, string(a))
	}
}

// PUBLISH channel message
func cmdPublish(s *Session, args [][]byte) {
	s.w.Int(int64(s.e.publish(s.ks, string(args[1]), string(args[2]))))
	if s.e.clusterPublish(args[1], args[2], false) {
		return
	}
	// Replicas hear it too (their subscribers); the AOF does not.
	s.forcePropagation(PropagateRepl)
}

// SPUBLISH shardchannel message
func cmdSpublish(s *Session, args [][]byte) {
	s.w.Int(int64(s.e.spublish(s.ks, string(args[1]), string(args[2]))))
	if !s.e.clusterPublish(args[1], args[2], true) {
		s.forcePropagation(PropagateRepl)
	}
}

// PUBSUB CHANNELS [pattern]
func cmdPubsubChannels(s *Session, args [][]byte) {
	pubsubList(s, args, s.ks.hub().channels)
}

// PUBSUB SHARDCHANNELS [pattern]
func cmdPubsubShardChannels(s *Session, args [][]byte) {
	pubsubList(s, args, s.ks.hub().shards)
}

func pubsubList(s *Session, args [][]byte, idx map[string][]*Session) {
	if len(args) > 3 {
		s.w.Error("ERR unknown subcommand or wrong number of arguments for '" + string(args[1]) + "'. Try PUBSUB HELP.")
		return
	}
	var names []string
	for name := range idx {
		if len(args) == 2 || globMatch(string(args[2]), name, false) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	s.w.BulkStrings(names)
}

// PUBSUB NUMSUB [channel [channel ...]]
func cmdPubsubNumsub(s *Session, args [][]byte) {
	pubsubCounts(s, args, s.ks.hub().channels)
}

// PUBSUB SHARDNUMSUB [shardchannel [shardchannel ...]]
func cmdPubsubShardNumsub(s *Session, args [][]byte) {
	pubsubCounts(s, args, s.ks.hub().shards)
}

func pubsubCounts(s *Session, args [][]byte, idx map[string][]*Session) {
	// A flat array in RESP3 too, as Redis 7.0 replies.
	s.w.Array(2 * (len(args) - 2))
	for _, a := range args[2:] {
		s.w.Bulk(a)
		s.w.Int(int64(len(idx[string(a)])))
	}
}

// PUBSUB NUMPAT
func cmdPubsubNumpat(s *Session, args [][]byte) {
	s.w.Int(int64(len(s.ks.hub().patList)))
}

// PUBSUB HELP
func cmdPubsubHelp(s *Session, args [][]byte) {
	lines := []string{
		"PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"CHANNELS [<pattern>]",
		"    Return the currently active channels matching a <pattern> (default: '*').",
		"NUMPAT",
		"    Return number of subscriptions to patterns.",
		"NUMSUB [<channel> ...]",
		"    Return the number of subscribers for the specified channels, excluding",
		"    pattern subscriptions(default: no channels).",
		"SHARDCHANNELS [<pattern>]",
		"    Return the currently active shard level channels matching a <pattern> (default: '*').",
		"SHARDNUMSUB [<shardchannel> ...]",
		"    Return the number of subscribers for the specified shard level channel(s)",
		"HELP",
		"    Prints this help.",
	}
	s.w.Array(len(lines))
	for _, l := range lines {
		s.w.Simple(l)
	}
}
