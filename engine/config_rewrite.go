package engine

import (
	"sort"
	"strconv"
	"strings"
)

// ConfigLine is a line CONFIG REWRITE writes for an option, as Redis's
// rewriteConfig* functions produce them.
type ConfigLine struct {
	// Option names the directive; several lines may share it (save).
	Option string
	// Line is the whole line; "" only marks Option as handled, so the
	// file's lines for it are removed (a pidfile set back to none).
	Line string
	// Force writes Line even where the file did not mention Option: the
	// value is not the default.
	Force bool
}

// configRewriteLines are CONFIG REWRITE's lines: the parameters', with
// replicaof from the replication state, as Redis writes it from
// server.masterhost.
func (e *Engine) configRewriteLines() []ConfigLine {
	lines := e.config.rewriteLines()
	for i, l := range lines {
		if l.Option == "replicaof" && e.master != nil {
			lines[i] = ConfigLine{Option: "replicaof", Line: "replicaof " + e.master.host + " " + itoa(int64(e.master.port)), Force: true}
		}
	}
	// rewriteConfigUserOption: with an aclfile the file's user lines go;
	// without, every user is written.
	if e.config.param("aclfile").value != "" {
		return append(lines, ConfigLine{Option: "user"})
	}
	for _, l := range e.users.List() {
		lines = append(lines, ConfigLine{Option: "user", Line: l, Force: true})
	}
	return lines
}

// rewriteLines are CONFIG REWRITE's lines for every parameter, in name
// order (Redis walks a hash table: its order is arbitrary).
func (c *Config) rewriteLines() []ConfigLine {
	names := make([]string, 0, len(c.table.params)+len(c.extra))
	c.each(func(p *param) { names = append(names, p.name) })
	sort.Strings(names)
	var out []ConfigLine
	for _, name := range names {
		out = append(out, c.param(name).rewrite()...)
	}
	return out
}

// emptyIsNone lists the string parameters Redis keeps as NULL when empty
// (EMPTY_STRING_IS_NULL): set back to empty, their lines are removed.
var emptyIsNone = map[string]bool{
	"unixsocket": true, "pidfile": true, "replica-announce-ip": true, "masteruser": true,
	"cluster-announce-ip": true, "cluster-announce-hostname": true, "server_cpulist": true,
	"bio_cpulist": true, "aof_rewrite_cpulist": true, "bgsave_cpulist": true,
	"bind-source-addr": true, "masterauth": true, "requirepass": true,
	"tls-cert-file": true, "tls-key-file": true, "tls-key-file-pass": true,
	"tls-client-cert-file": true, "tls-client-key-file": true, "tls-client-key-file-pass": true,
	"tls-dh-params-file": true, "tls-ca-cert-file": true, "tls-ca-cert-dir": true,
	"tls-protocols": true, "tls-ciphers": true, "tls-ciphersuites": true,
}

func (p *param) rewrite() []ConfigLine {
	force := p.value != p.def
	line := func(v string) []ConfigLine {
		return []ConfigLine{{Option: p.name, Line: p.name + " " + v, Force: force}}
	}
	switch p.name {
	case "save":
		f := strings.Fields(p.value)
		if len(f) == 0 {
			return []ConfigLine{{Option: "save", Line: `save ""`, Force: true}}
		}
		var out []ConfigLine
		for i := 0; i+1 < len(f); i += 2 {
			out = append(out, ConfigLine{Option: "save", Line: "save " + f[i] + " " + f[i+1], Force: true})
		}
		return out
	case "bind":
		if p.value == p.def {
			return []ConfigLine{{Option: "bind"}}
		}
		if p.value == "" {
			return []ConfigLine{{Option: "bind", Line: `bind ""`, Force: true}}
		}
		return []ConfigLine{{Option: "bind", Line: "bind " + p.value, Force: true}}
	case "replicaof":
		return []ConfigLine{{Option: "replicaof"}}
	case "dir":
		return []ConfigLine{{Option: "dir", Line: "dir " + sdsRepr(p.value), Force: true}}
	case "notify-keyspace-events":
		return []ConfigLine{{Option: p.name, Line: p.name + " " + sdsRepr(p.value), Force: p.value != ""}}
	case "client-output-buffer-limit":
		cur, _ := parseOutputLimits(p.value)
		def, _ := parseOutputLimits(p.def)
		classes := [3]string{"normal", "replica", "pubsub"}
		out := make([]ConfigLine, 0, 3)
		for i, l := range cur {
			out = append(out, ConfigLine{Option: p.name, Force: l != def[i],
				Line: p.name + " " + classes[i] + " " + formatMemory(l.hard) + " " + formatMemory(l.soft) + " " + itoa(l.softSeconds)})
		}
		return out
	case "latency-tracking-info-percentiles":
		// Redis always writes it.
		return []ConfigLine{{Option: p.name, Line: p.name + " " + p.value, Force: true}}
	case "maxmemory-clients":
		if strings.HasSuffix(p.value, "%") {
			return line(p.value)
		}
		n, _ := strconv.ParseInt(p.value, 10, 64)
		return line(formatMemory(n))
	case "unixsocketperm":
		return line(p.value) // stored as the octal digits it was given
	}
	switch p.kind {
	case kindMemory:
		return line(formatMemory(p.num))
	case kindString:
		if p.value == "" && emptyIsNone[p.name] {
			return []ConfigLine{{Option: p.name}}
		}
		return line(sdsRepr(p.value))
	}
	return line(p.value)
}

// formatMemory writes bytes as rewriteConfigFormatMemory does: in gb, mb
// or kb when it divides exactly.
func formatMemory(n int64) string {
	const kb, mb, gb = 1024, 1024 * 1024, 1024 * 1024 * 1024
	switch {
	case n != 0 && n%gb == 0:
		return itoa(n/gb) + "gb"
	case n != 0 && n%mb == 0:
		return itoa(n/mb) + "mb"
	case n != 0 && n%kb == 0:
		return itoa(n/kb) + "kb"
	}
	return itoa(n)
}

// sdsRepr quotes s as sdscatrepr does.
func sdsRepr(s string) string {
	return string(appendRepr(nil, []byte(s)))
}
