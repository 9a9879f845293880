package engine

// configParams lists the parameters Redis 7.0 knows, with Redis's defaults.
func configParams() []param {
	return []param{
		{name: "bind", kind: kindString, value: "127.0.0.1 -::1"},
		{name: "port", kind: kindInt, value: "6379", min: 0, max: 65535, immutable: false},
		{name: "databases", kind: kindInt, value: "16", min: 1, max: 1 << 31, immutable: true},
		{name: "requirepass", kind: kindString, value: ""},
		{name: "maxclients", kind: kindInt, value: "10000", min: 1, max: 1 << 31},
		{name: "timeout", kind: kindInt, value: "0", min: 0, max: 1 << 31},
		{name: "tcp-keepalive", kind: kindInt, value: "300", min: 0, max: 1 << 31},
		{name: "proto-max-bulk-len", kind: kindMemory, value: "536870912", min: 1024 * 1024, max: 1 << 62},
		{name: "client-query-buffer-limit", kind: kindMemory, value: "1073741824", min: 1024 * 1024, max: 1 << 62},
		{name: "maxmemory", kind: kindMemory, value: "0", min: 0, max: 1 << 62},
		{name: "maxmemory-policy", kind: kindEnum, value: "noeviction", enum: []string{"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"}},
		{name: "notify-keyspace-events", kind: kindSpecial, value: "", check: func(v string) (string, string) {
			f, ok := parseNotifyFlags(v)
			if !ok {
				return "", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
			}
			return formatNotifyFlags(f), ""
		}},
		{name: "hz", kind: kindInt, value: "10", min: 0, max: 1 << 31},
		{name: "appendonly", kind: kindBool, value: "no"},
		{name: "save", kind: kindString, value: "3600 1 300 100 60 10000"},
		{name: "dir", kind: kindString, value: "/tmp"},
		{name: "dbfilename", kind: kindString, value: "dump.rdb"},
		{name: "loglevel", kind: kindEnum, value: "notice", enum: []string{"debug", "verbose", "notice", "warning", "nothing"}},
		{name: "logfile", kind: kindString, value: "", immutable: true},
		{name: "daemonize", kind: kindBool, value: "no", immutable: true},
		{name: "protected-mode", kind: kindBool, value: "yes"},
		{name: "lazyfree-lazy-user-flush", kind: kindBool, value: "no"},
		{name: "list-max-listpack-size", alias: "list-max-ziplist-size", kind: kindInt, value: "-2", min: -5, max: 1 << 31},
		{name: "hash-max-listpack-entries", alias: "hash-max-ziplist-entries", kind: kindInt, value: "128", min: 0, max: 1 << 62},
		{name: "hash-max-listpack-value", alias: "hash-max-ziplist-value", kind: kindInt, value: "64", min: 0, max: 1 << 62},
		{name: "set-max-intset-entries", kind: kindInt, value: "512", min: 0, max: 1 << 62},
		{name: "zset-max-listpack-entries", alias: "zset-max-ziplist-entries", kind: kindInt, value: "128", min: 0, max: 1 << 62},
		{name: "zset-max-listpack-value", alias: "zset-max-ziplist-value", kind: kindInt, value: "64", min: 0, max: 1 << 62},
		{name: "client-output-buffer-limit", kind: kindString, value: "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
		{name: "sandbox", kind: kindBool, value: "no"},
	}
}
