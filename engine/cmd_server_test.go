package engine

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func debugEngine(t *testing.T) (*Engine, *fakeClock) {
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	return New(Options{Now: clk.Now, Config: map[string]string{"enable-debug-command": "yes"}}), clk
}

func TestServerErrors(t *testing.T) {
	runSteps(t, []step{
		{cmd: "SWAPDB a 1", want: errReply("ERR invalid first DB index")},
		{cmd: "SWAPDB 0 b", want: errReply("ERR invalid second DB index")},
		{cmd: "SWAPDB 0 16", want: errReply("ERR DB index is out of range")},
		{cmd: "SWAPDB -1 0", want: errReply("ERR DB index is out of range")},
		{cmd: "SWAPDB 0", want: errReply("ERR wrong number of arguments for 'swapdb' command")},
		{cmd: "CONFIG", want: errReply("ERR wrong number of arguments for 'config' command")},
		{cmd: "CONFIG GET", want: errReply("ERR wrong number of arguments for 'config|get' command")},
		{cmd: "CONFIG SET hz", want: errReply("ERR wrong number of arguments for 'config|set' command")},
		{cmd: "CONFIG foo", want: errReply("ERR unknown subcommand 'foo'. Try CONFIG HELP.")},
		{cmd: "CONFIG REWRITE", want: errReply("ERR The server is running without a config file")},
		{cmd: "DEBUG SLEEP 0", want: errReply(`ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.`)},
		{cmd: "SHUTDOWN foo", want: errReply("ERR syntax error")},
		{cmd: "SHUTDOWN SAVE NOSAVE", want: errReply("ERR syntax error")},
		{cmd: "SHUTDOWN ABORT NOW", want: errReply("ERR syntax error")},
		{cmd: "SHUTDOWN ABORT", want: errReply("ERR No shutdown in progress.")},
		{cmd: "SHUTDOWN", want: errReply("ERR Errors trying to SHUTDOWN. Check logs.")},
		{cmd: "SAVE", want: errReply(errNoPersistence)},
		{cmd: "BGSAVE", want: errReply(errNoPersistence)},
		{cmd: "BGSAVE foo", want: errReply("ERR syntax error")},
		{cmd: "FUNCTION FLUSH foo", want: errReply("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")},
		{cmd: "FUNCTION DELETE lib", want: errReply("ERR Library not found")},
		{cmd: "FUNCTION LIST foo", want: errReply("ERR Unknown argument foo")},
		{cmd: "SCRIPT FLUSH foo", want: errReply("ERR SCRIPT FLUSH only support SYNC|ASYNC option")},
		{cmd: "SLOWLOG GET abc", want: errReply("ERR count should be greater than or equal to -1")},
		{cmd: "SLOWLOG GET -2", want: errReply("ERR count should be greater than or equal to -1")},
		{cmd: "SLOWLOG foo", want: errReply("ERR unknown subcommand 'foo'. Try SLOWLOG HELP.")},
		{cmd: "COMMAND foo", want: errReply("ERR unknown subcommand 'foo'. Try COMMAND HELP.")},
		{cmd: "COMMAND COUNT x", want: errReply("ERR wrong number of arguments for 'command|count' command")},
		{cmd: "COMMAND LIST foo", want: errReply("ERR syntax error")},
		{cmd: "COMMAND LIST FILTERBY nothing x", want: errReply("ERR syntax error")},
		{cmd: "COMMAND GETKEYS nosuch a", want: errReply("ERR Invalid command specified")},
		{cmd: "COMMAND GETKEYS get a b", want: errReply("ERR Invalid number of arguments specified for command")},
		{cmd: "COMMAND GETKEYS ping x", want: errReply("ERR The command has no key arguments")},
	})
}

func TestServerSimple(t *testing.T) {
	runSteps(t, []step{
		{cmd: "TIME", want: bulks("1700000000", "0")},
		{cmd: "LASTSAVE", want: integer(1700000000)},
		{cmd: "ROLE", want: "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n"},
		{cmd: "FUNCTION LIST", want: "*0\r\n"},
		{cmd: "FUNCTION LIST WITHCODE LIBRARYNAME x", want: "*0\r\n"},
		{cmd: "FUNCTION FLUSH", want: ok},
		{cmd: "FUNCTION FLUSH async", want: ok},
		{cmd: "FUNCTION STATS", want: "*4\r\n$14\r\nrunning_script\r\n$-1\r\n$7\r\nengines\r\n*2\r\n$3\r\nLUA\r\n*4\r\n$15\r\nlibraries_count\r\n:0\r\n$15\r\nfunctions_count\r\n:0\r\n"},
		{cmd: "FUNCTION DUMP", want: bulk("\n\x00]\x9b\\@\x0f\x7f\xa2\xda")},
		{cmd: "SCRIPT EXISTS a b", want: "*2\r\n:0\r\n:0\r\n"},
		{cmd: "SCRIPT FLUSH", want: ok},
		{cmd: "SCRIPT FLUSH SYNC", want: ok},
		{cmd: "SLOWLOG LEN", want: integer(0)},
		{cmd: "SLOWLOG GET", want: "*0\r\n"},
		{cmd: "SLOWLOG RESET", want: ok},
		{cmd: "LATENCY LATEST", want: "*0\r\n"},
		{cmd: "LATENCY HISTORY command", want: "*0\r\n"},
		{cmd: "LATENCY RESET", want: integer(0)},
	})
}

func TestSwapDB(t *testing.T) {
	e, _ := testEngine(t)
	a := newClient(t, e)
	w := newClient(t, e)
	require.Equal(t, ok, a.line("SET k v"))
	require.Equal(t, ok, w.line("SELECT 1"))
	require.Equal(t, ok, w.line("WATCH k"))
	require.Equal(t, ok, w.line("MULTI"))
	assert.Equal(t, ok, a.line("SWAPDB 0 1"))
	assert.Equal(t, integer(0), a.line("DBSIZE"))
	assert.Equal(t, nilBulk, a.line("GET k"))
	assert.Equal(t, ok, a.line("SELECT 1"))
	assert.Equal(t, bulk("v"), a.line("GET k"))
	// The watcher in db 1 now sees k appear: its transaction fails.
	assert.Equal(t, "+QUEUED\r\n", w.line("GET k"))
	assert.Equal(t, nilArr, w.line("EXEC"))
	assert.Equal(t, ok, a.line("SWAPDB 1 1"))
	assert.Equal(t, integer(1), a.line("DBSIZE"))
}

func TestConfigGetSet(t *testing.T) {
	runSteps(t, []step{
		{cmd: "CONFIG GET hz", want: bulks("hz", "10")},
		{cmd: "CONFIG GET HZ", want: bulks("HZ", "10")},
		{cmd: "CONFIG GET hz hz HZ", want: bulks("hz", "10")},
		{cmd: "CONFIG GET nothing*", want: "*0\r\n"},
		{cmd: "CONFIG GET nosuch", want: "*0\r\n"},
		{cmd: "CONFIG GET slave-priority", want: bulks("slave-priority", "100")},
		{cmd: "CONFIG GET hash-max-*-entries", want: bulks("hash-max-listpack-entries", "512", "hash-max-ziplist-entries", "512")},
		{cmd: "CONFIG GET maxmemory-policy hz", want: bulks("maxmemory-policy", "noeviction", "hz", "10")},
		{cmd: "CONFIG SET hz abc", want: errReply("ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer")},
		{cmd: "CONFIG SET HZ 11", want: ok},
		{cmd: "CONFIG GET hz", want: bulks("hz", "11")},
		{cmd: "CONFIG SET hz 5 maxmemory 10 hz 7", want: errReply("ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter")},
		{cmd: "CONFIG SET hz 5 nope 1", want: errReply("ERR Unknown option or number of arguments for CONFIG SET - 'nope'")},
		{cmd: "CONFIG SET hz 5 maxmemory", want: errReply("ERR syntax error")},
		// All or nothing: hz is rolled back when maxmemory is refused.
		{cmd: "CONFIG SET hz 12 maxmemory abc", want: errReply("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value")},
		{cmd: "CONFIG GET hz", want: bulks("hz", "11")},
		{cmd: "CONFIG SET maxmemory 1kb hz 10", want: ok},
		{cmd: "CONFIG GET maxmemory", want: bulks("maxmemory", "1024")},
		{cmd: "CONFIG SET maxmemory 2MB", want: ok},
		{cmd: "CONFIG GET maxmemory", want: bulks("maxmemory", "2097152")},
		{cmd: "CONFIG SET port 99999", want: errReply("ERR CONFIG SET failed (possibly related to argument 'port') - argument must be between 0 and 65535 inclusive")},
		{cmd: "CONFIG SET daemonize no", want: errReply("ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config")},
		{cmd: "CONFIG SET databases 3", want: errReply("ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config")},
		{cmd: "CONFIG SET dir /tmp", want: errReply("ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config")},
		{cmd: "CONFIG SET maxmemory-policy foo", want: errReply("ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction")},
		{cmd: "CONFIG SET appendfsync ALWAYS", want: ok},
		{cmd: "CONFIG GET appendfsync", want: bulks("appendfsync", "always")},
		{cmd: "CONFIG SET activedefrag maybe", want: errReply("ERR CONFIG SET failed (possibly related to argument 'activedefrag') - argument must be 'yes' or 'no'")},
		{cmd: "CONFIG SET activedefrag YES", want: ok},
		{cmd: "CONFIG GET activedefrag", want: bulks("activedefrag", "yes")},
		{cmd: "CONFIG SET proto-max-bulk-len 1", want: errReply("ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive")},
		{cmd: "CONFIG SET save 10", want: errReply("ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters")},
		{args: []string{"CONFIG", "SET", "save", "10 1 20 2"}, want: ok},
		{cmd: "CONFIG GET save", want: bulks("save", "10 1 20 2")},
		{args: []string{"CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 2kb 3"}, want: ok},
		{cmd: "CONFIG GET client-output-buffer-limit", want: bulks("client-output-buffer-limit", "normal 1048576 2048 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60")},
		{args: []string{"CONFIG", "SET", "client-output-buffer-limit", "foo 1 2 3"}, want: errReply("ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Invalid client class specified in buffer limit configuration.")},
		{args: []string{"CONFIG", "SET", "client-output-buffer-limit", "normal 1 2"}, want: errReply("ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration.")},
		{cmd: "CONFIG SET maxmemory-clients 101%", want: errReply("ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100")},
		{cmd: "CONFIG SET maxmemory-clients 5%", want: ok},
		{cmd: "CONFIG GET maxmemory-clients", want: bulks("maxmemory-clients", "5%")},
		{cmd: "CONFIG SET notify-keyspace-events KEA", want: ok},
		{cmd: "CONFIG GET notify-keyspace-events", want: bulks("notify-keyspace-events", "AKE")},
		{cmd: "CONFIG SET notify-keyspace-events 9", want: errReply("ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")},
		{cmd: "CONFIG SET loglevel WARNING", want: ok},
		{cmd: "CONFIG GET loglevel", want: bulks("loglevel", "warning")},
		{cmd: "CONFIG SET lua-time-limit 10 busy-reply-threshold 20", want: ok},
		{cmd: "CONFIG GET lua-time-limit", want: bulks("lua-time-limit", "20")},
		{cmd: "CONFIG RESETSTAT", want: ok},
	})
}

func TestConfigGetResp3(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	c.do("HELLO", "3")
	assert.Equal(t, "%2\r\n"+bulk("maxmemory")+bulk("0")+bulk("hz")+bulk("10"), c.line("CONFIG GET maxmemory hz"))
	assert.Equal(t, "%0\r\n", c.line("CONFIG GET nothing"))
}

// TestConfigParamsComplete checks that CONFIG GET * lists every parameter
// redis-server 7.0 lists (aliases included).
func TestConfigParamsComplete(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	out := c.line("CONFIG GET *")
	require.True(t, strings.HasPrefix(out, "*384\r\n"), out[:10])
	for _, name := range []string{"bind", "save", "appendonly", "replica-read-only", "slave-read-only", "tls-port", "oom-score-adj-values", "latency-tracking-info-percentiles", "maxmemory-clients", "shutdown-on-sigterm"} {
		assert.Contains(t, out, bulk(name))
	}
}

func TestInfo(t *testing.T) {
	e, clk := testEngine(t)
	c := newClient(t, e)
	assert.Equal(t, bulk("# Keyspace\r\n"), c.line("INFO keyspace"))
	assert.Equal(t, bulk(""), c.line("INFO nosuchsection"))
	require.Equal(t, ok, c.line("SET a 1"))
	require.Equal(t, ok, c.line("SET b 1 PX 10000"))
	require.Equal(t, ok, c.line("SET c 1 PX 20000"))
	assert.Equal(t, bulk("# Keyspace\r\ndb0:keys=3,expires=2,avg_ttl=15000\r\n"), c.line("INFO keyspace"))
	assert.Equal(t, nilBulk, c.line("GET nope"))
	assert.Equal(t, bulk("1"), c.line("GET a"))
	clk.Advance(11 * time.Second)
	assert.Equal(t, nilBulk, c.line("GET b"))
	c.line("NOSUCHCMD")
	c.line("GET a b")

	info := c.line("INFO")
	for _, want := range []string{
		"# Server\r\nredis_version:" + Version + "\r\ngoredis_version:" + GoRedisVersion + "\r\n",
		"\r\n\r\n# Clients\r\nconnected_clients:1\r\n",
		"\r\n# Memory\r\nused_memory:",
		"\r\n# Persistence\r\nloading:0\r\n",
		"rdb_last_save_time:1700000000\r\n",
		"\r\n# Stats\r\ntotal_connections_received:1\r\n",
		"expired_keys:1\r\n",
		"keyspace_hits:1\r\n",
		"total_error_replies:2\r\n",
		"\r\n# Replication\r\nrole:master\r\n",
		"\r\n# Modules\r\n\r\n# Errorstats\r\nerrorstat_ERR:count=2\r\n",
		"\r\n# Cluster\r\ncluster_enabled:0\r\n",
		"\r\n# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=9000\r\n",
		"uptime_in_seconds:11\r\n",
	} {
		assert.Contains(t, info, want)
	}
	assert.NotContains(t, info, "# Commandstats")
	stats := c.line("INFO commandstats")
	assert.Regexp(t, `^\$\d+\r\n# Commandstats\r\n`, stats)
	assert.Regexp(t, `cmdstat_get:calls=3,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=1,failed_calls=0\r\n`, stats)
	assert.Regexp(t, `cmdstat_set:calls=3,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0\r\n`, stats)
	all := c.line("INFO all")
	assert.Contains(t, all, "# Commandstats\r\n")
	assert.Contains(t, all, "# Modules\r\n")
	assert.Contains(t, c.line("INFO everything"), "# Modules\r\n")
	two := c.line("INFO cluster CLUSTER errorstats")
	assert.Equal(t, bulk("# Errorstats\r\nerrorstat_ERR:count=2\r\n\r\n# Cluster\r\ncluster_enabled:0\r\n"), two)

	assert.Equal(t, ok, c.line("CONFIG RESETSTAT"))
	assert.Equal(t, bulk("# Errorstats\r\n"), c.line("INFO errorstats"))
	assert.Contains(t, c.line("INFO stats"), "total_commands_processed:2\r\n")

	c.do("HELLO", "3")
	assert.Equal(t, verbatim("# Cluster\r\ncluster_enabled:0\r\n"), c.line("INFO cluster"))
}

func TestInfoErrorCodes(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	require.Equal(t, ok, c.line("HSET"[:0]+"SET k v"))
	c.line("SELECT 99")
	c.line("AUTH x")
	c.line("HELLO 9")
	assert.Equal(t, bulk("# Errorstats\r\nerrorstat_ERR:count=2\r\nerrorstat_NOPROTO:count=1\r\n"), c.line("INFO errorstats"))
}

func TestCommandInfo(t *testing.T) {
	dbsize2 := "*10\r\n$6\r\ndbsize\r\n:1\r\n*2\r\n+readonly\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@keyspace\r\n+@read\r\n+@fast\r\n*2\r\n$25\r\nrequest_policy:all_shards\r\n$23\r\nresponse_policy:agg_sum\r\n*0\r\n*0\r\n"
	dbsize3 := "*10\r\n$6\r\ndbsize\r\n:1\r\n~2\r\n+readonly\r\n+fast\r\n:0\r\n:0\r\n:0\r\n~3\r\n+@keyspace\r\n+@read\r\n+@fast\r\n~2\r\n$25\r\nrequest_policy:all_shards\r\n$23\r\nresponse_policy:agg_sum\r\n~0\r\n~0\r\n"
	get3 := "*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@read\r\n+@string\r\n+@fast\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n"
	cfgget := "*10\r\n$10\r\nconfig|get\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n"
	e, _ := testEngine(t)
	c := newClient(t, e)
	assert.Equal(t, "*3\r\n"+dbsize2+nilBulk+cfgget, c.line("COMMAND INFO dbsize nosuch CONFIG|GET"))
	c.do("HELLO", "3")
	assert.Equal(t, "*3\r\n"+dbsize3+get3+"_\r\n", c.line("COMMAND INFO dbsize get nosuch"))
	// A container lists its subcommands in an array.
	out := c.line("COMMAND INFO slowlog")
	assert.True(t, strings.HasPrefix(out, "*1\r\n*10\r\n$7\r\nslowlog\r\n:-2\r\n~0\r\n:0\r\n:0\r\n:0\r\n~1\r\n+@slow\r\n~0\r\n~0\r\n*4\r\n*10\r\n$11\r\nslowlog|get\r\n"), out)

	count := c.line("COMMAND COUNT")
	assert.Equal(t, integer(int64(len(e.commands))), count)
	all := c.line("COMMAND")
	assert.True(t, strings.HasPrefix(all, "*"+itoa(int64(len(e.commands)))+"\r\n"))
}

func TestCommandDocs(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	sum := commandSummary("dbsize")
	docs := "$6\r\ndbsize\r\n*8\r\n$7\r\nsummary\r\n" + bulk(sum) + "$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n"
	assert.Equal(t, "*2\r\n"+docs, c.line("COMMAND DOCS dbsize nosuch"))
	assert.Equal(t, "*0\r\n", c.line("COMMAND DOCS nosuch"))
	c.do("HELLO", "3")
	get := "%1\r\n$3\r\nget\r\n%5\r\n$7\r\nsummary\r\n" + bulk(commandSummary("get")) + "$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n"
	assert.Equal(t, get, c.line("COMMAND DOCS get"))
	// Flags of arguments and nested arguments.
	out := c.line("COMMAND DOCS client|kill")
	assert.Contains(t, out, "$5\r\ntoken\r\n$2\r\nID\r\n$5\r\nsince\r\n$6\r\n2.8.12\r\n$5\r\nflags\r\n~1\r\n+optional\r\n")
	// A container documents its subcommands.
	out = c.line("COMMAND DOCS config")
	assert.Contains(t, out, "$11\r\nsubcommands\r\n%5\r\n$10\r\nconfig|get\r\n")
	out = c.line("COMMAND DOCS")
	assert.True(t, strings.HasPrefix(out, "%"+itoa(int64(len(e.commands)))+"\r\n"))
}

func TestCommandListAndKeys(t *testing.T) {
	runSteps(t, []step{
		{cmd: "COMMAND LIST FILTERBY pattern config|g*", want: bulks("config|get")},
		{cmd: "COMMAND LIST FILTERBY PATTERN sl*", want: bulks("slaveof", "slowlog", "slowlog|get", "slowlog|help", "slowlog|len", "slowlog|reset")},
		{cmd: "COMMAND LIST FILTERBY module x", want: "*0\r\n"},
		{cmd: "COMMAND LIST FILTERBY aclcat nosuch", want: "*0\r\n"},
		{cmd: "COMMAND LIST FILTERBY aclcat transaction", want: bulks("discard", "exec", "multi", "unwatch", "watch")},
		{cmd: "COMMAND GETKEYS set a b", want: bulks("a")},
		{cmd: "COMMAND GETKEYS del a b c", want: bulks("a", "b", "c")},
		{cmd: "COMMAND GETKEYSANDFLAGS set k v", want: "*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+OW\r\n+update\r\n"},
		// SET and BITFIELD: the command's own key finder, as redis-server 7.0
		{cmd: "COMMAND GETKEYSANDFLAGS set k v GET", want: "*1\r\n*2\r\n$1\r\nk\r\n*3\r\n+RW\r\n+access\r\n+update\r\n"},
		{cmd: "COMMAND GETKEYSANDFLAGS set k v", want: "*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+OW\r\n+update\r\n"},
		{cmd: "COMMAND GETKEYSANDFLAGS bitfield k GET u8 0", want: "*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+RO\r\n+access\r\n"},
		{cmd: "COMMAND GETKEYSANDFLAGS bitfield k GET u8 0 INCRBY u8 0 1", want: "*1\r\n*2\r\n$1\r\nk\r\n*3\r\n+RW\r\n+access\r\n+update\r\n"},
		{cmd: "COMMAND GETKEYSANDFLAGS sort s STORE d", want: "*2\r\n*2\r\n$1\r\ns\r\n*2\r\n+RO\r\n+access\r\n*2\r\n$1\r\nd\r\n*2\r\n+OW\r\n+update\r\n"},
		{args: []string{"COMMAND", "GETKEYS", "migrate", "h", "1", "", "0", "5000", "KEYS", "a", "b"}, want: "*2\r\n$1\r\na\r\n$1\r\nb\r\n"},
		{cmd: "COMMAND GETKEYSANDFLAGS del a b", want: "*2\r\n*2\r\n$1\r\na\r\n*2\r\n+RM\r\n+delete\r\n*2\r\n$1\r\nb\r\n*2\r\n+RM\r\n+delete\r\n"},
	})
}

func TestKeysUsingSpecs(t *testing.T) {
	args := func(s string) [][]byte {
		var out [][]byte
		for _, f := range strings.Fields(s) {
			out = append(out, []byte(f))
		}
		return out
	}
	byName := map[string]*CommandSpec{}
	for _, sp := range commandSpecs() {
		byName[sp.Name] = sp
	}
	keys := func(name, line string) []string {
		c := &Command{CommandSpec: byName[name]}
		argv := args(line)
		var out []string
		refs, valid := keysUsingSpecs(c, argv, nil)
		if !valid {
			return []string{"invalid"}
		}
		for _, k := range refs {
			out = append(out, string(argv[k.pos]))
		}
		return out
	}
	assert.Equal(t, []string{"d", "a", "b"}, keys("zunionstore", "zunionstore d 2 a b WEIGHTS 1 2"))
	assert.Equal(t, []string{"a", "b"}, keys("lmpop", "lmpop 2 a b LEFT"))
	assert.Equal(t, []string{"a", "c"}, keys("mset", "mset a 1 c 2"))
	assert.Equal(t, []string{"a", "b"}, keys("blpop", "blpop a b 0"))
	assert.Equal(t, []string{"src", "dst"}, keys("georadius", "georadius src 1 2 3 km STORE dst"))
	assert.Equal(t, []string{"invalid"}, keys("lmpop", "lmpop 5 a LEFT"))
	assert.Equal(t, []string{"invalid"}, keys("lmpop", "lmpop 0 a LEFT")) // last < first
	assert.Equal(t, []string{"invalid"}, keys("lmpop", "lmpop x a LEFT"))
	assert.Equal(t, []string{"invalid"}, keys("lmpop", "lmpop -1 a LEFT"))
	assert.Equal(t, []string{"k", "k2"}, keys("xread", "xread COUNT 2 STREAMS k k2 0 0"))
	assert.Equal(t, []string{"d", "s1", "s2"}, keys("zinterstore", "zinterstore d 2 s1 s2"))
}

func TestDebug(t *testing.T) {
	e, _ := debugEngine(t)
	c := newClient(t, e)
	assert.Equal(t, ok, c.line("DEBUG SLEEP 0"))
	assert.Equal(t, ok, c.line("DEBUG SLEEP abc"))
	start := time.Now()
	assert.Equal(t, ok, c.line("DEBUG SLEEP 0.02"))
	assert.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond)
	assert.Equal(t, ok, c.line("DEBUG SET-ACTIVE-EXPIRE 0"))
	assert.False(t, e.activeExpire)
	assert.Equal(t, ok, c.line("DEBUG set-active-expire 1"))
	assert.True(t, e.activeExpire)
	assert.Equal(t, errReply("ERR no such key"), c.line("DEBUG OBJECT nope"))
	assert.Equal(t, errReply("ERR unknown subcommand or wrong number of arguments for 'foo'. Try DEBUG HELP."), c.line("DEBUG foo"))
	assert.Equal(t, errReply("ERR unknown subcommand or wrong number of arguments for 'object'. Try DEBUG HELP."), c.line("DEBUG object"))
	require.Equal(t, ok, c.line("SET n 12"))
	require.Equal(t, ok, c.line("SET s bar"))
	assert.Regexp(t, `^\+Value at:0x[0-9a-f]+ refcount:2147483647 encoding:int serializedlength:2 lru:0 lru_seconds_idle:0\r\n$`, c.line("DEBUG OBJECT n"))
	assert.Regexp(t, `^\+Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:4 lru:0 lru_seconds_idle:0\r\n$`, c.line("DEBUG OBJECT s"))
	assert.True(t, strings.HasPrefix(c.line("DEBUG HELP"), "*"))
	before := e.srv.replID
	assert.Equal(t, ok, c.line("DEBUG CHANGE-REPL-ID"))
	assert.NotEqual(t, before, e.srv.replID)
	assert.Len(t, e.srv.replID, 40)
}

func TestShutdown(t *testing.T) {
	called := 0
	e := New(Options{Shutdown: func() { called++ }})
	c := newClient(t, e)
	assert.Equal(t, errReply("ERR Errors trying to SHUTDOWN. Check logs."), c.line("SHUTDOWN SAVE"))
	assert.Equal(t, 0, called)
	assert.Equal(t, "", c.line("SHUTDOWN NOSAVE NOW FORCE"))
	assert.Equal(t, 1, called)
	assert.True(t, e.ShutdownRequested())
	assert.True(t, c.s.ShouldClose())
}

func TestSlowlog(t *testing.T) {
	e, _ := debugEngine(t)
	c := newClient(t, e)
	require.Equal(t, ok, c.line("CONFIG SET slowlog-log-slower-than 0"))
	require.Equal(t, ok, c.line("CLIENT SETNAME me"))
	long := strings.Repeat("x", 130)
	c.do("ECHO", long)
	argv := []string{"DEL"}
	for i := 0; i < 40; i++ {
		argv = append(argv, "k")
	}
	c.do(argv...)
	got := c.line("SLOWLOG GET 2")
	entry := func(id int, args string) string {
		return `\*6\r\n:` + itoa(int64(id)) + `\r\n:1700000000\r\n:\d+\r\n` + args + `\$15\r\n127\.0\.0\.1:50000\r\n\$2\r\nme\r\n`
	}
	del := `\*32\r\n\$3\r\nDEL\r\n(\$1\r\nk\r\n){30}\$23\r\n\.\.\. \(10 more arguments\)\r\n`
	echo := `\*2\r\n\$4\r\nECHO\r\n\$146\r\n` + strings.Repeat("x", 128) + `\.\.\. \(2 more bytes\)\r\n`
	assert.Regexp(t, `^\*2\r\n`+entry(3, del)+entry(2, echo)+`$`, got)
	assert.Equal(t, integer(5), c.line("SLOWLOG LEN"))
	assert.Equal(t, ok, c.line("SLOWLOG RESET"))
	assert.Equal(t, integer(1), c.line("SLOWLOG LEN")) // the RESET itself
	require.Equal(t, ok, c.line("CONFIG SET slowlog-max-len 2"))
	c.line("PING")
	c.line("PING")
	assert.Equal(t, integer(2), c.line("SLOWLOG LEN"))
	assert.True(t, strings.HasPrefix(c.line("SLOWLOG GET -1"), "*2\r\n"))
}

func TestLatencyMonitor(t *testing.T) {
	e, _ := debugEngine(t)
	c := newClient(t, e)
	require.Equal(t, ok, c.line("CONFIG SET latency-monitor-threshold 1"))
	require.Equal(t, ok, c.line("DEBUG SLEEP 0.005"))
	assert.Regexp(t, `^\*1\r\n\*4\r\n\$7\r\ncommand\r\n:1700000000\r\n:\d+\r\n:\d+\r\n$`, c.line("LATENCY LATEST"))
	assert.Regexp(t, `^\*1\r\n\*2\r\n:1700000000\r\n:\d+\r\n$`, c.line("LATENCY HISTORY command"))
	assert.Equal(t, integer(1), c.line("LATENCY RESET command nosuch"))
	assert.Equal(t, "*0\r\n", c.line("LATENCY LATEST"))
}

// TestSummaries checks that every command of the families GoRedis covers
// has a summary of its own, and every command in the table has one.
func TestSummaries(t *testing.T) {
	// shared/ sits beside the repository (in CI too); without it only the
	// table's own commands are checked.
	raw, err := os.ReadFile("../../shared/redis-spec/commands.json")
	if err == nil {
		var cmds map[string]struct {
			Group string `json:"group"`
			Since string `json:"since"`
		}
		require.NoError(t, json.Unmarshal(raw, &cmds))
		groups := "string generic list hash set sorted-set pubsub transactions connection server scripting bitmap hyperloglog geo"
		for name, c := range cmds {
			if strings.HasPrefix(c.Since, "7.2") {
				continue // later than the Redis GoRedis follows
			}
			if strings.Contains(" "+groups+" ", " "+c.Group+" ") {
				full := strings.ToLower(strings.Replace(name, " ", "|", 1))
				assert.NotEmpty(t, commandSummary(full), full)
			}
		}
	}
	e, _ := testEngine(t)
	for _, c := range e.commands {
		assert.NotEmpty(t, commandSummary(c.Name), c.Name)
		for _, sc := range c.subs {
			assert.NotEmpty(t, commandSummary(sc.Name), sc.Name)
		}
	}
}

// TestLatencyHistogramLayout checks the HdrHistogram arithmetic against
// values a real redis-server 7.0 reported.
func TestLatencyHistogramLayout(t *testing.T) {
	for level, want := range map[int64]int64{1024: 1, 8192: 8, 16384: 16, 32768: 33, 131072: 132, 262144: 264, 16777216: 16908} {
		assert.Equal(t, want, highestEquivalent(level)/1000, level)
	}
	var h latencyHist
	h.record(5000)
	assert.Equal(t, int64(5023), h.percentile(50))
	h.record(9000)
	h.record(14000)
	keys, counts := h.logBuckets()
	assert.Equal(t, []int64{8, 16}, keys)
	assert.Equal(t, []int64{1, 3}, counts)
	for _, v := range []int64{1, 255, 256, 1000, 123456, histMaxValue} {
		low, size := histValueAt(histIndex(v))
		assert.True(t, low <= v && v < low+size, v)
	}
}

func TestLatencyHistogramCommand(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	c.line("PING")
	c.line("PING")
	// Bucket keys depend on the machine's speed; the shape does not.
	assert.Regexp(t, `^\*2\r\n\$4\r\nping\r\n\*4\r\n\$5\r\ncalls\r\n:2\r\n\$14\r\nhistogram_usec\r\n(\*2\r\n:\d+\r\n:2\r\n|\*4\r\n:\d+\r\n:1\r\n:\d+\r\n:2\r\n)$`, c.line("LATENCY HISTOGRAM ping nosuch"))
	assert.Equal(t, "*0\r\n", c.line("LATENCY HISTOGRAM get"))
	c.do("HELLO", "3")
	all := c.line("LATENCY HISTOGRAM")
	assert.True(t, strings.HasPrefix(all, "%3\r\n$5\r\nhello\r\n%2\r\n"), all)
	assert.Contains(t, all, "$17\r\nlatency|histogram\r\n%2\r\n")
	assert.Contains(t, all, "$4\r\nping\r\n%2\r\n$5\r\ncalls\r\n:2\r\n$14\r\nhistogram_usec\r\n%")
	assert.Regexp(t, `latency_percentiles_usec_ping:p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}\r\n`, c.line("INFO latencystats"))
	require.Equal(t, ok, c.line("CONFIG SET latency-tracking no"))
	c.line("GET x")
	assert.Equal(t, "%0\r\n", c.line("LATENCY HISTOGRAM get"))
}

// commandSummary binary-searches its table: it must stay sorted, with
// each name once.
func TestCommandSummariesSorted(t *testing.T) {
	for i := 1; i < len(commandSummaries); i++ {
		assert.Less(t, commandSummaries[i-1].name, commandSummaries[i].name)
	}
	assert.Equal(t, "Returns the string stored at a key.", commandSummary("get"))
	assert.Empty(t, commandSummary("nosuchcommand"))
}

// TestWritesCountNoKeyspaceMiss: commands that change a key look it up as
// Redis's lookupKeyWrite does, so a missing key is no keyspace miss (checked
// against redis-server 7.0); reads of a missing key are.
func TestWritesCountNoKeyspaceMiss(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	for _, cmd := range []string{"SADD s1 a", "SREM s2 a", "SPOP s3", "SPOP s3 2", "SMOVE x y a",
		"ZADD z1 1 a", "ZINCRBY z2 1 a", "ZREM z3 a", "ZREMRANGEBYSCORE z4 0 1", "ZPOPMIN z5",
		"HSET h1 f v", "LPUSH l1 a", "RPOP l2"} {
		c.line("CONFIG RESETSTAT")
		c.line(cmd)
		assert.Contains(t, c.line("INFO stats"), "keyspace_misses:0\r\n", cmd)
	}
	c.line("CONFIG RESETSTAT")
	c.line("SCARD nope")
	assert.Contains(t, c.line("INFO stats"), "keyspace_misses:1\r\n", "a read of a missing key is a miss")
}

func TestConfigGetHiddenParameters(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	assert.Equal(t, "*2\r\n$14\r\nkey-load-delay\r\n$1\r\n0\r\n", c.line("CONFIG GET key-load-delay"))
	assert.NotContains(t, c.line("CONFIG GET *"), "key-load-delay")
	assert.NotContains(t, c.line("CONFIG GET *delay*"), "key-load-delay")
	assert.Equal(t, ok, c.line("CONFIG SET key-load-delay 10"))
	assert.Equal(t, "*2\r\n$14\r\nkey-load-delay\r\n$2\r\n10\r\n", c.line("CONFIG GET key-load-delay"))
}

// A blocked command is logged in the slow log when it is served, with its
// own arguments (not the LPOP it propagates as), as Redis's
// updateStatsOnUnblock does; not when it blocks.
func TestSlowlogBlockedServedLater(t *testing.T) {
	e, _ := testEngine(t)
	a, b := newClient(t, e), newClient(t, e)
	require.Equal(t, ok, a.line("CONFIG SET slowlog-log-slower-than 0"))
	assert.Equal(t, "", b.line("BLPOP l 0"))
	require.Equal(t, ok, a.line("MULTI"))
	a.line("LPUSH l foo")
	a.line("SLOWLOG RESET")
	assert.Equal(t, "*2\r\n:1\r\n+OK\r\n", a.line("EXEC"))
	assert.Equal(t, bulks("l", "foo"), string(b.s.TakeOutput(nil)))
	got := a.line("SLOWLOG GET 1")
	assert.Contains(t, got, bulks("BLPOP", "l", "0"))
	assert.Regexp(t, `cmdstat_blpop:calls=1,usec=\d+`, a.line("INFO commandstats"))
}

// INFO stats prints every field Redis 7.0 prints, in its order.
func TestInfoStatsFields(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	want := strings.Fields(`total_connections_received total_commands_processed instantaneous_ops_per_sec
		total_net_input_bytes total_net_output_bytes total_net_repl_input_bytes total_net_repl_output_bytes
		instantaneous_input_kbps instantaneous_output_kbps instantaneous_input_repl_kbps instantaneous_output_repl_kbps
		rejected_connections sync_full sync_partial_ok sync_partial_err expired_keys expired_stale_perc
		expired_time_cap_reached_count expire_cycle_cpu_milliseconds evicted_keys evicted_clients
		total_eviction_exceeded_time current_eviction_exceeded_time keyspace_hits keyspace_misses
		pubsub_channels pubsub_patterns pubsubshard_channels latest_fork_usec total_forks migrate_cached_sockets
		slave_expires_tracked_keys active_defrag_hits active_defrag_misses active_defrag_key_hits
		active_defrag_key_misses total_active_defrag_time current_active_defrag_time tracking_total_keys
		tracking_total_items tracking_total_prefixes unexpected_error_replies total_error_replies
		dump_payload_sanitizations total_reads_processed total_writes_processed io_threaded_reads_processed
		io_threaded_writes_processed reply_buffer_shrinks reply_buffer_expands`)
	var got []string
	for _, l := range strings.Split(c.line("INFO stats"), "\r\n")[1:] {
		if name, _, ok := strings.Cut(l, ":"); ok {
			got = append(got, name)
		}
	}
	assert.Equal(t, want, got)
}

// Traffic the host reports shows in INFO: bytes both ways, reads and
// writes, and the instantaneous rates the cron samples.
func TestInfoStatsTraffic(t *testing.T) {
	e, _ := testEngine(t)
	c := newClient(t, e)
	field := func(name string) string {
		for _, l := range strings.Split(c.line("INFO stats"), "\r\n") {
			if v, ok := strings.CutPrefix(l, name+":"); ok {
				return v
			}
		}
		return ""
	}
	e.CountNetInput(100)
	c.s.Exec([][]byte{[]byte("PING")})
	out := c.s.Output(nil, 1<<20)
	c.s.Consumed(len(out[0]))
	assert.Equal(t, "100", field("total_net_input_bytes"))
	assert.Equal(t, "7", field("total_net_output_bytes"))
	assert.Equal(t, "1", field("total_reads_processed"))
	assert.Equal(t, "1", field("total_writes_processed"))
	now := int64(1_000_000)
	e.mu.Lock()
	e.trackInstantaneousMetrics(now)
	e.stats.commands += 160
	e.trackInstantaneousMetrics(now + 100)
	e.mu.Unlock()
	// 160 commands in 100 ms is 1600/s in one of 16 samples.
	assert.Equal(t, "100", field("instantaneous_ops_per_sec"))
}

func TestLatencyDoctorAndGraph(t *testing.T) {
	e, clk := testEngine(t)
	c := newClient(t, e)
	assert.Contains(t, c.line("LATENCY DOCTOR"), "I'm sorry, Dave, I can't do that.")
	require.Equal(t, ok, c.line("CONFIG SET latency-monitor-threshold 10"))
	assert.Equal(t, bulk("Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n"), c.line("LATENCY DOCTOR"))
	assert.Equal(t, errReply("ERR No samples available for event 'command'"), c.line("LATENCY GRAPH command"))
	e.mu.Lock()
	e.latencyAdd("command", 20)
	e.mu.Unlock()
	clk.Advance(2 * time.Second)
	c.line("PING") // the engine's clock moves with commands
	e.mu.Lock()
	e.latencyAdd("command", 40)
	e.mu.Unlock()
	doctor := c.line("LATENCY DOCTOR")
	assert.Contains(t, doctor, "1. command: 2 latency spikes (average 30ms, mean deviation 10ms, period 1.00 sec). Worst all time event 40ms.\n")
	assert.Contains(t, doctor, "- Check your Slow Log to understand what are the commands")
	// Drawn as redis-server 7.0 draws the same two samples.
	graph := "command - high 40 ms, low 20 ms (all time high 40 ms)\n" +
		strings.Repeat("-", 80) + "\n" +
		" #\n" + " |\n" + " |\n" + "_|\n" + "  \n" + "20\n" + "ss\n"
	assert.Equal(t, bulk(graph), c.line("LATENCY GRAPH command"))
}

func TestDebugPauseCron(t *testing.T) {
	e, clk := debugEngine(t)
	c := newClient(t, e)
	require.Equal(t, ok, c.line("SET k v PX 10"))
	require.Equal(t, ok, c.line("DEBUG PAUSE-CRON 1"))
	clk.Advance(time.Second)
	assert.Equal(t, 0, e.ActiveExpireCycle())
	assert.Equal(t, integer(1), c.line("DBSIZE"))
	require.Equal(t, ok, c.line("DEBUG PAUSE-CRON 0"))
	assert.Equal(t, 1, e.ActiveExpireCycle())
	assert.Equal(t, integer(0), c.line("DBSIZE"))
}

// CONFIG SET's per-client refusals, as Redis's: a protected parameter from
// a non-local client under enable-protected-configs local, and -LOADING
// for dir, appendonly and repl-diskless-load while a dataset loads.
func TestConfigSetProtectedLocalAndLoading(t *testing.T) {
	e := New(Options{Config: map[string]string{"enable-protected-configs": "local"}})
	remote := &client{t: t, s: e.NewSession(ClientInfo{Addr: "10.0.0.2:4000", LAddr: "10.0.0.1:6379", Kind: "test"})}
	local := newClient(t, e)
	assert.Equal(t, errReply("ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config"), remote.line("CONFIG SET dbfilename x.rdb"))
	assert.Equal(t, ok, local.line("CONFIG SET dbfilename x.rdb"))

	ld := e.BeginStartupLoad(0)
	for _, set := range []string{"CONFIG SET dir /tmp", "CONFIG SET appendonly yes", "CONFIG SET repl-diskless-load swapdb", "CONFIG SET loglevel debug dir /tmp"} {
		assert.Equal(t, errReply(errLoading), local.line(set), set)
	}
	assert.Equal(t, ok, local.line("CONFIG SET loglevel verbose"))
	ld.End()
	assert.Equal(t, "*2\r\n$8\r\nloglevel\r\n$7\r\nverbose\r\n", local.line("CONFIG GET loglevel"))
	assert.Equal(t, ok, local.line("CONFIG SET dir /tmp"))
}
