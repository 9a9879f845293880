package engine

import (
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
)

// INFO sections in Redis's order; default ones are printed by INFO with
// no argument, "all" and "everything" add commandstats.
func infoSections() []struct {
	name    string
	dflt    bool
	printer func(e *Engine, b *infoBuilder)
} {
	return []struct {
		name    string
		dflt    bool
		printer func(e *Engine, b *infoBuilder)
	}{
		{"server", true, (*Engine).infoServer},
		{"clients", true, (*Engine).infoClients},
		{"memory", true, (*Engine).infoMemory},
		{"persistence", true, (*Engine).infoPersistence},
		{"stats", true, (*Engine).infoStats},
		{"replication", true, (*Engine).infoReplication},
		{"cpu", true, (*Engine).infoCPU},
		{"modules", true, func(*Engine, *infoBuilder) {}},
		{"commandstats", false, (*Engine).infoCommandStats},
		{"errorstats", true, (*Engine).infoErrorStats},
		{"latencystats", false, (*Engine).infoLatencyStats},
		{"cluster", true, (*Engine).infoCluster},
		{"keyspace", true, (*Engine).infoKeyspace},
	}
}

type infoBuilder struct {
	strings.Builder
	ks *Keyspace
}

func (b *infoBuilder) field(name, value string) {
	b.WriteString(name)
	b.WriteByte(':')
	b.WriteString(value)
	b.WriteString("\r\n")
}

func (b *infoBuilder) int(name string, v int64) { b.field(name, itoa(v)) }

// INFO [section [section ...]]
func cmdInfo(s *Session, args [][]byte) {
	s.w.Verbatim("txt", s.e.info(s.ks, args[1:]))
}

// info renders the requested sections as Redis does: "# Title" headers,
// "name:value" lines, a blank line between sections.
func (e *Engine) info(ks *Keyspace, names [][]byte) string {
	want := map[string]bool{}
	all, everything := false, false
	if len(names) == 0 {
		want["default"] = true
	}
	for _, n := range names {
		want[strings.ToLower(string(n))] = true
	}
	if want["everything"] {
		everything = true
	}
	if want["all"] {
		all = true
	}
	b := infoBuilder{ks: ks}
	for _, sec := range infoSections() {
		// "all" leaves out only sections of modules, which GoRedis has
		// none of, so it equals "everything".
		show := everything || all || want[sec.name] ||
			(want["default"] && sec.dflt)
		if !show {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString("# " + infoTitle(sec.name) + "\r\n")
		sec.printer(e, &b)
	}
	return b.String()
}

func infoTitle(name string) string {
	switch name {
	case "cpu":
		return "CPU"
	case "commandstats":
		return "Commandstats"
	case "errorstats":
		return "Errorstats"
	case "latencystats":
		return "Latencystats"
	}
	return strings.ToUpper(name[:1]) + name[1:]
}

func (e *Engine) infoServer(b *infoBuilder) {
	now := e.now()
	uptime := int64(now.Sub(e.started).Seconds())
	b.field("redis_version", Version)
	b.field("goredis_version", GoRedisVersion)
	b.field("redis_git_sha1", "00000000")
	b.field("redis_git_dirty", "0")
	b.field("redis_mode", e.serverMode())
	b.field("os", runtime.GOOS+" "+runtime.GOARCH)
	b.int("arch_bits", strconv.IntSize)
	b.field("multiplexing_api", "go")
	b.field("go_version", runtime.Version())
	b.int("process_id", int64(os.Getpid()))
	b.field("process_supervised", "no")
	b.field("run_id", e.srv.runID)
	port, _ := e.config.get("port")
	if port == "0" {
		port, _ = e.config.get("tls-port") // as Redis: the TLS port when there is no plain one
	}
	b.field("tcp_port", port)
	b.int("server_time_usec", now.UnixMicro())
	b.int("uptime_in_seconds", uptime)
	b.int("uptime_in_days", uptime/86400)
	hz, _ := e.config.get("hz")
	b.field("hz", hz)
	b.field("configured_hz", hz)
	b.int("lru_clock", (now.UnixMilli()/1000)&(1<<24-1))
	exe, _ := os.Executable()
	b.field("executable", exe)
	b.field("config_file", "")
	b.field("io_threads_active", "0")
	if ms, ok := e.shutdownInMs(); ok {
		b.int("shutdown_in_milliseconds", ms)
	}
}

func (e *Engine) infoClients(b *infoBuilder) {
	blocked, inTimeout, tracking := 0, 0, 0
	var maxOut int64
	for _, s := range e.sessions {
		if s.tracking != nil {
			tracking++
		}
		if s.blocked != nil {
			blocked++
			if s.blocked.deadline != 0 {
				inTimeout++
			}
		}
		_, _, omem := e.outputUsage(s)
		maxOut = max(maxOut, omem)
	}
	// Redis leaves its replicas out of connected_clients.
	b.int("connected_clients", int64(len(e.sessions)-len(e.repl.replicas)))
	clusterConns := int64(0)
	if e.cluster != nil {
		// Redis's getClusterConnectionsCount: two links per other node.
		clusterConns = int64(len(e.cluster.st.Nodes())-1) * 2
	}
	b.int("cluster_connections", clusterConns)
	maxc, _ := e.config.get("maxclients")
	b.field("maxclients", maxc)
	b.int("client_recent_max_input_buffer", e.recentMaxInputBuffer())
	b.int("client_recent_max_output_buffer", maxOut)
	b.int("blocked_clients", int64(blocked))
	b.int("tracking_clients", int64(tracking))
	b.int("clients_in_timeout_table", int64(inTimeout))
}

// humanBytes formats a byte count as Redis's bytesToHuman does.
func humanBytes(n uint64) string {
	f := float64(n)
	switch {
	case n < 1024:
		return strconv.FormatUint(n, 10) + "B"
	case n < 1024*1024:
		return strconv.FormatFloat(f/1024, 'f', 2, 64) + "K"
	case n < 1024*1024*1024:
		return strconv.FormatFloat(f/(1024*1024), 'f', 2, 64) + "M"
	case n < 1024*1024*1024*1024:
		return strconv.FormatFloat(f/(1024*1024*1024), 'f', 2, 64) + "G"
	case n < 1024*1024*1024*1024*1024:
		return strconv.FormatFloat(f/(1024*1024*1024*1024), 'f', 2, 64) + "T"
	}
	return strconv.FormatFloat(f/(1024*1024*1024*1024*1024), 'f', 2, 64) + "P"
}

func (e *Engine) infoMemory(b *infoBuilder) {
	m := e.memStats()
	pct := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) + "%" }
	ratio := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	b.int("used_memory", m.used)
	b.field("used_memory_human", humanBytes(uint64(m.used)))
	b.int("used_memory_rss", m.rss)
	b.field("used_memory_rss_human", humanBytes(uint64(m.rss)))
	b.int("used_memory_peak", m.peak)
	b.field("used_memory_peak_human", humanBytes(uint64(m.peak)))
	b.field("used_memory_peak_perc", pct(m.peakPerc))
	b.int("used_memory_overhead", m.overhead)
	b.int("used_memory_startup", m.b.startup)
	b.int("used_memory_dataset", m.dataset)
	b.field("used_memory_dataset_perc", pct(m.datasetPerc))
	b.int("allocator_allocated", m.allocated)
	b.int("allocator_active", m.active)
	b.int("allocator_resident", m.resident)
	b.int("total_system_memory", 0)
	b.field("total_system_memory_human", "0B")
	e.infoScripting(b)
	maxmem := e.config.mm.maxmemory
	b.int("maxmemory", int64(maxmem))
	b.field("maxmemory_human", humanBytes(maxmem))
	policy, _ := e.config.get("maxmemory-policy")
	b.field("maxmemory_policy", policy)
	b.field("allocator_frag_ratio", ratio(m.allocFragRatio))
	b.int("allocator_frag_bytes", m.active-m.allocated)
	b.field("allocator_rss_ratio", ratio(m.allocRSSRatio))
	b.int("allocator_rss_bytes", m.resident-m.active)
	b.field("rss_overhead_ratio", ratio(m.rssOverheadRatio))
	b.int("rss_overhead_bytes", m.rss-m.resident)
	b.field("mem_fragmentation_ratio", ratio(m.fragRatio))
	b.int("mem_fragmentation_bytes", m.rss-m.used)
	b.int("mem_not_counted_for_evict", m.b.replicas)
	b.int("mem_replication_backlog", m.b.backlog)
	b.int("mem_total_replication_buffers", e.replicationBuffers(m.b.backlog))
	b.int("mem_clients_slaves", m.b.replicas)
	b.int("mem_clients_normal", m.b.clients)
	b.int("mem_cluster_links", e.clusterLinksMemory())
	b.field("mem_aof_buffer", "0")
	b.field("mem_allocator", "go-"+runtime.Version())
	b.field("active_defrag_running", "0")
	b.field("lazyfree_pending_objects", "0")
	b.field("lazyfreed_objects", "0")
}

func (e *Engine) infoStats(b *infoBuilder) {
	channels, patterns, shards := 0, 0, 0
	seenC, seenP, seenS := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, s := range e.sessions {
		if p := s.pubsub; p != nil {
			for c := range p.channels {
				if !seenC[c] {
					seenC[c] = true
					channels++
				}
			}
			for c := range p.patterns {
				if !seenP[c] {
					seenP[c] = true
					patterns++
				}
			}
			for c := range p.shards {
				if !seenS[c] {
					seenS[c] = true
					shards++
				}
			}
		}
	}
	st := &e.stats
	b.int("total_connections_received", st.connections)
	b.int("total_commands_processed", st.commands)
	inst := &e.srv.inst
	b.int("instantaneous_ops_per_sec", inst[instCommands].value())
	b.int("total_net_input_bytes", e.net.inBytes.Load())
	b.int("total_net_output_bytes", e.net.outBytes.Load())
	b.int("total_net_repl_input_bytes", e.net.replInBytes.Load())
	b.int("total_net_repl_output_bytes", e.net.replOutBytes.Load())
	kbps := func(m int) string { return strconv.FormatFloat(float64(inst[m].value())/1024, 'f', 2, 64) }
	b.field("instantaneous_input_kbps", kbps(instNetInput))
	b.field("instantaneous_output_kbps", kbps(instNetOutput))
	b.field("instantaneous_input_repl_kbps", kbps(instReplInput))
	b.field("instantaneous_output_repl_kbps", kbps(instReplOutput))
	b.int("rejected_connections", st.rejectedConns)
	b.int("sync_full", st.syncFull)
	b.int("sync_partial_ok", st.syncPartialOK)
	b.int("sync_partial_err", st.syncPartialErr)
	b.int("expired_keys", st.expiredKeys)
	b.field("expired_stale_perc", strconv.FormatFloat(st.expiredStalePerc*100, 'f', 2, 64))
	b.int("expired_time_cap_reached_count", st.expiredTimeCapReached)
	b.int("expire_cycle_cpu_milliseconds", st.expireCycleCPUMicros/1000)
	b.int("evicted_keys", e.evict.evicted)
	b.int("evicted_clients", e.stats.evictedClients)
	exceeded, current := e.evictionExceededTimes()
	b.int("total_eviction_exceeded_time", exceeded)
	b.int("current_eviction_exceeded_time", current)
	b.int("keyspace_hits", st.keyspaceHits)
	b.int("keyspace_misses", st.keyspaceMisses)
	b.int("pubsub_channels", int64(channels))
	b.int("pubsub_patterns", int64(patterns))
	b.int("pubsubshard_channels", int64(shards))
	// GoRedis never forks (BGSAVE snapshots in-process), and has no
	// active defragmentation (Go's collector compacts nothing).
	b.field("latest_fork_usec", "0")
	b.field("total_forks", "0")
	migrateConns := 0
	if e.migrator != nil {
		migrateConns = e.migrator.CachedConnections()
	}
	b.int("migrate_cached_sockets", int64(migrateConns))
	b.int("slave_expires_tracked_keys", int64(e.replicaExpiresTracked()))
	for _, f := range []string{"active_defrag_hits", "active_defrag_misses", "active_defrag_key_hits", "active_defrag_key_misses", "total_active_defrag_time", "current_active_defrag_time"} {
		b.field(f, "0")
	}
	var tkeys, titems, tprefixes int
	if h := b.ks.pubsub; h != nil && h.tracking != nil {
		tkeys, tprefixes = len(h.tracking.keys), len(h.tracking.prefixes)
		for _, ids := range h.tracking.keys {
			titems += len(ids)
		}
	}
	b.int("tracking_total_keys", int64(tkeys))
	b.int("tracking_total_items", int64(titems))
	b.int("tracking_total_prefixes", int64(tprefixes))
	b.int("unexpected_error_replies", e.srv.unexpectedErrors)
	b.int("total_error_replies", e.srv.totalErrors)
	b.int("dump_payload_sanitizations", st.dumpSanitizations)
	b.int("total_reads_processed", e.net.reads.Load())
	b.int("total_writes_processed", e.net.writes.Load())
	// No I/O threads.
	for _, f := range []string{"io_threaded_reads_processed", "io_threaded_writes_processed"} {
		b.field(f, "0")
	}
	b.int("reply_buffer_shrinks", e.replyBuf.shrinks)
	b.int("reply_buffer_expands", e.replyBuf.expands)
}

func (e *Engine) infoCPU(b *infoBuilder) {
	sys, user, ok := processCPU()
	if !ok {
		return
	}
	b.field("used_cpu_sys", strconv.FormatFloat(sys, 'f', 6, 64))
	b.field("used_cpu_user", strconv.FormatFloat(user, 'f', 6, 64))
	b.field("used_cpu_sys_children", "0.000000")
	b.field("used_cpu_user_children", "0.000000")
}

func (e *Engine) infoCommandStats(b *infoBuilder) {
	if e.cmdStats == nil {
		return // no command ran yet
	}
	var cmds []*Command
	for _, c := range e.commands {
		cmds = append(cmds, c)
		for _, sc := range c.subs {
			cmds = append(cmds, sc)
		}
	}
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name < cmds[j].Name })
	for _, c := range cmds {
		if c.id >= len(e.cmdStats) {
			continue
		}
		st := &e.cmdStats[c.id]
		if st.calls == 0 && st.failed == 0 && st.rejected == 0 {
			continue
		}
		perCall := 0.0
		if st.calls > 0 {
			perCall = float64(st.usec) / float64(st.calls)
		}
		b.field("cmdstat_"+c.Name, "calls="+itoa(st.calls)+",usec="+itoa(st.usec)+
			",usec_per_call="+strconv.FormatFloat(perCall, 'f', 2, 64)+
			",rejected_calls="+itoa(st.rejected)+",failed_calls="+itoa(st.failed))
	}
}

func (e *Engine) infoErrorStats(b *infoBuilder) {
	codes := make([]string, 0, len(e.srv.errors))
	for c := range e.srv.errors {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		b.field("errorstat_"+c, "count="+itoa(e.srv.errors[c]))
	}
}

func (e *Engine) infoCluster(b *infoBuilder) {
	if e.cluster != nil {
		b.field("cluster_enabled", "1")
		return
	}
	b.field("cluster_enabled", "0")
}

// serverMode is INFO's redis_mode and HELLO's mode.
func (e *Engine) serverMode() string {
	if e.cluster != nil {
		return "cluster"
	}
	return "standalone"
}

func (e *Engine) infoKeyspace(b *infoBuilder) {
	for _, db := range b.ks.dbs {
		keys := db.size()
		if keys == 0 {
			continue
		}
		var sum, n int64
		for _, t := range db.expires {
			if ttl := t - e.nowMs; ttl > 0 {
				sum += ttl
				n++
			}
		}
		avg := int64(0)
		if n > 0 {
			avg = sum / n
		}
		b.field("db"+itoa(int64(db.id)), "keys="+itoa(int64(keys))+",expires="+itoa(int64(len(db.expires)))+",avg_ttl="+itoa(avg))
	}
}
