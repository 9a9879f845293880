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
	"bufio"
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
	name string
	args []string
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
	for name, value := range conf {
		if isHostDirective(name) {
			continue
		}
		if err := engine.ConfigError(name, value); err != nil {
			return fmt.Errorf("\n*** FATAL CONFIG FILE ERROR (Redis 7.0) ***\n>>> '%s %s'\n%s", name, value, strings.TrimPrefix(err.Error(), "ERR "))
		}
	}
	srvDone := make(chan struct{}, 1)
	eng := engine.New(engine.Options{
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
	srv := netserver.New(eng, opts)
	srv.Logf('#', "GoRedis %s (Redis %s compatible) starting, pid=%d", engine.GoRedisVersion, engine.Version, os.Getpid())
	if err := srv.Listen(); err != nil {
		return fmt.Errorf("could not listen on %s: %w", opts.Addr, err)
	}
	srv.Logf('*', "Running mode=standalone, port=%s.", port)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve() }()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case s := <-sig:
		srv.Logf('#', "Received %s scheduling shutdown...", s)
	case <-srvDone:
		srv.Logf('#', "User requested shutdown...")
	case err := <-errc:
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
	srv.Logf('#', "GoRedis is now ready to exit, bye bye...")
	return nil
}

// isHostDirective names the directives the host applies itself.
func isHostDirective(name string) bool {
	switch name {
	case "http-port", "ws-allowed-origins", "cpuprofile", "io-threads":
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

// parseArgs reads an optional config file then --name value pairs, which
// override it, as redis-server does.
func parseArgs(argv []string) ([]directive, error) {
	var dirs []directive
	if len(argv) > 0 && !strings.HasPrefix(argv[0], "--") {
		f, err := os.Open(argv[0])
		if err != nil {
			return nil, fmt.Errorf("Fatal error, can't open config file '%s': %w", argv[0], err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			fields, err := splitConfigLine(line)
			if err != nil {
				return nil, err
			}
			dirs = append(dirs, directive{strings.ToLower(fields[0]), fields[1:]})
		}
		if err := sc.Err(); err != nil {
			return nil, err
		}
		argv = argv[1:]
	}
	for i := 0; i < len(argv); i++ {
		a := argv[i]
		if !strings.HasPrefix(a, "--") || len(a) == 2 {
			return nil, fmt.Errorf("unexpected argument %q (expected --name value)", a)
		}
		d := directive{name: strings.ToLower(a[2:])}
		for i+1 < len(argv) && !strings.HasPrefix(argv[i+1], "--") {
			i++
			d.args = append(d.args, argv[i])
		}
		dirs = append(dirs, d)
	}
	return dirs, nil
}

// splitConfigLine splits a config line into words, honouring quotes.
func splitConfigLine(line string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inQ := byte(0)
	have := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case inQ != 0 && c == inQ:
			inQ = 0
		case inQ != 0:
			cur.WriteByte(c)
		case c == '"' || c == '\'':
			inQ, have = c, true
		case c == ' ' || c == '\t':
			if have {
				out = append(out, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteByte(c)
			have = true
		}
	}
	if inQ != 0 {
		return nil, fmt.Errorf("unbalanced quotes in configuration line: %s", line)
	}
	if have {
		out = append(out, cur.String())
	}
	return out, nil
}
