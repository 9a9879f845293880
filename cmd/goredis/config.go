package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/redisconf"
)

// serverConfig is the configuration once read: the engine's parameters,
// the command renames, and the directives only the host knows.
type serverConfig struct {
	file    string // the config file's absolute path, "" for none
	stdin   string // configuration read from standard input
	params  *engine.ConfigLoader
	renames []engine.CommandRename
	// host holds GoRedis's own directives (http-port, http-tls,
	// ws-allowed-origins, sandbox, cpuprofile).
	host map[string]string
	// users are the "user" lines (name, then rules), applied after the
	// file as Redis applies user lines after its parameters.
	users [][]string
}

// get is a directive's value: a parameter's, else a host directive's.
func (c *serverConfig) get(name string) string {
	if c.params.Known(name) {
		return c.params.Get(name)
	}
	return c.host[name]
}

// hostDirectives are GoRedis's own directives.
var hostDirectives = map[string]bool{
	"http-port": true, "ws-allowed-origins": true, "sandbox": true, "cpuprofile": true,
	"http-tls": true,
}

// deprecatedDirectives are accepted and ignored by Redis 7.0 (with the
// argument count it accepts), so old files keep loading.
var deprecatedDirectives = map[string]bool{
	"list-max-ziplist-entries": true, "list-max-ziplist-value": true, "lua-replicate-commands": true,
}

// loadConfig reads the configuration as redis-server's loadServerConfig
// does: the file, then standard input when asked, then the command-line
// options, as one text applied line by line.
func loadConfig(cl redisconf.CommandLine, stdin io.Reader, log *serverLog) (*serverConfig, error) {
	c := &serverConfig{params: engine.NewConfigLoader(), host: map[string]string{}}
	table := engine.NewCommandTable()
	var text strings.Builder
	if cl.File != "" {
		abs, err := filepath.Abs(cl.File)
		if err != nil {
			abs = cl.File
		}
		c.file = abs
		data, err := redisconf.ReadFile(cl.File)
		if err != nil {
			return nil, err
		}
		text.WriteString(data)
	}
	if cl.Stdin {
		log.log(levelWarning, "Reading config from stdin")
		data, err := io.ReadAll(stdin)
		if err != nil {
			return nil, err
		}
		c.stdin = string(data)
		text.WriteString(c.stdin)
	}
	if cl.Options != "" {
		text.WriteString("\n")
		text.WriteString(cl.Options)
	}
	var apply func(d redisconf.Directive) error
	apply = func(d redisconf.Directive) error {
		return c.apply(d, table, apply)
	}
	if err := redisconf.Parse(text.String(), engine.Version, apply); err != nil {
		return nil, err
	}
	if f := c.params.Get("logfile"); f != "" {
		lf, err := os.OpenFile(f, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
		if err != nil {
			return nil, &redisconf.FatalError{Msg: "Can't open the log file: " + strerror(err), Version: engine.Version}
		}
		_ = lf.Close()
	}
	return c, nil
}

// apply applies one directive in file order.
func (c *serverConfig) apply(d redisconf.Directive, table *engine.CommandTable, recurse func(redisconf.Directive) error) error {
	argc := len(d.Args) + 1
	switch {
	case d.Name == "replicaof" || d.Name == "slaveof":
		master, err := replicaOf(d.Args)
		if err != nil {
			return err
		}
		c.params.Set("replicaof", master)
		return nil
	case c.params.Known(d.Name):
		if err := c.params.Apply(d.Name, d.Args); err != nil {
			return err
		}
		if d.Name == "dir" {
			if err := os.Chdir(d.Args[0]); err != nil {
				return errors.New(strerror(err))
			}
			if wd, err := os.Getwd(); err == nil {
				c.params.Set("dir", wd)
			}
		}
		return refusal(d.Name, c.params.Get(d.Name))
	case deprecatedDirectives[d.Name] && argc == 2:
		return nil
	case d.Name == "include" && argc == 2:
		data, err := redisconf.ReadFile(d.Args[0])
		if err != nil {
			return err
		}
		return redisconf.Parse(data, engine.Version, recurse)
	case d.Name == "rename-command" && argc == 3:
		if err := table.Rename(d.Args[0], d.Args[1]); err != nil {
			return err
		}
		c.renames = append(c.renames, engine.CommandRename{From: d.Args[0], To: d.Args[1]})
		return nil
	case d.Name == "user" && argc >= 2:
		return c.userLine(d.Args)
	case d.Name == "loadmodule" && argc >= 2:
		return errors.New("GoRedis does not load Redis modules (loadmodule): modules are native code built for redis-server")
	case strings.Contains(d.Name, "."):
		if argc < 2 {
			//lint:ignore ST1005 redis-server's own wording
			return errors.New("Module config specified without value")
		}
		//lint:ignore ST1005 redis-server's own wording
		return errors.New("Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting")
	case d.Name == "sentinel":
		if argc == 1 {
			return errors.New("GoRedis does not implement Redis Sentinel")
		}
		return errors.New("sentinel directive while not in sentinel mode")
	case hostDirectives[d.Name] && argc == 2:
		c.host[d.Name] = d.Args[0]
		return nil
	}
	//lint:ignore ST1005 redis-server's own wording
	return errors.New("Bad directive or wrong number of arguments")
}

// replicaOf checks a replicaof line as Redis's setConfigReplicaOfOption
// does and returns the master as "host port" ("" for "no one").
func replicaOf(args []string) (string, error) {
	if len(args) == 1 && args[0] != "" {
		// One argument holding both words, as the command line gives them.
		args = strings.Fields(args[0])
	}
	if len(args) != 2 {
		return "", errors.New("wrong number of arguments")
	}
	if strings.EqualFold(args[0], "no") && strings.EqualFold(args[1], "one") {
		return "", nil
	}
	port, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil || port < 0 || port > 65535 {
		//lint:ignore ST1005 redis-server's own wording
		return "", errors.New("Invalid master port")
	}
	return args[0] + " " + strconv.FormatInt(port, 10), nil
}

// userLine checks a "user <name> <rules...>" line as Redis's
// ACLAppendUserForLoading does while it reads the file; the engine
// applies the lines once it is built (engine.LoadACL).
func (c *serverConfig) userLine(args []string) error {
	argv := append([]string{"user"}, args...)
	bad, err := engine.ValidateACLUser(args)
	for _, u := range c.users {
		if u[0] == args[0] {
			//lint:ignore ST1005 redis-server's own wording
			bad, err = 1, errors.New("Duplicate user found. A user can only be defined once in config files")
		}
	}
	if err == nil {
		c.users = append(c.users, args)
		return nil
	}
	//lint:ignore ST1005 redis-server's own wording
	return fmt.Errorf("Error in user declaration '%s': %s", argv[bad], err.Error())
}

// refusal says why GoRedis refuses a parameter's value: the feature behind
// it does not exist here, and starting as if it did would be worse than
// not starting (README, "Replacing redis-server").
func refusal(name, value string) error {
	why := ""
	switch name {
	case "oom-score-adj":
		if value != "no" {
			why = "GoRedis does not adjust its OOM score (oom-score-adj must be no)"
		}
	case "server_cpulist", "bio_cpulist", "aof_rewrite_cpulist", "bgsave_cpulist":
		if value != "" {
			why = "GoRedis does not pin threads to CPUs (" + name + ")"
		}
	case "socket-mark-id":
		if value != "0" {
			why = "GoRedis does not mark its sockets (socket-mark-id must be 0)"
		}
	}
	if why == "" {
		return nil
	}
	return errors.New(why)
}

// strerror spells an error as C's strerror does.
func strerror(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	msg := err.Error()
	if msg == "" {
		return msg
	}
	return strings.ToUpper(msg[:1]) + msg[1:]
}
