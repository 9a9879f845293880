package main

import (
	"crypto/tls"
	"errors"
	"strconv"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/netserver"
	"github.com/goredis-dev/goredis/tlsconf"
)

// tlsHost applies the tls-* parameters to the server, as Redis's
// applyTlsCfg and applyTLSPort: it keeps the values CONFIG SET passes
// (the engine is locked while it applies them, so it cannot be asked) and
// rebuilds the whole TLS configuration once per CONFIG SET.
type tlsHost struct {
	values map[string]string
	srv    *netserver.Server
	ctx    *tlsconf.Contexts // the configuration in force (nil: none yet)
	warn   func(msg string)
	// https: the HTTP side serves https:// (http-tls yes), with the same
	// configuration.
	https bool
}

func newTLSHost(get func(string) string, warn func(string)) *tlsHost {
	t := &tlsHost{values: map[string]string{}, warn: warn}
	for _, name := range append([]string{"tls-port"}, tlsconf.Names...) {
		t.values[name] = get(name)
	}
	return t
}

// needed says whether TLS must be configured: a TLS port, TLS for
// replication or the cluster bus, or the HTTP side over https.
func (t *tlsHost) needed() bool {
	return t.values["tls-port"] != "0" || t.values["tls-replication"] == "yes" || t.values["tls-cluster"] == "yes" || t.https
}

// configure builds the configuration from the values and installs it on
// the server (when there is one yet); on failure Redis's reason is logged
// and the configuration in force stays.
func (t *tlsHost) configure() error {
	ctx, err := tlsconf.Configure(tlsconf.FromConfig(func(name string) string { return t.values[name] }), t.warn)
	if err != nil {
		return err
	}
	t.ctx = ctx
	if t.srv != nil {
		t.srv.SetTLS(ctx)
	}
	return nil
}

// attach gives the server the configuration built at startup.
func (t *tlsHost) attach(srv *netserver.Server) {
	t.srv = srv
	if t.ctx != nil {
		srv.SetTLS(t.ctx)
	}
}

// apply is the TLS part of CONFIG SET's host step (engine.Options.
// ApplyConfig); handled is false for parameters it does not own.
func (t *tlsHost) apply(name, value string) (handled bool, err error) {
	switch {
	case name == engine.ApplyGroupTLS:
		if t.needed() && t.configure() != nil {
			//lint:ignore ST1005 redis-server's own wording
			return true, errors.New("Unable to update TLS configuration. Check server logs.")
		}
		return true, nil
	case name == "tls-port":
		t.values[name] = value
		if t.ctx == nil && t.configure() != nil {
			//lint:ignore ST1005 redis-server's own wording
			return true, errors.New("Unable to update TLS configuration. Check server logs.")
		}
		port, _ := strconv.Atoi(value)
		if err := t.srv.RebindTLS(port); err != nil {
			//lint:ignore ST1005 redis-server's own wording
			return true, errors.New("Unable to listen on this port. Check server logs.")
		}
		return true, nil
	}
	if _, ok := t.values[name]; ok {
		t.values[name] = value
		return true, nil
	}
	return false, nil
}

// followerTLS is the replica link's view of TLS (repl.Follower.TLS): the
// client configuration while tls-replication is yes, and the TLS port to
// announce (Redis announces tls-port then, when it has one). It reads the
// engine, not the values: the link runs beside CONFIG SET.
func followerTLS(eng *engine.Engine, srv *netserver.Server) func() (*tls.Config, int) {
	return func() (*tls.Config, int) {
		if eng.Config("tls-replication") != "yes" {
			return nil, 0
		}
		port, _ := strconv.Atoi(eng.Config("tls-port"))
		return srv.TLSClientConfig(), port
	}
}
