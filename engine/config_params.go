package engine

import (
	"math"
	"os"
	"strconv"
	"strings"
)

const maxInt64 = math.MaxInt64

// configParams lists every parameter Redis 7.0 knows, with the default a
// redis-server started without a configuration file reports, its type and
// its bounds (taken from the real server's CONFIG SET answers). Aliases
// (the old "slave" and "ziplist" names) share their parameter.
func configParams() []paramDef {
	return []paramDef{
		{name: "bind", kind: kindString, def: "* -::*"},
		// Redis's hidden debugging parameters: accepted, without effect here.
		{name: "use-exit-on-panic", kind: kindBool, hidden: true, def: "no"},
		{name: "rdb-key-save-delay", kind: kindInt, hidden: true, min: math.MinInt32, max: math.MaxInt32, def: "0"},
		{name: "key-load-delay", kind: kindInt, hidden: true, min: math.MinInt32, max: math.MaxInt32, def: "0"},
		{name: "watchdog-period", kind: kindInt, hidden: true, min: 0, max: math.MaxInt32, def: "0"},
		{name: "loading-process-events-interval-bytes", kind: kindInt, hidden: true, min: 1024, max: math.MaxInt32, def: "2097152"},
		{name: "masterauth", kind: kindString, def: ""},
		{name: "masteruser", kind: kindString, def: ""},
		{name: "port", kind: kindInt, min: 0, max: 65535, def: "6379"},
		{name: "replicaof", alias: "slaveof", kind: kindString, immutable: true, def: ""},
		{name: "requirepass", kind: kindString, def: ""},
		{name: "acl-pubsub-default", kind: kindEnum, enum: []string{"allchannels", "resetchannels"}, def: "resetchannels"},
		{name: "aclfile", kind: kindString, immutable: true, def: ""},
		{name: "acllog-max-len", kind: kindInt, min: 0, max: maxInt64, def: "128"},
		{name: "active-defrag-cycle-max", kind: kindInt, min: 1, max: 99, def: "25"},
		{name: "active-defrag-cycle-min", kind: kindInt, min: 1, max: 99, def: "1"},
		{name: "active-defrag-ignore-bytes", kind: kindMemory, min: 1, max: maxInt64, def: "104857600"},
		{name: "active-defrag-max-scan-fields", kind: kindInt, min: 1, max: maxInt64, def: "1000"},
		{name: "active-defrag-threshold-lower", kind: kindInt, min: 0, max: 1000, def: "10"},
		{name: "active-defrag-threshold-upper", kind: kindInt, min: 0, max: 1000, def: "100"},
		{name: "active-expire-effort", kind: kindInt, min: 1, max: 10, def: "1"},
		{name: "activedefrag", kind: kindBool, def: "no"},
		{name: "activerehashing", kind: kindBool, def: "yes"},
		{name: "always-show-logo", kind: kindBool, immutable: true, def: "no"},
		{name: "aof-disable-auto-gc", kind: kindBool, def: "no"},
		{name: "aof-load-truncated", kind: kindBool, def: "yes"},
		{name: "aof-rewrite-incremental-fsync", kind: kindBool, def: "yes"},
		{name: "aof-timestamp-enabled", kind: kindBool, def: "no"},
		{name: "aof-use-rdb-preamble", kind: kindBool, def: "yes"},
		{name: "aof_rewrite_cpulist", kind: kindString, immutable: true, def: ""},
		{name: "appenddirname", kind: kindString, immutable: true, def: "appendonlydir"},
		{name: "appendfilename", kind: kindString, immutable: true, def: "appendonly.aof"},
		{name: "appendfsync", kind: kindEnum, enum: []string{"everysec", "always", "no"}, def: "everysec"},
		{name: "appendonly", kind: kindBool, denyLoading: true, def: "no"},
		{name: "auto-aof-rewrite-min-size", kind: kindMemory, min: 0, max: maxInt64, def: "67108864"},
		{name: "auto-aof-rewrite-percentage", kind: kindInt, min: 0, max: 2147483647, def: "100"},
		{name: "bgsave_cpulist", kind: kindString, immutable: true, def: ""},
		{name: "bind-source-addr", kind: kindString, def: ""},
		{name: "bio_cpulist", kind: kindString, immutable: true, def: ""},
		{name: "busy-reply-threshold", alias: "lua-time-limit", kind: kindInt, min: 0, max: maxInt64, def: "5000"},
		{name: "client-output-buffer-limit", kind: kindSpecial, check: checkClientOutputBufferLimit, def: "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
		{name: "client-query-buffer-limit", kind: kindMemory, min: 1048576, max: maxInt64, def: "1073741824"},
		{name: "cluster-allow-pubsubshard-when-down", kind: kindBool, def: "yes"},
		{name: "cluster-allow-reads-when-down", kind: kindBool, def: "no"},
		{name: "cluster-allow-replica-migration", kind: kindBool, def: "yes"},
		{name: "cluster-announce-bus-port", kind: kindInt, min: 0, max: 65535, def: "0"},
		{name: "cluster-announce-hostname", kind: kindString, def: ""},
		{name: "cluster-announce-ip", kind: kindString, def: ""},
		{name: "cluster-announce-port", kind: kindInt, min: 0, max: 65535, def: "0"},
		{name: "cluster-announce-tls-port", kind: kindInt, min: 0, max: 65535, def: "0"},
		{name: "cluster-config-file", kind: kindString, immutable: true, def: "nodes.conf"},
		{name: "cluster-enabled", kind: kindBool, immutable: true, def: "no"},
		{name: "cluster-link-sendbuf-limit", kind: kindMemory, min: 0, max: 0, def: "0"},
		{name: "cluster-migration-barrier", kind: kindInt, min: 0, max: 2147483647, def: "1"},
		{name: "cluster-node-timeout", kind: kindInt, min: 0, max: maxInt64, def: "15000"},
		{name: "cluster-port", kind: kindInt, immutable: true, min: 0, max: maxInt64, def: "0"},
		{name: "cluster-preferred-endpoint-type", kind: kindEnum, enum: []string{"ip", "hostname", "unknown-endpoint"}, def: "ip"},
		{name: "cluster-replica-no-failover", alias: "cluster-slave-no-failover", kind: kindBool, def: "no"},
		{name: "cluster-replica-validity-factor", alias: "cluster-slave-validity-factor", kind: kindInt, min: 0, max: 2147483647, def: "10"},
		{name: "cluster-require-full-coverage", kind: kindBool, def: "yes"},
		{name: "crash-log-enabled", kind: kindBool, def: "yes"},
		{name: "crash-memcheck-enabled", kind: kindBool, def: "yes"},
		{name: "daemonize", kind: kindBool, immutable: true, def: "no"},
		{name: "databases", kind: kindInt, immutable: true, min: 1, max: 2147483647, def: "16"},
		{name: "dbfilename", kind: kindString, protected: true, def: "dump.rdb"},
		{name: "dir", kind: kindString, protected: true, denyLoading: true, def: workingDir()},
		{name: "disable-thp", kind: kindBool, immutable: true, def: "yes"},
		{name: "dynamic-hz", kind: kindBool, def: "yes"},
		{name: "enable-debug-command", kind: kindEnum, enum: []string{"no", "yes", "local"}, immutable: true, def: "no"},
		{name: "enable-module-command", kind: kindEnum, enum: []string{"no", "yes", "local"}, immutable: true, def: "no"},
		{name: "enable-protected-configs", kind: kindEnum, enum: []string{"no", "yes", "local"}, immutable: true, def: "no"},
		{name: "hash-max-listpack-entries", alias: "hash-max-ziplist-entries", kind: kindInt, min: 0, max: maxInt64, def: "512"},
		{name: "hash-max-listpack-value", alias: "hash-max-ziplist-value", kind: kindMemory, min: 0, max: maxInt64, def: "64"},
		{name: "hll-sparse-max-bytes", kind: kindMemory, min: 0, max: maxInt64, def: "3000"},
		{name: "hz", kind: kindInt, min: 0, max: 2147483647, def: "10"},
		{name: "ignore-warnings", kind: kindString, def: ""},
		{name: "io-threads", kind: kindInt, immutable: true, min: 1, max: 128, def: "1"},
		{name: "io-threads-do-reads", kind: kindBool, immutable: true, def: "no"},
		{name: "jemalloc-bg-thread", kind: kindBool, def: "yes"},
		{name: "latency-monitor-threshold", kind: kindInt, min: 0, max: maxInt64, def: "0"},
		{name: "latency-tracking", kind: kindBool, def: "yes"},
		{name: "latency-tracking-info-percentiles", kind: kindSpecial, check: checkPercentiles, def: "50 99 99.9"},
		{name: "lazyfree-lazy-eviction", kind: kindBool, def: "no"},
		{name: "lazyfree-lazy-expire", kind: kindBool, def: "no"},
		{name: "lazyfree-lazy-server-del", kind: kindBool, def: "no"},
		{name: "lazyfree-lazy-user-del", kind: kindBool, def: "no"},
		{name: "lazyfree-lazy-user-flush", kind: kindBool, def: "no"},
		{name: "lfu-decay-time", kind: kindInt, min: 0, max: 2147483647, def: "1"},
		{name: "lfu-log-factor", kind: kindInt, min: 0, max: 2147483647, def: "10"},
		{name: "list-compress-depth", kind: kindInt, min: 0, max: 2147483647, def: "0"},
		{name: "list-max-listpack-size", alias: "list-max-ziplist-size", kind: kindInt, min: -2147483648, max: 2147483647, def: "-2"},
		{name: "logfile", kind: kindString, immutable: true, def: ""},
		{name: "loglevel", kind: kindEnum, enum: []string{"debug", "verbose", "notice", "warning"}, def: "notice"},
		{name: "maxclients", kind: kindInt, min: 1, max: 4294967295, def: "10000"},
		{name: "maxmemory", kind: kindMemory, min: 0, max: 0, def: "0"},
		{name: "maxmemory-clients", kind: kindSpecial, check: checkMemoryOrPercent, def: "0"},
		{name: "maxmemory-eviction-tenacity", kind: kindInt, min: 0, max: 100, def: "10"},
		{name: "maxmemory-policy", kind: kindEnum, enum: []string{"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"}, def: "noeviction"},
		{name: "maxmemory-samples", kind: kindInt, min: 1, max: 2147483647, def: "5"},
		{name: "min-replicas-max-lag", alias: "min-slaves-max-lag", kind: kindInt, min: 0, max: 2147483647, def: "10"},
		{name: "min-replicas-to-write", alias: "min-slaves-to-write", kind: kindInt, min: 0, max: 2147483647, def: "0"},
		{name: "no-appendfsync-on-rewrite", kind: kindBool, def: "no"},
		{name: "notify-keyspace-events", kind: kindSpecial, check: checkNotifyKeyspaceEvents, def: ""},
		{name: "oom-score-adj", kind: kindEnum, enum: []string{"no", "yes", "relative", "absolute"}, def: "no"},
		{name: "oom-score-adj-values", kind: kindSpecial, check: checkOOMScoreAdjValues, def: "0 200 800"},
		{name: "pidfile", kind: kindString, immutable: true, def: ""},
		{name: "proc-title-template", kind: kindString, def: "{title} {listen-addr} {server-mode}"},
		{name: "propagation-error-behavior", kind: kindEnum, enum: []string{"ignore", "panic", "panic-on-replicas"}, def: "ignore"},
		{name: "protected-mode", kind: kindBool, def: "yes"},
		{name: "proto-max-bulk-len", kind: kindMemory, min: 1048576, max: maxInt64, def: "536870912"},
		{name: "rdb-del-sync-files", kind: kindBool, def: "no"},
		{name: "rdb-save-incremental-fsync", kind: kindBool, def: "yes"},
		{name: "rdbchecksum", kind: kindBool, immutable: true, def: "yes"},
		{name: "rdbcompression", kind: kindBool, def: "yes"},
		{name: "repl-backlog-size", kind: kindMemory, min: 1, max: maxInt64, def: "1048576"},
		{name: "repl-backlog-ttl", kind: kindInt, min: 0, max: maxInt64, def: "3600"},
		{name: "repl-disable-tcp-nodelay", kind: kindBool, def: "no"},
		{name: "repl-diskless-load", kind: kindEnum, enum: []string{"disabled", "on-empty-db", "swapdb"}, denyLoading: true, def: "disabled"},
		{name: "repl-diskless-sync", kind: kindBool, def: "yes"},
		{name: "repl-diskless-sync-delay", kind: kindInt, min: 0, max: 2147483647, def: "5"},
		{name: "repl-diskless-sync-max-replicas", kind: kindInt, min: 0, max: 2147483647, def: "0"},
		{name: "repl-ping-replica-period", alias: "repl-ping-slave-period", kind: kindInt, min: 1, max: 2147483647, def: "10"},
		{name: "repl-timeout", kind: kindInt, min: 1, max: 2147483647, def: "60"},
		{name: "replica-announce-ip", alias: "slave-announce-ip", kind: kindString, def: ""},
		{name: "replica-announce-port", alias: "slave-announce-port", kind: kindInt, min: 0, max: 65535, def: "0"},
		{name: "replica-announced", kind: kindBool, def: "yes"},
		{name: "replica-ignore-disk-write-errors", kind: kindBool, def: "no"},
		{name: "replica-ignore-maxmemory", alias: "slave-ignore-maxmemory", kind: kindBool, def: "yes"},
		{name: "replica-lazy-flush", alias: "slave-lazy-flush", kind: kindBool, def: "no"},
		{name: "replica-priority", alias: "slave-priority", kind: kindInt, min: 0, max: 2147483647, def: "100"},
		{name: "replica-read-only", alias: "slave-read-only", kind: kindBool, def: "yes"},
		{name: "replica-serve-stale-data", alias: "slave-serve-stale-data", kind: kindBool, def: "yes"},
		{name: "sanitize-dump-payload", kind: kindEnum, enum: []string{"no", "yes", "clients"}, def: "no"},
		{name: "save", kind: kindSpecial, check: checkSave, def: "3600 1 300 100 60 10000"},
		{name: "server_cpulist", kind: kindString, immutable: true, def: ""},
		{name: "set-max-intset-entries", kind: kindInt, min: 0, max: maxInt64, def: "512"},
		{name: "set-proc-title", kind: kindBool, immutable: true, def: "yes"},
		{name: "shutdown-on-sigint", kind: kindSpecial, check: checkShutdownOnSignal, def: "default"},
		{name: "shutdown-on-sigterm", kind: kindSpecial, check: checkShutdownOnSignal, def: "default"},
		{name: "shutdown-timeout", kind: kindInt, min: 0, max: 2147483647, def: "10"},
		{name: "slowlog-log-slower-than", kind: kindInt, min: -1, max: maxInt64, def: "10000"},
		{name: "slowlog-max-len", kind: kindInt, min: 0, max: maxInt64, def: "128"},
		{name: "socket-mark-id", kind: kindInt, immutable: true, min: 0, max: maxInt64, def: "0"},
		{name: "stop-writes-on-bgsave-error", kind: kindBool, def: "yes"},
		{name: "stream-node-max-bytes", kind: kindMemory, min: 0, max: maxInt64, def: "4096"},
		{name: "stream-node-max-entries", kind: kindInt, min: 0, max: maxInt64, def: "100"},
		{name: "supervised", kind: kindEnum, enum: []string{"upstart", "systemd", "auto", "no"}, immutable: true, def: "no"},
		{name: "syslog-enabled", kind: kindBool, immutable: true, def: "no"},
		{name: "syslog-facility", kind: kindString, immutable: true, def: "local0"},
		{name: "syslog-ident", kind: kindString, immutable: true, def: "redis"},
		{name: "tcp-backlog", kind: kindInt, immutable: true, min: 0, max: maxInt64, def: "511"},
		{name: "tcp-keepalive", kind: kindInt, min: 0, max: 2147483647, def: "300"},
		{name: "timeout", kind: kindInt, min: 0, max: 2147483647, def: "0"},
		{name: "tls-auth-clients", kind: kindEnum, enum: []string{"no", "yes", "optional"}, def: "yes"},
		{name: "tls-ca-cert-dir", applyGroup: ApplyGroupTLS, kind: kindString, def: ""},
		{name: "tls-ca-cert-file", applyGroup: ApplyGroupTLS, kind: kindString, def: ""},
		{name: "tls-cert-file", applyGroup: ApplyGroupTLS, kind: kindString, def: ""},
		{name: "tls-ciphers", applyGroup: ApplyGroupTLS, kind: kindString, def: ""},
		{name: "tls-ciphersuites", applyGroup: ApplyGroupTLS, kind: kindString, def: ""},
		{name: "tls-client-cert-file", applyGroup: ApplyGroupTLS, kind: kindString, def: ""},
		{name: "tls-client-key-file", applyGroup: ApplyGroupTLS, kind: kindString, def: ""},
		{name: "tls-client-key-file-pass", applyGroup: ApplyGroupTLS, kind: kindString, def: ""},
		{name: "tls-cluster", applyGroup: ApplyGroupTLS, kind: kindBool, def: "no"},
		{name: "tls-dh-params-file", applyGroup: ApplyGroupTLS, kind: kindString, def: ""},
		{name: "tls-key-file", applyGroup: ApplyGroupTLS, kind: kindString, def: ""},
		{name: "tls-key-file-pass", applyGroup: ApplyGroupTLS, kind: kindString, def: ""},
		{name: "tls-port", kind: kindInt, min: 0, max: 65535, def: "0"},
		{name: "tls-prefer-server-ciphers", applyGroup: ApplyGroupTLS, kind: kindBool, def: "no"},
		{name: "tls-protocols", applyGroup: ApplyGroupTLS, kind: kindString, def: ""},
		{name: "tls-replication", applyGroup: ApplyGroupTLS, kind: kindBool, def: "no"},
		{name: "tls-session-cache-size", applyGroup: ApplyGroupTLS, kind: kindInt, min: 0, max: 2147483647, def: "20480"},
		{name: "tls-session-cache-timeout", applyGroup: ApplyGroupTLS, kind: kindInt, min: 0, max: 2147483647, def: "300"},
		{name: "tls-session-caching", applyGroup: ApplyGroupTLS, kind: kindBool, def: "yes"},
		{name: "tracking-table-max-keys", kind: kindInt, min: 0, max: maxInt64, def: "1000000"},
		{name: "unixsocket", kind: kindString, immutable: true, def: ""},
		{name: "unixsocketperm", kind: kindInt, immutable: true, min: 0, max: maxInt64, def: "0"},
		{name: "zset-max-listpack-entries", alias: "zset-max-ziplist-entries", kind: kindInt, min: 0, max: maxInt64, def: "128"},
		{name: "zset-max-listpack-value", alias: "zset-max-ziplist-value", kind: kindMemory, min: 0, max: maxInt64, def: "64"},
	}
}

// workingDir is dir's default: like Redis, the process's working directory.
func workingDir() string {
	if wd, err := os.Getwd(); err == nil {
		return wd
	}
	return "/"
}

// checkSave validates "save": pairs of seconds and changes, or "".
func checkSave(_, v string) (string, string) {
	f := strings.Fields(v)
	if len(f)%2 != 0 {
		return "", "Invalid save parameters"
	}
	for _, x := range f {
		if n, ok := parseInt([]byte(x)); !ok || n < 0 {
			return "", "Invalid save parameters"
		}
	}
	return strings.Join(f, " "), ""
}

// checkClientOutputBufferLimit validates "class hard soft seconds" groups
// and merges them into the current value, as Redis does.
func checkClientOutputBufferLimit(old, v string) (string, string) {
	norm, _, msg := mergeOutputLimits(old, v)
	return norm, msg
}

// checkMemoryOrPercent validates maxmemory-clients: a memory value or a
// percentage of maxmemory up to 100%.
func checkMemoryOrPercent(_, v string) (string, string) {
	if p, ok := strings.CutSuffix(v, "%"); ok {
		n, ok := parseInt([]byte(p))
		if !ok || n < 0 {
			return "", "argument must be a memory or percent value"
		}
		if n > 100 {
			return "", "percentage argument must be less or equal to 100"
		}
		return itoa(n) + "%", ""
	}
	n, ok := parseMemory(v)
	if !ok {
		return "", "argument must be a memory or percent value"
	}
	return itoa(n), ""
}

// checkOOMScoreAdjValues validates three scores in [-2000, 2000].
func checkOOMScoreAdjValues(_, v string) (string, string) {
	f := strings.Fields(v)
	if len(f) != 3 {
		return "", "wrong number of arguments"
	}
	for _, x := range f {
		n, ok := parseInt([]byte(x))
		if !ok || n < -2000 || n > 2000 {
			return "", "Invalid oom-score-adj-values, elements must be between -2000 and 2000."
		}
	}
	return strings.Join(f, " "), ""
}

// checkPercentiles validates latency-tracking-info-percentiles.
func checkPercentiles(_, v string) (string, string) {
	f := strings.Fields(v)
	out := make([]string, len(f))
	for i, x := range f {
		p, err := strconv.ParseFloat(x, 64)
		if err != nil || p < 0 || p > 100 {
			return "", "Invalid latency-tracking-info-percentiles parameters"
		}
		out[i] = strconv.FormatFloat(p, 'f', -1, 64)
	}
	return strings.Join(out, " "), ""
}

// checkNotifyKeyspaceEvents validates and normalizes the event classes.
func checkNotifyKeyspaceEvents(_, v string) (string, string) {
	f, ok := parseNotifyFlags(v)
	if !ok {
		return "", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
	}
	return formatNotifyFlags(f), ""
}

// checkShutdownOnSignal validates shutdown-on-sigint/-sigterm: flags
// from default, save, nosave, now, force (save and nosave exclusive),
// shown as Redis's configEnumGetName shows bit flags.
func checkShutdownOnSignal(_, v string) (string, string) {
	names := []string{"default", "save", "nosave", "now", "force"}
	bits := 0
	for _, w := range strings.Split(v, " ") {
		found := false
		for i, n := range names {
			if strings.EqualFold(w, n) {
				if i > 0 {
					bits |= 1 << (i - 1)
				}
				found = true
			}
		}
		if !found {
			return "", "argument(s) must be one of the following: " + strings.Join(names, ", ")
		}
	}
	if bits&1 != 0 && bits&2 != 0 {
		return "", "shutdown options SAVE and NOSAVE can't be used simultaneously"
	}
	if bits == 0 {
		return "default", ""
	}
	var out []string
	for i, n := range names[1:] {
		if bits&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return strings.Join(out, " "), ""
}
