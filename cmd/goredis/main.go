// Command goredis is the GoRedis server: RESP over TCP and a unix socket
// for any Redis client, and over HTTP the browser playground and the
// WebSocket bridge. It is started as redis-server is:
//
//	goredis [/path/to/redis.conf] [--directive value ...] [-]
//
// with redis.conf's directives (see the README, "Replacing
// redis-server"), plus GoRedis's own: --http-port (the playground, off unless given),
// --ws-allowed-origins, --sandbox, --cpuprofile.
//
// io-threads n sets how many OS threads run Go code at once (GOMAXPROCS)
// unless the GOMAXPROCS environment variable does. Commands run one at a
// time either way.
//
// --cpuprofile (or GOREDIS_CPUPROFILE) writes a CPU profile for `go tool
// pprof` until the server stops.
package main

import (
	"context"
	cryptorand "crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/goredis-dev/goredis/aof"
	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/migrate"
	"github.com/goredis-dev/goredis/netserver"
	"github.com/goredis-dev/goredis/persist"
	"github.com/goredis-dev/goredis/redisconf"
	"github.com/goredis-dev/goredis/repl"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the whole server; it returns the exit status.
func run(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if code, done := earlyExit(argv, stdout, stderr); done {
		return code
	}
	startDir, _ := os.Getwd()
	log := newServerLog(stdout)
	cfg, err := loadConfig(redisconf.ParseCommandLine(argv), stdin, log)
	if err != nil {
		var oe *redisconf.OpenError
		if errors.As(err, &oe) {
			log.log(levelWarning, oe.Error())
		} else {
			fmt.Fprintln(stderr, err)
		}
		return 1
	}
	_ = log.configure(cfg.get("loglevel"), cfg.get("logfile"), cfg.get("syslog-enabled") == "yes",
		cfg.get("syslog-ident"), cfg.get("syslog-facility"))
	supervised := detectSupervision(cfg.get("supervised"), log)
	background := cfg.get("daemonize") == "yes" && supervised == supervisedNone
	if background && os.Getenv(daemonChildEnv) == "" {
		return daemonize(argv, cfg.stdin, startDir, stderr)
	}
	return serve(argv, cfg, log, background, supervised)
}

// serve starts the server from its configuration and runs it until a
// signal or SHUTDOWN; it returns the exit status.
func serve(argv []string, cfg *serverConfig, log *serverLog, background bool, supervised supervision) int {
	sha, dirty := buildRevision()
	log.log(levelWarning, "oO0OoO0OoO0Oo GoRedis is starting oO0OoO0OoO0Oo")
	log.logf(levelWarning, "GoRedis version=%s, Redis version=%s, bits=%d, commit=%s, modified=%d, pid=%d, just started",
		engine.GoRedisVersion, engine.Version, 32<<(^uint(0)>>63), sha, dirty, os.Getpid())
	if len(argv) == 0 {
		log.logf(levelWarning, "Warning: no config file specified, using the default config. In order to specify a config file use %s /path/to/redis.conf", os.Args[0])
	} else {
		log.log(levelWarning, "Configuration loaded")
	}
	if cfg.params.Get("io-threads") != "1" && os.Getenv("GOMAXPROCS") == "" {
		n, _ := strconv.Atoi(cfg.params.Get("io-threads"))
		runtime.GOMAXPROCS(n)
	}
	if path := cpuProfilePath(cfg); path != "" {
		f, err := os.Create(path)
		if err != nil {
			log.logf(levelWarning, "cpuprofile: %v", err)
			return 1
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			_ = f.Close()
			log.logf(levelWarning, "cpuprofile: %v", err)
			return 1
		}
		defer func() {
			pprof.StopCPUProfile()
			_ = f.Close()
		}()
	}
	if cfg.params.Get("disable-thp") == "yes" {
		disableTHP()
	}

	if cfg.params.Get("cluster-enabled") == "yes" && cfg.params.Get("tls-cluster") == "yes" {
		log.log(levelWarning, errTLSCluster.Error())
		return 1
	}
	// TLS is configured before any socket opens, as in Redis's initServer.
	tlsh := newTLSHost(cfg.params.Get, func(msg string) { log.log(levelWarning, msg) })
	tlsh.https = strings.EqualFold(cfg.host["http-tls"], "yes") && cfg.host["http-port"] != "" && cfg.host["http-port"] != "0"
	if tlsh.needed() && tlsh.configure() != nil {
		log.log(levelWarning, "Failed to configure TLS. Check logs for more info.")
		return 1
	}
	srvDone := make(chan struct{}, 1)
	var srv *netserver.Server // the engine logs through it
	listen := listenOptions(cfg)
	var rewrite func([]engine.ConfigLine) error
	if cfg.file != "" {
		rewrite = func(lines []engine.ConfigLine) error { return rewriteConfigFile(cfg.file, lines) }
	}
	var clusterOpts *engine.ClusterOptions
	if cfg.params.Get("cluster-enabled") == "yes" {
		var err error
		if clusterOpts, err = loadClusterState(cfg, log); err != nil {
			return 1
		}
	}
	// stopping is the start of Redis's prepareForShutdown, for a signal
	// and for SHUTDOWN alike: the log line, then systemd's STOPPING=1,
	// before the final save.
	stopping := func() {
		log.log(levelWarning, "User requested shutdown...")
		if supervised == supervisedSystemd {
			notifySystemd("STOPPING=1\n", log)
		}
	}
	// dataDir is dir, read by the signal handler without the engine lock
	// (a final save may hold it while a second SIGINT must act at once).
	var dataDir atomic.Pointer[string]
	startDir := cfg.params.Get("dir")
	dataDir.Store(&startDir)
	eng := engine.New(engine.Options{
		Cluster:        clusterOpts,
		LogAt:          log.mark,
		Config:         cfg.params.Values(),
		RenameCommands: cfg.renames,
		RewriteConfig:  rewrite,
		Users:          cfg.users,
		ACLFile:        aclFile{},
		Entropy:        func(p []byte) { _, _ = cryptorand.Read(p) },
		ApplyConfig: func(name, value string) error {
			if name == "tls-cluster" && value == "yes" && clusterOpts != nil {
				return errTLSCluster
			}
			if handled, err := tlsh.apply(name, value); handled {
				return err
			}
			return applyListenConfig(srv, &listen, name, value)
		},
		ConfigChanged: func(name, value string) {
			if name == "loglevel" {
				log.verbosity.Store(int32(levelOf(value)))
			}
			if name == "dir" {
				dataDir.Store(&value)
			}
		},
		ShutdownStarting: stopping,
		SaveStatus: func(status string) {
			if supervised == supervisedSystemd {
				notifySystemd("STATUS="+status+"\n", log)
			}
		},
		Shutdown: func() {
			select {
			case srvDone <- struct{}{}:
			default:
			}
		},
	})
	// The persistence drivers log with Redis's level marks.
	markf := func(level byte, format string, args ...any) { log.mark(level, fmt.Sprintf(format, args...)) }
	saver := persist.New(eng, markf)
	if err := eng.LoadACL(); err != nil {
		for _, l := range strings.Split(err.Error(), "\n") {
			log.log(levelWarning, l)
		}
		return 1
	}
	eng.SetFullSyncer(repl.Syncer{})
	listenPort, _ := strconv.Atoi(cfg.params.Get("port"))
	follower := repl.NewFollower(eng, listenPort, markf)
	eng.SetReplicaLink(follower)
	migrations := migrate.New()
	defer migrations.Close()
	eng.SetMigrator(migrations)
	opts := listen
	opts.Log = log.mark
	if v := cfg.params.Get("timeout"); v != "0" {
		n, _ := strconv.Atoi(v)
		opts.IdleTimeout = time.Duration(n) * time.Second
	}
	opts.MaxClients, _ = strconv.Atoi(cfg.params.Get("maxclients"))
	// Catch the signals before announcing readiness: a SIGTERM sent right
	// after "Ready to accept connections" must still shut down cleanly.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)
	srv = netserver.New(eng, opts)
	isReplica := eng.ReplicaRole
	log.replica.Store(&isReplica)
	tlsh.attach(srv)
	follower.TLS = followerTLS(eng, srv)
	log.role.Store('M') // as Redis: initServer records the pid before it listens
	if err := srv.Listen(); err != nil {
		log.log(levelWarning, err.Error())
		return 1
	}
	// Every listener is bound before the server says it is ready, so a
	// taken HTTP port stops it before "Ready", never after.
	// The HTTP side is opt-in (--http-port): started where redis-server
	// runs, GoRedis opens no port redis-server would not.
	var web *netserver.HTTPServer
	if hp := cfg.host["http-port"]; hp != "" && hp != "0" {
		// The bridge has no protected mode: it stays on loopback unless
		// bind names addresses.
		host := "127.0.0.1"
		if b := cfg.params.Get("bind"); b != defaultBind && len(opts.Bind) > 0 {
			host = bindHost(opts.Bind[0])
		}
		web = netserver.NewHTTP(srv, net.JoinHostPort(host, hp), wsOptions(cfg))
		if strings.EqualFold(cfg.host["http-tls"], "yes") {
			web.UseTLS()
		}
		if err := web.Listen(); err != nil {
			log.logf(levelWarning, "could not listen for HTTP on port %s: %v", hp, err)
			_ = srv.Close()
			return 1
		}
	}
	pidfile := cfg.params.Get("pidfile")
	if background && pidfile == "" {
		pidfile = defaultPidFile
	}
	if pidfile != "" {
		writePidFile(pidfile)
	}
	if clusterOpts != nil {
		bus, err := startClusterBus(eng, cfg, listen.Bind, log)
		if err != nil {
			_ = srv.Close()
			return 1
		}
		defer bus.Close()
	}
	port, _ := strconv.Atoi(cfg.params.Get("port"))
	if cfg.params.Get("always-show-logo") == "yes" || (cfg.params.Get("syslog-enabled") == "no" && cfg.params.Get("logfile") == "" && isTerminal(os.Stdout)) {
		log.raw(levelNotice, asciiLogo(port, os.Getpid()))
	} else {
		mode := "standalone"
		if clusterOpts != nil {
			mode = "cluster"
		}
		log.logf(levelNotice, "Running mode=%s, port=%d.", mode, port)
	}
	log.log(levelWarning, "Server initialized")
	if cfg.params.Get("set-proc-title") == "yes" {
		// Redis rewrites its argument memory; os.Args and the Go
		// runtime's own argument strings point into it (README,
		// "Replacing redis-server").
		log.log(levelVerbose, "set-proc-title: the process title is left as started (a Go program cannot safely rewrite its argument memory); proc-title-template is checked but not shown")
	}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve() }()
	// Load the data as Redis's loadDataFromDisk: the append-only file when
	// appendonly is on, else the dump. Clients that connect meanwhile get
	// -LOADING.
	master := strings.Fields(cfg.params.Get("replicaof"))
	if len(master) == 2 {
		// A replica loads as one: expired keys kept, and the dump's
		// replication position restored as its cached master.
		port, _ := strconv.Atoi(master[1])
		eng.SetMasterAtStartup(master[0], port)
	}
	appendOnly, fromAOF, err := aof.Open(aof.Options{Engine: eng, Logf: markf})
	if err != nil {
		_ = srv.Close()
		return 1
	}
	defer appendOnly.Close()
	eng.SetAppendOnlyFile(appendOnly)
	// With appendonly yes the dump is not read even when there is no
	// append-only file yet (Redis's loadDataFromDisk): the server starts
	// empty and its first base file says so.
	if !fromAOF && eng.Config("appendonly") != "yes" {
		// A SIGTERM during the load stops it, and the server exits
		// without saving, as Redis's whileBlockedCron does.
		stopLoad, loaded, watched := make(chan struct{}), make(chan struct{}), make(chan struct{})
		var loadSig os.Signal
		go func() {
			defer close(watched)
			select {
			case loadSig = <-sig:
				close(stopLoad)
			case <-loaded:
			}
		}()
		err := saver.LoadAtStartup(stopLoad)
		close(loaded)
		<-watched
		if loadSig != nil && err == nil {
			sig <- loadSig // came as the load ended: the usual shutdown
		}
		if errors.Is(err, persist.ErrLoadInterrupted) {
			log.logf(levelWarning, "Received %s scheduling shutdown...", signalName(loadSig))
			_ = srv.Close()
			return 0
		}
		if err != nil {
			_ = srv.Close()
			return 1
		}
	}
	if err := eng.VerifyClusterData(); err != nil {
		log.log(levelWarning, "You can't have keys in a DB different than DB 0 when in Cluster mode. Exiting.")
		_ = srv.Close()
		return 1
	}
	if len(master) == 2 {
		// replicaof in the configuration: follow once the data is loaded.
		port, _ := strconv.Atoi(master[1])
		if err := eng.FollowAtStartup(master[0], port); err != nil {
			log.log(levelWarning, err.Error())
		}
	}
	cronCtx, stopCron := context.WithCancel(context.Background())
	defer stopCron()
	go saver.Cron(cronCtx)
	if web != nil {
		go func() { errc <- web.Serve() }()
	}
	if (opts.Port != 0 || opts.TLSPort != 0) && len(opts.Bind) > 0 {
		log.log(levelNotice, "Ready to accept connections")
	}
	if opts.UnixSocket != "" {
		log.logf(levelNotice, "The server is now ready to accept connections at %s", opts.UnixSocket)
	}
	if web != nil {
		scheme := "http"
		if strings.EqualFold(cfg.host["http-tls"], "yes") {
			scheme = "https"
		}
		log.logf(levelNotice, "Playground at %s://%s/", scheme, web.Addr())
	}
	if supervised == supervisedSystemd {
		// As Redis: a replica (replicaof in the configuration) says it
		// waits for its master.
		if cfg.params.Get("replicaof") == "" {
			notifySystemd("STATUS=Ready to accept connections\n", log)
		} else {
			notifySystemd("STATUS=Ready to accept connections in read-only mode. Waiting for MASTER <-> REPLICA sync\n", log)
		}
		notifySystemd("READY=1\n", log)
	}
	daemonReady()

	status := 0
	// Signals take SHUTDOWN's path (Redis's sigShutdownHandler and
	// serverCron): the engine's cron starts the shutdown, which may wait
	// for lagging replicas, and srvDone says when it is done.
	go func() {
		for s := range sig {
			if s == syscall.SIGINT && eng.ShutdownSignal("SIGINT") {
				// The second SIGINT: the user wants out now.
				log.log(levelWarning, "You insist... exiting now.")
				_ = os.Remove(filepath.Join(*dataDir.Load(), fmt.Sprintf("temp-%d.rdb", os.Getpid())))
				os.Exit(1)
			}
			if s != syscall.SIGINT {
				eng.ShutdownSignal(signalName(s))
			}
			if eng.Loading() {
				log.log(levelWarning, "Received shutdown signal during loading, scheduling shutdown.")
			} else {
				log.logf(levelWarning, "Received %s scheduling shutdown...", signalName(s))
			}
		}
	}()
	select {
	case <-srvDone:
		// SHUTDOWN, or a signal's shutdown, is done with the engine.
	case err := <-errc:
		log.logf(levelWarning, "%v", err)
		status = 1
		if supervised == supervisedSystemd {
			notifySystemd("STOPPING=1\n", log)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if web != nil {
		_ = web.Shutdown(ctx)
	}
	if pidfile != "" {
		log.log(levelNotice, "Removing the pid file.")
		_ = os.Remove(pidfile)
	}
	_ = srv.Shutdown(ctx)
	srv.RemoveUnixSocket()
	log.log(levelWarning, "Redis is now ready to exit, bye bye...")
	return status
}

// listenOptions turns bind, port, unixsocket, unixsocketperm and
// tcp-backlog into the server's listeners.
func listenOptions(cfg *serverConfig) netserver.Options {
	o := netserver.Options{}
	o.Port, _ = strconv.Atoi(cfg.params.Get("port"))
	o.TLSPort, _ = strconv.Atoi(cfg.params.Get("tls-port"))
	o.Bind = strings.Fields(cfg.params.Get("bind"))
	if o.Bind == nil {
		o.Bind = []string{}
	}
	o.UnixSocket = cfg.params.Get("unixsocket")
	if perm, err := strconv.ParseUint(cfg.params.Get("unixsocketperm"), 8, 32); err == nil {
		o.UnixSocketPerm = os.FileMode(perm)
	}
	o.Backlog, _ = strconv.Atoi(cfg.params.Get("tcp-backlog"))
	return o
}

// defaultBind is Redis 7.0's bind when none is given.
const defaultBind = "* -::*"

// applyListenConfig moves the TCP listeners for CONFIG SET port and bind,
// with Redis's words when the new sockets cannot be opened (the old ones
// stay). listen holds the current bind list and port.
func applyListenConfig(srv *netserver.Server, listen *netserver.Options, name, value string) error {
	switch name {
	case "port":
		port, _ := strconv.Atoi(value)
		if err := srv.Rebind(listen.Bind, port, false); err != nil {
			//lint:ignore ST1005 redis-server's own wording
			return errors.New("Unable to listen on this port. Check server logs.")
		}
		listen.Port = port
	case "bind":
		bind := strings.Fields(value)
		if bind == nil {
			bind = []string{}
		}
		if err := srv.Rebind(bind, listen.Port, true); err != nil {
			//lint:ignore ST1005 redis-server's own wording
			return errors.New("Failed to bind to specified addresses.")
		}
		listen.Bind = bind
	}
	return nil
}

// bindHost is the address of a bind entry for the HTTP side.
func bindHost(b string) string {
	b = strings.TrimPrefix(b, "-")
	switch b {
	case "*":
		return "0.0.0.0"
	case "::*":
		return "::"
	}
	return b
}

// rewriteConfigFile is CONFIG REWRITE's host side.
func rewriteConfigFile(path string, lines []engine.ConfigLine) error {
	rw := redisconf.Rewriter{Canonical: engine.NewConfigLoader().Canonical}
	out := make([]redisconf.Line, 0, len(lines)+2)
	for _, l := range lines {
		out = append(out, redisconf.Line{Option: l.Option, Line: l.Line, Force: l.Force})
	}
	out = append(out, redisconf.Line{Option: "loadmodule"})
	if err := rw.Rewrite(path, out); err != nil {
		return errors.New(strerror(err))
	}
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

// cpuProfilePath is where to write a CPU profile: --cpuprofile, else the
// GOREDIS_CPUPROFILE environment variable; "" for none.
func cpuProfilePath(cfg *serverConfig) string {
	if p := cfg.host["cpuprofile"]; p != "" {
		return p
	}
	return os.Getenv("GOREDIS_CPUPROFILE")
}

// wsOptions reads the WebSocket bridge's directives: ws-allowed-origins
// (space separated) and sandbox yes|no for a public tutorial server.
func wsOptions(cfg *serverConfig) netserver.WSOptions {
	o := netserver.WSOptions{AllowedOrigins: strings.Fields(cfg.host["ws-allowed-origins"])}
	if strings.EqualFold(cfg.host["sandbox"], "yes") {
		o.Sandbox = engine.DefaultSandbox()
		o.MaxConnsPerIP = 20
		o.IdleTimeout = 10 * time.Minute
	}
	return o
}
