package engine

import (
	"errors"
	"strings"
)

// ConfigLoader checks configuration directives in the order of a config
// file, as redis-server 7.0's loadServerConfigFromString applies them,
// and collects the values to start an engine with (Options.Config). The
// host reads the file; the loader knows the parameters.
type ConfigLoader struct {
	c *Config
	// saveSeen: the file's first save line replaces the default save
	// points, later ones add to them (Redis's aggregate save lines).
	saveSeen bool
}

// NewConfigLoader starts from the defaults.
func NewConfigLoader() *ConfigLoader { return &ConfigLoader{c: newConfig()} }

// Known reports whether name (lower case) is a configuration parameter or
// an alias of one.
func (l *ConfigLoader) Known(name string) bool {
	_, ok := l.c.lookup(name)
	return ok
}

// multiArgParams take several words on one line (Redis's MULTI_ARG_CONFIG).
var multiArgParams = map[string]bool{
	"save": true, "client-output-buffer-limit": true, "oom-score-adj-values": true,
	"bind": true, "replicaof": true, "slaveof": true, "latency-tracking-info-percentiles": true,
	"shutdown-on-sigint": true, "shutdown-on-sigterm": true,
}

// Apply sets a known parameter from a directive's words. Its error is the
// message redis-server prints under the offending line.
func (l *ConfigLoader) Apply(name string, args []string) error {
	name = strings.ToLower(name)
	p, ok := l.c.lookup(name)
	if !ok {
		//lint:ignore ST1005 redis-server's own wording
		return errors.New("Bad directive or wrong number of arguments")
	}
	var value string
	if multiArgParams[name] {
		value = strings.Join(args, " ")
	} else {
		if len(args) != 1 {
			return errors.New("wrong number of arguments")
		}
		value = args[0]
	}
	if p.name == "save" {
		if value == "" || len(args) == 1 && args[0] == "" {
			value = ""
		} else if l.saveSeen && p.value != "" {
			value = p.value + " " + value
		}
		l.saveSeen = true
	}
	if err := l.c.set(name, value, true); err != nil {
		msg := strings.TrimPrefix(err.Error(), "ERR ")
		if i := strings.Index(msg, ") - "); i >= 0 && strings.HasPrefix(msg, "CONFIG SET failed") {
			msg = msg[i+4:]
		}
		return errors.New(msg)
	}
	return nil
}

// Get is a parameter's value so far.
func (l *ConfigLoader) Get(name string) string {
	v, _ := l.c.get(name)
	return v
}

// Set stores a value the host worked out (dir as the absolute working
// directory, requirepass from a user line) without the file's checks.
func (l *ConfigLoader) Set(name, value string) { l.c.setInternal(name, value) }

// Values are the parameters that differ from their defaults, for
// Options.Config.
func (l *ConfigLoader) Values() map[string]string {
	out := map[string]string{}
	l.c.each(func(p *param) {
		if p.value != p.def {
			out[p.name] = p.value
		}
	})
	return out
}

// Canonical is a parameter's main name ("replicaof" for "slaveof") and
// whether the name is known.
func (l *ConfigLoader) Canonical(name string) (string, bool) {
	p, ok := l.c.lookup(strings.ToLower(name))
	if !ok {
		return "", false
	}
	return p.name, true
}
