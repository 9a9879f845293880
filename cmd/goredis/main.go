// Command goredis is the GoRedis server: RESP over TCP for any Redis client,
// and over HTTP the browser playground and the WebSocket bridge.
//
//	goredis [config-file] [--name value ...] [--cpuprofile file] [--io-threads n]
//
// --io-threads n (Redis's directive) sets how many OS threads run Go code
// at once (GOMAXPROCS) unless the GOMAXPROCS environment variable does.
// Commands run one at a time either way; 1 is Redis's default and uses
// the least CPU per request on a small machine, more threads let reads,
// writes and the garbage collector run in parallel. Unset, Go's default
// (one per CPU) applies.
//
// --cpuprofile (or GOREDIS_CPUPROFILE) writes a CPU profile for `go tool
// pprof` until the server stops.
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/netserver"
	"github.com/goredis-dev/goredis/netserver/resp"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// directive is one "name value..." line from the config file or the
// command line.
type directive struct {
	name   string
	args   []string
	lineNo int    // line in the combined config text, for errors
	line   string // the line as written
}

func run(argv []string) error {
	dirs, err := parseArgs(argv)
	if err != nil {
		return err
	}
	conf := map[string]string{}
	for _, d := range dirs {
		conf[d.name] = strings.Join(d.args, " ")
	}
	host := "127.0.0.1"
	if b, ok := conf["bind"]; ok && b != "" {
		host = strings.Fields(b)[0]
		if host == "-::1" || strings.HasPrefix(host, "-") {
			host = strings.TrimPrefix(host, "-")
		}
	}
	if v, ok := conf["io-threads"]; ok && os.Getenv("GOMAXPROCS") == "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 128 {
			return fmt.Errorf("\n*** FATAL CONFIG FILE ERROR (Redis 7.0) ***\n>>> 'io-threads %s'\nargument must be between 1 and 128 inclusive", v)
		}
		runtime.GOMAXPROCS(n)
	}
	if path := cpuProfilePath(conf); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			_ = f.Close()
			return fmt.Errorf("cpuprofile: %w", err)
		}
		defer func() {
			pprof.StopCPUProfile()
			_ = f.Close()
		}()
	}
	port := "6379"
	if p, ok := conf["port"]; ok {
		port = p
	}
	for _, d := range dirs {
		if isHostDirective(d.name) {
			continue
		}
		if err := engine.ConfigError(d.name, strings.Join(d.args, " ")); err != nil {
			return &configError{d.lineNo, d.line, configMessage(err.Error())}
		}
	}
	srvDone := make(chan struct{}, 1)
	// The engine logs through the server, made just below.
	var srv *netserver.Server
	eng := engine.New(engine.Options{
		Log: func(line string) {
			if srv != nil {
				srv.Logf('*', "%s", line)
			}
		},
		Warn: func(line string) {
			if srv != nil {
				srv.Logf('#', "%s", line)
			}
		},
		Config: conf,
		Shutdown: func() {
			select {
			case srvDone <- struct{}{}:
			default:
			}
		},
	})
	opts := netserver.Options{Addr: net.JoinHostPort(host, port)}
	if v, ok := conf["maxclients"]; ok {
		opts.MaxClients, _ = strconv.Atoi(v)
	}
	if v, ok := conf["timeout"]; ok {
		n, _ := strconv.Atoi(v)
		opts.IdleTimeout = time.Duration(n) * time.Second
	}
	// Catch the signals before announcing readiness: a SIGTERM sent right
	// after "Ready to accept connections" must still shut down cleanly.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)
	srv = netserver.New(eng, opts)
	srv.Logf('#', "GoRedis %s (Redis %s compatible) starting, pid=%d", engine.GoRedisVersion, engine.Version, os.Getpid())
	if err := srv.Listen(); err != nil {
		return fmt.Errorf("could not listen on %s: %w", opts.Addr, err)
	}
	srv.Logf('*', "Running mode=standalone, port=%s.", port)
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve() }()
	var web *netserver.HTTPServer
	if hp := conf["http-port"]; hp != "0" {
		if hp == "" {
			hp = "8080"
		}
		web = netserver.NewHTTP(srv, net.JoinHostPort(host, hp), wsOptions(conf))
		if err := web.Listen(); err != nil {
			return fmt.Errorf("could not listen for HTTP on port %s: %w", hp, err)
		}
		srv.Logf('*', "Playground at http://%s/", web.Addr())
		go func() { errc <- web.Serve() }()
	}

	select {
	case s := <-sig:
		srv.Logf('#', "Received %s scheduling shutdown...", signalName(s))
	case <-srvDone:
		srv.Logf('#', "User requested shutdown...")
	case err := <-errc:
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if web != nil {
		_ = web.Shutdown(ctx)
	}
	_ = srv.Shutdown(ctx)
	srv.Logf('#', "GoRedis is now ready to exit, bye bye...")
	return nil
}

// signalName spells a signal as Redis's log does ("SIGTERM").
func signalName(s os.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

// configMessage turns a CONFIG SET error into the words redis-server
// prints for the same mistake in its configuration.
func configMessage(msg string) string {
	msg = strings.TrimPrefix(msg, "ERR ")
	if strings.HasPrefix(msg, "Unknown option") {
		return "Bad directive or wrong number of arguments"
	}
	if i := strings.Index(msg, ") - "); i >= 0 && strings.HasPrefix(msg, "CONFIG SET failed") {
		return msg[i+4:]
	}
	return msg
}

// isHostDirective names the directives the host applies itself.
func isHostDirective(name string) bool {
	switch name {
	case "http-port", "ws-allowed-origins", "sandbox", "cpuprofile", "io-threads":
		return true
	}
	return false
}

// cpuProfilePath is where to write a CPU profile: --cpuprofile, else the
// GOREDIS_CPUPROFILE environment variable; "" for none.
func cpuProfilePath(conf map[string]string) string {
	if p := conf["cpuprofile"]; p != "" {
		return p
	}
	return os.Getenv("GOREDIS_CPUPROFILE")
}

// configError is a fatal configuration error, printed as redis-server
// prints it.
type configError struct {
	lineNo int
	line   string
	msg    string
}

func (e *configError) Error() string {
	return fmt.Sprintf("\n*** FATAL CONFIG FILE ERROR (Redis %s) ***\nReading the configuration file, at line %d\n>>> '%s'\n%s",
		engine.Version, e.lineNo, e.line, e.msg)
}

// parseArgs reads an optional config file then --name value options, as
// redis-server does: the options are appended to the file's text as
// quoted lines, and every line is split like sdssplitargs, so both report
// errors with the same line numbers Redis gives.
func parseArgs(argv []string) ([]directive, error) {
	text := ""
	if len(argv) > 0 && !strings.HasPrefix(argv[0], "--") {
		b, err := os.ReadFile(argv[0])
		if err != nil {
			//lint:ignore ST1005 redis-server's own wording
			return nil, fmt.Errorf("Fatal error, can't open config file '%s': %w", argv[0], err)
		}
		text = string(b)
		argv = argv[1:]
	}
	var opts strings.Builder
	for _, a := range argv {
		if strings.HasPrefix(a, "--") && len(a) > 2 {
			if opts.Len() > 0 {
				opts.WriteByte('\n')
			}
			opts.WriteString(a[2:])
			opts.WriteByte(' ')
			continue
		}
		if opts.Len() == 0 {
			return nil, fmt.Errorf("unexpected argument %q (expected --name value)", a)
		}
		opts.WriteString(repr(a))
		opts.WriteByte(' ')
	}
	if opts.Len() > 0 {
		text += "\n" + opts.String()
	}
	var dirs []directive
	for i, line := range strings.Split(text, "\n") {
		line = strings.Trim(line, " \t\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		fields, ok := resp.SplitArgs(line)
		if !ok {
			return nil, &configError{i + 1, line, "Unbalanced quotes in configuration line"}
		}
		if len(fields) == 0 {
			continue
		}
		dirs = append(dirs, directive{strings.ToLower(fields[0]), fields[1:], i + 1, line})
	}
	return dirs, nil
}

// repr quotes s as sdscatrepr does.
func repr(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString("\\n")
		case '\r':
			b.WriteString("\\r")
		case '\t':
			b.WriteString("\\t")
		case '\a':
			b.WriteString("\\a")
		case '\b':
			b.WriteString("\\b")
		default:
			if c < 0x20 || c >= 0x7f {
				fmt.Fprintf(&b, "\\x%02x", c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// wsOptions reads the WebSocket bridge's directives: ws-allowed-origins
// (space separated) and sandbox yes|no for a public tutorial server.
func wsOptions(conf map[string]string) netserver.WSOptions {
	o := netserver.WSOptions{AllowedOrigins: strings.Fields(conf["ws-allowed-origins"])}
	if strings.EqualFold(conf["sandbox"], "yes") {
		o.Sandbox = engine.DefaultSandbox()
		o.MaxConnsPerIP = 20
		o.IdleTimeout = 10 * time.Minute
	}
	return o
}
