package engine

import (
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Config holds the configuration parameters CONFIG GET/SET see. Every
// parameter Redis 7.0 knows is accepted and reported; those that tune
// internals GoRedis does not have are stored so tools that set them keep
// working. Parameters GoRedis acts on are read through typed accessors.
type Config struct {
	// table is the shared table of parameters (sharedConfig), whose
	// defaults every engine reads until it changes one: own holds the
	// engine's copy of each parameter it changed, by index (nil until
	// the first change). extra holds the directives a config file gave
	// that no parameter has (kept so tools see them).
	table *configTable
	own   []*param
	extra map[string]*param
	// building: this is the table's defaults, written in place while
	// sharedConfig builds them.
	building bool
	// notifyFlags caches notify-keyspace-events for the hot path.
	notifyFlags int
	// clusterChanged is set when a parameter the cluster state copies
	// changed (cluster.go: syncClusterSettings).
	clusterChanged bool
	// obuf caches client-output-buffer-limit by class (obufNormal...);
	// obufMin is the smallest limit set in any class (0: none), so the
	// check after each command is one comparison while under it.
	obuf    [3]outputLimit
	obufMin int64
	// Cached for the per-command slow log and latency monitor checks.
	slowlogSlowerThan, latencyThreshold int64
	latencyTracking                     bool
	// mm caches the maxmemory parameters for the gate and the key access
	// paths (evict.go).
	mm memoryConfig
	// clientsLimit is maxmemory-clients in bytes (0: no client
	// eviction), read by hosts' goroutines without the engine's lock
	// (client_evict.go).
	clientsLimit *atomic.Int64
}

type paramKind int

const (
	kindString paramKind = iota
	kindBool
	kindInt
	kindMemory
	kindEnum
	kindSpecial // validated by its own check
)

// param is one parameter's value in one engine, over its facts.
type param struct {
	*paramDef
	value string
	// num is value parsed as an integer, kept so that hot paths (HSET's
	// listpack limits, SADD's intset limit) do not parse it per command.
	num int64
}

// paramDef is what every engine knows alike about a parameter: built once
// per process (sharedConfig) and never changed after.
type paramDef struct {
	index     int // in configTable.defs; -1 for an unknown directive
	name      string
	alias     string
	kind      paramKind
	enum      []string
	def       string // the default: the first value, and for CONFIG REWRITE
	min, max  int64
	immutable bool
	// protected parameters (dir, dbfilename) cannot be changed at run
	// time unless enable-protected-configs allows it.
	protected bool
	// denyLoading parameters cannot change while a dataset loads
	// (Redis's DENY_LOADING_CONFIG: CONFIG SET answers -LOADING).
	denyLoading bool
	// hidden parameters (Redis's HIDDEN_CONFIG: debugging knobs) answer
	// CONFIG GET by exact name only, never a pattern.
	hidden bool
	// check validates a kindSpecial value given the current one; it
	// returns the normalized value or an error text (without the CONFIG
	// SET prefix).
	check func(old, v string) (string, string)
	// applyGroup names the host's apply step shared by several
	// parameters (Redis's shared apply functions, such as applyTlsCfg):
	// one CONFIG SET runs it once, after all of them are stored.
	applyGroup string
}

// ApplyGroupTLS is the apply step of the tls-* parameters that rebuild the
// TLS configuration (Redis's applyTlsCfg); see Options.ApplyConfig.
const ApplyGroupTLS = "tls"

// configTable is the parameters' facts and their defaults, the same for
// every engine.
type configTable struct {
	defs []paramDef
	// index finds a parameter by name or alias.
	index map[string]int
	// names are the names and aliases, sorted.
	names []string
	// params are the parameters at their defaults, read by every
	// engine; defaults is a configuration of them, with its caches, that
	// newConfig copies.
	params   []param
	defaults Config
	// minReplicasToWrite is the index of min-replicas-to-write, which
	// the gate reads for every command (Config.minReplicasToWrite).
	minReplicasToWrite int
}

// sharedConfig builds the table once per process: engine.New copies only
// the values.
var sharedConfig = sync.OnceValue(func() *configTable {
	t := &configTable{defs: configParams(), index: map[string]int{}}
	t.defaults = Config{table: t, building: true, clientsLimit: new(atomic.Int64)}
	t.params = make([]param, len(t.defs))
	for i := range t.defs {
		d := &t.defs[i]
		d.index = i
		t.index[d.name] = i
		t.names = append(t.names, d.name)
		if d.alias != "" {
			t.index[d.alias] = i
			t.names = append(t.names, d.alias)
		}
		t.params[i].paramDef = d
	}
	sort.Strings(t.names)
	t.minReplicasToWrite = t.index["min-replicas-to-write"]
	for i := range t.params {
		p := &t.params[i]
		t.defaults.store(p, p.def)
	}
	t.defaults.mm.load(&t.defaults)
	t.defaults.building = false
	return t
})

func newConfig() *Config {
	c := new(Config)
	*c = sharedConfig().defaults
	// Each engine its own limit, read without the engine's lock.
	lim := new(atomic.Int64)
	lim.Store(c.clientsLimit.Load())
	c.clientsLimit = lim
	return c
}

// lookup finds a parameter by lower-case name or alias.
func (c *Config) lookup(name string) (*param, bool) {
	if i, ok := c.table.index[name]; ok {
		return c.at(i), true
	}
	p, ok := c.extra[name]
	return p, ok
}

// at is the parameter of index i: the engine's own when it changed it,
// else the shared default.
func (c *Config) at(i int) *param {
	if c.own != nil {
		if p := c.own[i]; p != nil {
			return p
		}
	}
	return &c.table.params[i]
}

// writable is p (found by lookup) as the engine may change it: its own
// copy, made at the first change. Every write goes through it, so the
// shared defaults never change.
func (c *Config) writable(p *param) *param {
	i := p.index
	if i < 0 || c.building {
		return p
	}
	if c.own == nil {
		c.own = make([]*param, len(c.table.params))
	}
	if q := c.own[i]; q != nil {
		return q
	}
	q := new(param)
	*q = c.table.params[i]
	c.own[i] = q
	return q
}

// param is lookup's parameter, nil when there is none.
func (c *Config) param(name string) *param {
	p, _ := c.lookup(name)
	return p
}

// get returns a parameter's value by exact (case-insensitive) name.
func (c *Config) get(name string) (string, bool) {
	p, ok := c.lookup(strings.ToLower(name))
	if !ok {
		return "", false
	}
	return p.value, true
}

// setInternal stores a value without validation (defaults, unknown
// directives from a config file).
func (c *Config) setInternal(name, v string) {
	name = strings.ToLower(name)
	if p, ok := c.lookup(name); ok {
		p = c.writable(p)
		p.value = v
		p.num = parseConfigNum(v)
		return
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	if c.extra == nil {
		c.extra = map[string]*param{}
	}
	c.extra[name] = &param{paramDef: &paramDef{index: -1, name: name}, value: v, num: n}
}

// each calls fn with every parameter under its main name (aliases not
// repeated), extras included, in no particular order.
func (c *Config) each(fn func(p *param)) {
	for i := range c.table.params {
		fn(c.at(i))
	}
	for _, p := range c.extra {
		fn(p)
	}
}

// set validates and stores v. startup allows immutable parameters (config
// file and command line).
func (c *Config) set(name, v string, startup bool) error {
	name = strings.ToLower(name)
	p, ok := c.lookup(name)
	if !ok {
		return argError("ERR Unknown option or number of arguments for CONFIG SET - '" + name + "'")
	}
	if !startup {
		if msg := c.settable(p); msg != "" {
			return setFailed(name, msg)
		}
	}
	norm, msg := c.validate(p, v)
	if msg != "" {
		return setFailed(name, msg)
	}
	c.store(p, norm)
	c.afterStore(p, v)
	return nil
}

// afterStore applies what a stored value cannot tell: Redis 7.0 does not
// show 'n' in notify-keyspace-events's normalized value but enables it.
func (c *Config) afterStore(p *param, raw string) {
	if p.name == "notify-keyspace-events" {
		c.notifyFlags, _ = parseNotifyFlags(raw)
	}
	if strings.HasPrefix(p.name, "cluster-") || p.name == "port" {
		c.clusterChanged = true
	}
}

func setFailed(name, msg string) error {
	return argError("ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + msg)
}

// settable says why p cannot be changed at run time, or "".
func (c *Config) settable(p *param) string {
	if p.immutable {
		return "can't set immutable config"
	}
	if p.protected && c.param("enable-protected-configs").value == "no" {
		return "can't set protected config"
	}
	return ""
}

// setMany is CONFIG SET with several pairs: every name is checked first,
// then every value; nothing changes unless all are valid.
func (c *Config) setMany(pairs []string) error {
	ps := make([]*param, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		name := strings.ToLower(pairs[i])
		p, ok := c.lookup(name)
		if !ok {
			return argError("ERR Unknown option or number of arguments for CONFIG SET - '" + name + "'")
		}
		if msg := c.settable(p); msg != "" {
			return setFailed(name, msg)
		}
		for j := 0; j < i/2; j++ {
			if ps[j] == p && strings.EqualFold(pairs[2*j], name) {
				return setFailed(name, "duplicate parameter")
			}
		}
		ps[i/2] = p
	}
	old := make([]string, len(ps))
	for i, p := range ps {
		old[i] = p.value
	}
	for i, p := range ps {
		if p.index >= 0 {
			// An alias set earlier in this call changed it: validate
			// against the engine's current value.
			p = c.at(p.index)
		}
		norm, msg := c.validate(p, pairs[2*i+1])
		if msg != "" {
			for j := i - 1; j >= 0; j-- {
				c.store(ps[j], old[j])
			}
			return setFailed(strings.ToLower(pairs[2*i]), msg)
		}
		c.store(p, norm)
		c.afterStore(p, pairs[2*i+1])
	}
	return nil
}

func (c *Config) store(p *param, v string) {
	p = c.writable(p)
	p.value = v
	p.num = parseConfigNum(v)
	switch p.name {
	case "notify-keyspace-events":
		c.notifyFlags, _ = parseNotifyFlags(v)
	case "client-output-buffer-limit":
		if lims, ok := parseOutputLimits(v); ok {
			c.setOutputLimits(lims)
		}
	case "slowlog-log-slower-than":
		c.slowlogSlowerThan, _ = strconv.ParseInt(v, 10, 64)
	case "latency-tracking":
		c.latencyTracking = v == "yes"
	case "latency-monitor-threshold":
		c.latencyThreshold, _ = strconv.ParseInt(v, 10, 64)
	case "maxmemory", "maxmemory-policy", "maxmemory-samples", "maxmemory-eviction-tenacity", "lfu-log-factor", "lfu-decay-time", "replica-ignore-maxmemory", "lazyfree-lazy-eviction":
		c.mm.load(c)
		c.clientsLimit.Store(c.clientEvictionLimit())
	case "maxmemory-clients":
		c.clientsLimit.Store(c.clientEvictionLimit())
	}
}

// validate is p.validate plus the checks that depend on other parameters.
func (c *Config) validate(p *param, v string) (string, string) {
	norm, msg := p.validate(v)
	if msg == "" && p.name == "proc-title-template" &&
		!validProcTitleTemplate(norm, c.param("unixsocket").value, c.param("cluster-enabled").value == "yes") {
		msg = "template format is invalid or contains unknown variables"
	}
	if msg == "" && p.name == "cluster-announce-hostname" {
		msg = checkAnnouncedHostname(norm)
	}
	return norm, msg
}

// checkAnnouncedHostname is Redis's isValidAnnouncedHostname: shorter
// than NET_HOST_STR_LEN (256), of letters, digits, hyphens and dots.
func checkAnnouncedHostname(v string) string {
	if len(v) >= 256 {
		return "Hostnames must be less than 256 characters"
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return "Hostnames may only contain alphanumeric characters, hyphens or dots"
		}
	}
	return ""
}

// validProcTitleTemplate is Redis's validateProcTitleTemplate: the
// template expands (sdstemplate's syntax: {name} variables, "{{" a
// literal brace) with known variables only, to something not blank when
// the title is empty.
func validProcTitleTemplate(tmpl, unixsocket string, cluster bool) bool {
	var out strings.Builder
	for rest := tmpl; rest != ""; {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			out.WriteString(rest)
			break
		}
		out.WriteString(rest[:open])
		rest = rest[open+1:]
		if rest == "" {
			return false
		}
		if rest[0] == '{' {
			out.WriteByte('{')
			rest = rest[1:]
			continue
		}
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			return false
		}
		switch rest[:end] {
		case "title":
		case "server-mode":
			if cluster {
				out.WriteString("[cluster]")
			}
		case "unixsocket":
			out.WriteString(unixsocket)
		case "listen-addr", "config-file", "port", "tls-port":
			out.WriteString("x") // never empty in Redis either
		default:
			return false
		}
		rest = rest[end+1:]
	}
	return strings.Trim(out.String(), " ") != ""
}

// validate checks v against p's type and bounds and returns the value
// as CONFIG GET will show it, or an error text.
func (p *param) validate(v string) (string, string) {
	switch p.kind {
	case kindBool:
		switch strings.ToLower(v) {
		case "yes":
			return "yes", ""
		case "no":
			return "no", ""
		}
		return "", "argument must be 'yes' or 'no'"
	case kindInt:
		n, ok := parseInt([]byte(v))
		if !ok {
			return "", "argument couldn't be parsed into an integer"
		}
		if n < p.min || n > p.max {
			return "", "argument must be between " + itoa(p.min) + " and " + itoa(p.max) + " inclusive"
		}
		return itoa(n), ""
	case kindMemory:
		u, ok := memtoull(v)
		if !ok {
			return "", "argument must be a memory value"
		}
		if p.max == 0 {
			// unsigned long long (maxmemory): any value, as C wraps it
			return strconv.FormatUint(u, 10), ""
		}
		// Redis casts to long long before the bounds check, so values
		// past 2^63 fail it.
		if n := int64(u); n < p.min || n > p.max {
			return "", "argument must be between " + itoa(p.min) + " and " + itoa(p.max) + " inclusive"
		}
		return strconv.FormatUint(u, 10), ""
	case kindEnum:
		for _, e := range p.enum {
			if strings.EqualFold(e, v) {
				return e, ""
			}
		}
		return "", "argument(s) must be one of the following: " + strings.Join(p.enum, ", ")
	case kindSpecial:
		return p.check(p.value, v)
	}
	return v, ""
}

// memtoull reads a memory value as Redis's memtoull (util.c): digits
// (none is 0) and an optional unit b, k, kb, m, mb, g or gb in any case.
// As in C, digits past 2^64-1 saturate and the unit's multiplication
// wraps.
func memtoull(v string) (uint64, bool) {
	i := 0
	for i < len(v) && '0' <= v[i] && v[i] <= '9' {
		i++
	}
	var mul uint64
	switch strings.ToLower(v[i:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1024
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1024 * 1024
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1024 * 1024 * 1024
	default:
		return 0, false
	}
	if i >= 128 {
		return 0, false // Redis's digit buffer
	}
	var n uint64
	for _, c := range v[:i] {
		d := uint64(c - '0')
		if n > (math.MaxUint64-d)/10 {
			n = math.MaxUint64 // strtoull saturates
			break
		}
		n = n*10 + d
	}
	return n * mul, true
}

// parseMemory reads "100", "1k", "1kb", "2mb", "1gb" (k = 1000, kb = 1024).
func parseMemory(v string) (int64, bool) {
	s := strings.ToLower(v)
	mul := int64(1)
	for _, u := range []struct {
		suffix string
		mul    int64
	}{{"kb", 1024}, {"mb", 1024 * 1024}, {"gb", 1024 * 1024 * 1024}, {"k", 1000}, {"m", 1000 * 1000}, {"g", 1000 * 1000 * 1000}, {"b", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s = strings.TrimSuffix(s, u.suffix)
			mul = u.mul
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n * mul, true
}

func (c *Config) int(name string) int64 {
	p := c.param(name)
	if p == nil {
		return 0
	}
	return p.num
}

// minReplicasToWrite is int("min-replicas-to-write") without the look-up
// by name: every command's gate reads it, whichever way it was set.
func (c *Config) minReplicasToWrite() int64 { return c.at(c.table.minReplicasToWrite).num }

// bool reads a yes/no parameter.
func (c *Config) bool(name string) bool {
	p := c.param(name)
	return p != nil && p.value == "yes"
}

func (c *Config) requirepass() string { return c.param("requirepass").value }

func (c *Config) databases() int { return int(c.int("databases")) }

// names lists every parameter name, aliases included (CONFIG GET * shows
// both), in a stable order.
func (c *Config) names() []string {
	names := c.table.names
	if len(c.extra) == 0 {
		return names
	}
	out := slices.Clone(names)
	for n := range c.extra {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// parseConfigNum is a numeric parameter's value as an int64; unsigned
// values past 2^63-1 (maxmemory) keep their bits.
func parseConfigNum(v string) int64 {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n
	}
	u, _ := strconv.ParseUint(v, 10, 64)
	return int64(u)
}
