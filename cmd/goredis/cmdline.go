package main

import (
	"fmt"
	"hash/fnv"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/goredis-dev/goredis/engine"
)

// earlyExit handles the arguments redis-server answers before reading any
// configuration: -v/--version, -h/--help, --test-memory and
// --check-system. It returns the exit status and true when it handled one.
func earlyExit(argv []string, stdout, stderr io.Writer) (int, bool) {
	if len(argv) == 0 {
		return 0, false
	}
	switch argv[0] {
	case "-v", "--version":
		fmt.Fprintln(stdout, versionLine())
		return 0, true
	case "-h", "--help":
		io.WriteString(stderr, usage)
		return 1, true
	case "--test-memory":
		if len(argv) != 2 {
			fmt.Fprint(stderr, "Please specify the amount of memory to test in megabytes.\n")
			fmt.Fprint(stderr, "Example: ./redis-server --test-memory 4096\n\n")
			return 1, true
		}
		fmt.Fprint(stderr, "GoRedis does not include redis-server's memory tester: use memtester or memtest86+ to test memory.\n")
		return 1, true
	case "--check-system":
		fmt.Fprint(stderr, "GoRedis does not include redis-server's system checks (--check-system).\n")
		return 1, true
	}
	return 0, false
}

// usage is redis-server's, naming goredis.
const usage = `Usage: ./goredis [/path/to/redis.conf] [options] [-]
       ./goredis - (read config from stdin)
       ./goredis -v or --version
       ./goredis -h or --help
       ./goredis --test-memory <megabytes> (not supported by GoRedis)
       ./goredis --check-system (not supported by GoRedis)

Examples:
       ./goredis (run the server with default conf)
       echo 'maxmemory 128mb' | ./goredis -
       ./goredis /etc/redis/6379.conf
       ./goredis --port 7777
       ./goredis /etc/myredis.conf --loglevel verbose -
       ./goredis /etc/myredis.conf --loglevel verbose

GoRedis extensions:
       --http-port <port> (playground and WebSocket bridge; none unless given)
       --http-tls yes|no (https:// and wss:// with tls-cert-file and tls-key-file)
       --ws-allowed-origins "<origin> ..." --sandbox yes|no
       --cpuprofile <file>
`

// versionLine is redis-server -v's line in the same shape, so scripts that
// take v= (the Redis version whose behaviour GoRedis follows) keep
// working: "GoRedis server v=7.0.15 sha=abcdef12:0 malloc=go1.26.0
// bits=64 build=... goredis=0.1.0".
func versionLine() string {
	sha, dirty := buildRevision()
	return fmt.Sprintf("GoRedis server v=%s sha=%s:%d malloc=%s bits=%d build=%x goredis=%s",
		engine.Version, sha, dirty, runtime.Version(), 32<<(^uint(0)>>63), buildID(), engine.GoRedisVersion)
}

// buildRevision is the commit the binary was built from, as Redis's
// redisGitSHA1 gives it (eight hex digits, zeros when unknown), and
// whether the tree had changes.
func buildRevision() (string, int) {
	sha, dirty := "00000000", 0
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if len(s.Value) >= 8 {
					sha = s.Value[:8]
				}
			case "vcs.modified":
				if s.Value == "true" {
					dirty = 1
				}
			}
		}
	}
	return sha, dirty
}

// buildID identifies the build as redisBuildId does: a hash of what
// went into it (here the Go version, module versions and build settings).
func buildID() uint64 {
	h := fnv.New64a()
	if bi, ok := debug.ReadBuildInfo(); ok {
		io.WriteString(h, bi.GoVersion)
		for _, d := range bi.Deps {
			io.WriteString(h, d.Path+"@"+d.Version)
		}
		for _, s := range bi.Settings {
			io.WriteString(h, s.Key+"="+s.Value)
		}
	}
	return h.Sum64()
}

// asciiLogo is Redis's start-up logo (asciilogo.h), shown with
// always-show-logo yes or on a terminal. The Tcl test suite waits for its
// "PID: n" line.
func asciiLogo(port, pid int) string {
	sha, dirty := buildRevision()
	return fmt.Sprintf(strings.Join([]string{
		"                _._                                                  ",
		"           _.-``__ ''-._                                             ",
		"      _.-``    `.  `_.  ''-._           GoRedis %s (Redis %s) (%s/%d) %d bit",
		"  .-`` .-```.  ```\\/    _.,_ ''-._                                  ",
		" (    '      ,       .-`  | `,    )     Running in standalone mode",
		" |`-._`-...-` __...-.``-._|'` _.-'|     Port: %d",
		" |    `-._   `._    /     _.-'    |     PID: %d",
		"  `-._    `-._  `-./  _.-'    _.-'                                   ",
		" |`-._`-._    `-.__.-'    _.-'_.-'|                                  ",
		" |    `-._`-._        _.-'_.-'    |           https://redis.io       ",
		"  `-._    `-._`-.__.-'_.-'    _.-'                                   ",
		" |`-._`-._    `-.__.-'    _.-'_.-'|                                  ",
		" |    `-._`-._        _.-'_.-'    |                                  ",
		"  `-._    `-._`-.__.-'_.-'    _.-'                                   ",
		"      `-._    `-.__.-'    _.-'                                       ",
		"          `-._        _.-'                                           ",
		"              `-.__.-'                                               ",
		"", "",
	}, "\n"), engine.GoRedisVersion, engine.Version, sha, dirty, 32<<(^uint(0)>>63), port, pid)
}
