package engine

import (
	"strconv"
	"strings"
)

// Config holds the configuration parameters CONFIG GET/SET see. Every
// parameter Redis 7.0 knows is accepted and reported; those that tune
// internals GoRedis does not have are stored so tools that set them keep
// working. Parameters GoRedis acts on are read through typed accessors.
type Config struct {
	params map[string]*param
	// notifyFlags caches notify-keyspace-events for the hot path.
	notifyFlags int
	// obufPubsub caches the pubsub class of client-output-buffer-limit.
	obufPubsub outputLimit
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

type param struct {
	name      string
	alias     string
	kind      paramKind
	value     string
	enum      []string
	min, max  int64
	immutable bool
	// check validates a kindSpecial value; it returns the normalized
	// value or an error text (without the CONFIG SET prefix).
	check func(v string) (string, string)
}

func newConfig() *Config {
	c := &Config{params: map[string]*param{}}
	for _, p := range configParams() {
		p := p
		c.params[p.name] = &p
		if p.alias != "" {
			c.params[p.alias] = c.params[p.name]
		}
	}
	lims, _ := parseOutputLimits(c.params["client-output-buffer-limit"].value)
	c.obufPubsub = lims[2]
	return c
}

// get returns a parameter's value by exact (case-insensitive) name.
func (c *Config) get(name string) (string, bool) {
	p, ok := c.params[strings.ToLower(name)]
	if !ok {
		return "", false
	}
	return p.value, true
}

// setInternal stores a value without validation (defaults, unknown
// directives from a config file).
func (c *Config) setInternal(name, v string) {
	name = strings.ToLower(name)
	if p, ok := c.params[name]; ok {
		p.value = v
		return
	}
	c.params[name] = &param{name: name, value: v}
}

// set validates and stores v. startup allows immutable parameters (config
// file and command line).
func (c *Config) set(name, v string, startup bool) error {
	name = strings.ToLower(name)
	p, ok := c.params[name]
	if !ok {
		return argError("ERR Unknown option or number of arguments for CONFIG SET - '" + name + "'")
	}
	fail := func(msg string) error {
		return argError("ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + msg)
	}
	if p.immutable && !startup {
		return fail("can't set immutable config")
	}
	raw := v
	if p.name == "client-output-buffer-limit" {
		// Classes not named keep their limits.
		norm, lims, msg := mergeOutputLimits(p.value, v)
		if msg != "" {
			return fail(msg)
		}
		p.value = norm
		c.obufPubsub = lims[2]
		return nil
	}
	switch p.kind {
	case kindBool:
		switch strings.ToLower(v) {
		case "yes":
			v = "yes"
		case "no":
			v = "no"
		default:
			return fail("argument must be 'yes' or 'no'")
		}
	case kindInt:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fail("argument couldn't be parsed into an integer")
		}
		if n < p.min || n > p.max {
			return fail("argument must be between " + itoa(p.min) + " and " + itoa(p.max) + " inclusive")
		}
		v = itoa(n)
	case kindMemory:
		n, ok := parseMemory(v)
		if !ok {
			return fail("argument must be a memory value")
		}
		if n < p.min || (p.max > 0 && n > p.max) {
			return fail("argument must be between " + itoa(p.min) + " and " + itoa(p.max) + " inclusive")
		}
		v = itoa(n)
	case kindEnum:
		found := false
		for _, e := range p.enum {
			if strings.EqualFold(e, v) {
				v, found = e, true
				break
			}
		}
		if !found {
			return fail("argument(s) must be one of the following: " + strings.Join(p.enum, ", "))
		}
	case kindSpecial:
		norm, msg := p.check(v)
		if msg != "" {
			return fail(msg)
		}
		v = norm
	}
	if p.name == "notify-keyspace-events" {
		// From the value given: Redis 7.0 does not show 'n' in the
		// normalized value but still enables it.
		c.notifyFlags, _ = parseNotifyFlags(raw)
	}
	p.value = v
	return nil
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
	p := c.params[name]
	if p == nil {
		return 0
	}
	n, _ := strconv.ParseInt(p.value, 10, 64)
	return n
}

func (c *Config) requirepass() string { return c.params["requirepass"].value }

func (c *Config) databases() int { return int(c.int("databases")) }

// names lists every parameter name (without aliases), for CONFIG GET globs.
func (c *Config) names() []string {
	var out []string
	for n, p := range c.params {
		if p.name == n {
			out = append(out, n)
		}
	}
	return out
}
