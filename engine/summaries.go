package engine

// commandSummary returns the one-line summary COMMAND DOCS shows for a
// command's full name ("get", "config|get"). The summaries are GoRedis's
// own words; the other facts come from spec_gen.go.
func commandSummary(name string) string {
	switch name {
	case "acl":
		return "Container for the access control list subcommands."
	case "acl|cat":
		return "Lists the ACL categories, or the commands in one category."
	case "acl|deluser":
		return "Removes ACL users and disconnects their clients."
	case "acl|dryrun":
		return "Tells whether a user could run a command, without running it."
	case "acl|genpass":
		return "Produces a random password suitable for an ACL user."
	case "acl|getuser":
		return "Shows the ACL rules of one user."
	case "acl|help":
		return "Describes the ACL subcommands."
	case "acl|list":
		return "Shows every ACL user as a rule line."
	case "acl|load":
		return "Reloads the ACL users from the configured ACL file."
	case "acl|log":
		return "Shows or clears recent ACL denials."
	case "acl|save":
		return "Writes the current ACL users to the configured ACL file."
	case "acl|setuser":
		return "Creates an ACL user or changes its rules."
	case "acl|users":
		return "Lists the names of the ACL users."
	case "acl|whoami":
		return "Returns the user the connection is authenticated as."
	case "append":
		return "Adds bytes to the end of a string value, creating the key if needed."
	case "auth":
		return "Authenticates the connection with a password, or a user name and password."
	case "bgrewriteaof":
		return "Starts rewriting the append-only file in the background."
	case "bgsave":
		return "Starts writing a snapshot of the dataset to disk in the background."
	case "blmove":
		return "Moves an element from one list to another, waiting for one if the source is empty."
	case "blmpop":
		return "Pops elements from the first non-empty list among several, waiting if all are empty."
	case "blpop":
		return "Removes and returns the head of the first non-empty list, waiting if all are empty."
	case "brpop":
		return "Removes and returns the tail of the first non-empty list, waiting if all are empty."
	case "brpoplpush":
		return "Moves the tail of a list to the head of another, waiting if the source is empty."
	case "bzmpop":
		return "Pops members with the lowest or highest scores from the first non-empty sorted set, waiting if all are empty."
	case "bzpopmax":
		return "Pops the member with the highest score from the first non-empty sorted set, waiting if all are empty."
	case "bzpopmin":
		return "Pops the member with the lowest score from the first non-empty sorted set, waiting if all are empty."
	case "client":
		return "Container for the subcommands that inspect and manage connections."
	case "client|caching":
		return "Tells server-assisted caching whether to track the keys of the next command."
	case "client|getname":
		return "Returns the name given to the connection."
	case "client|getredir":
		return "Returns the client that receives this connection's invalidation messages."
	case "client|help":
		return "Describes the CLIENT subcommands."
	case "client|id":
		return "Returns the unique ID of the connection."
	case "client|info":
		return "Describes the calling connection in the CLIENT LIST format."
	case "client|kill":
		return "Closes client connections chosen by address, ID, type or user."
	case "client|list":
		return "Describes every client connection, one line each."
	case "client|no-evict":
		return "Turns client eviction off or on for the connection."
	case "client|no-touch":
		return "Stops or resumes updating key access times for the connection's commands."
	case "client|pause":
		return "Holds back commands from clients for some milliseconds."
	case "client|reply":
		return "Turns the server's replies to the connection on or off, or skips the next one."
	case "client|setinfo":
		return "Records the client library name or version for the connection."
	case "client|setname":
		return "Gives the connection a name."
	case "client|tracking":
		return "Turns server-assisted client-side caching on or off."
	case "client|trackinginfo":
		return "Describes the connection's client-side caching state."
	case "client|unblock":
		return "Ends the wait of a client blocked in a blocking command."
	case "client|unpause":
		return "Resumes clients held back by CLIENT PAUSE."
	case "command":
		return "Describes every command the server knows."
	case "command|count":
		return "Returns how many commands the server knows."
	case "command|docs":
		return "Returns the documentation of commands: summary, complexity, arguments."
	case "command|getkeys":
		return "Extracts the key names from a full command line."
	case "command|getkeysandflags":
		return "Extracts the key names and their access flags from a full command line."
	case "command|help":
		return "Describes the COMMAND subcommands."
	case "command|info":
		return "Describes the named commands: arity, flags, keys, categories."
	case "command|list":
		return "Lists command names, optionally filtered."
	case "config":
		return "Container for the configuration subcommands."
	case "config|get":
		return "Returns configuration parameters matching glob patterns, with their values."
	case "config|help":
		return "Describes the CONFIG subcommands."
	case "config|resetstat":
		return "Clears the statistics INFO reports."
	case "config|rewrite":
		return "Writes the running configuration back to the configuration file."
	case "config|set":
		return "Changes one or more configuration parameters at once."
	case "copy":
		return "Duplicates the value of a key under another key."
	case "dbsize":
		return "Counts the keys in the selected database."
	case "debug":
		return "Runs a debugging subcommand."
	case "decr":
		return "Subtracts one from the integer stored at a key."
	case "decrby":
		return "Subtracts a number from the integer stored at a key."
	case "del":
		return "Removes keys."
	case "discard":
		return "Drops the commands queued since MULTI."
	case "dump":
		return "Serializes the value of a key in Redis's dump format."
	case "echo":
		return "Replies with the given message."
	case "eval":
		return "Runs a Lua script on the server."
	case "eval_ro":
		return "Runs a read-only Lua script on the server."
	case "evalsha":
		return "Runs a cached Lua script chosen by its SHA1 digest."
	case "evalsha_ro":
		return "Runs a cached read-only Lua script chosen by its SHA1 digest."
	case "exec":
		return "Runs the commands queued since MULTI as one transaction."
	case "exists":
		return "Counts how many of the given keys exist."
	case "expire":
		return "Gives a key a time to live in seconds."
	case "expireat":
		return "Makes a key expire at a Unix time in seconds."
	case "expiretime":
		return "Returns the Unix time in seconds at which a key expires."
	case "failover":
		return "Hands the master role over to a replica."
	case "fcall":
		return "Calls a function from a loaded library."
	case "fcall_ro":
		return "Calls a read-only function from a loaded library."
	case "flushall":
		return "Removes every key from every database."
	case "flushdb":
		return "Removes every key from the selected database."
	case "function":
		return "Container for the function library subcommands."
	case "function|delete":
		return "Unloads a function library."
	case "function|dump":
		return "Serializes every loaded function library."
	case "function|flush":
		return "Unloads every function library."
	case "function|help":
		return "Describes the FUNCTION subcommands."
	case "function|kill":
		return "Stops the function that is running now."
	case "function|list":
		return "Describes the loaded function libraries."
	case "function|load":
		return "Loads a function library from its source code."
	case "function|restore":
		return "Loads function libraries from a FUNCTION DUMP payload."
	case "function|stats":
		return "Reports the running function and the available engines."
	case "get":
		return "Returns the string stored at a key."
	case "getdel":
		return "Returns the string stored at a key and removes the key."
	case "getex":
		return "Returns the string stored at a key and changes its expiry."
	case "getrange":
		return "Returns part of a string value, by byte offsets."
	case "getset":
		return "Stores a new string value and returns the previous one."
	case "hdel":
		return "Removes fields from a hash."
	case "hello":
		return "Negotiates the protocol version, and optionally authenticates and names the connection."
	case "hexists":
		return "Tells whether a hash has a field."
	case "hget":
		return "Returns the value of one hash field."
	case "hgetall":
		return "Returns every field and value of a hash."
	case "hincrby":
		return "Adds an integer to the number stored in a hash field."
	case "hincrbyfloat":
		return "Adds a floating point number to the number stored in a hash field."
	case "hkeys":
		return "Returns the field names of a hash."
	case "hlen":
		return "Counts the fields of a hash."
	case "hmget":
		return "Returns the values of several hash fields."
	case "hmset":
		return "Sets several hash fields."
	case "hrandfield":
		return "Returns random fields of a hash, optionally with their values."
	case "hscan":
		return "Walks the fields and values of a hash in steps."
	case "hset":
		return "Sets hash fields, creating the hash if needed."
	case "hsetnx":
		return "Sets a hash field only if it does not exist yet."
	case "hstrlen":
		return "Returns the length in bytes of a hash field's value."
	case "hvals":
		return "Returns the values of a hash."
	case "incr":
		return "Adds one to the integer stored at a key."
	case "incrby":
		return "Adds a number to the integer stored at a key."
	case "incrbyfloat":
		return "Adds a floating point number to the number stored at a key."
	case "info":
		return "Reports server state and statistics, by section."
	case "keys":
		return "Lists the keys that match a glob pattern."
	case "lastsave":
		return "Returns the Unix time of the last successful save to disk."
	case "latency":
		return "Container for the latency monitor subcommands."
	case "latency|doctor":
		return "Explains the latency events recorded, in plain words."
	case "latency|graph":
		return "Draws a text graph of one latency event."
	case "latency|help":
		return "Describes the LATENCY subcommands."
	case "latency|histogram":
		return "Returns latency histograms of commands."
	case "latency|history":
		return "Returns the recorded samples of one latency event."
	case "latency|latest":
		return "Returns the latest sample of every latency event."
	case "latency|reset":
		return "Clears recorded latency events."
	case "lcs":
		return "Finds the longest common subsequence of two strings."
	case "lindex":
		return "Returns the list element at an index."
	case "linsert":
		return "Inserts an element before or after another one in a list."
	case "llen":
		return "Counts the elements of a list."
	case "lmove":
		return "Moves an element from one end of a list to an end of another."
	case "lmpop":
		return "Pops elements from the first non-empty list among several."
	case "lolwut":
		return "Shows a piece of computer art and the server version."
	case "lpop":
		return "Removes and returns elements from the head of a list."
	case "lpos":
		return "Finds the positions of an element in a list."
	case "lpush":
		return "Adds elements to the head of a list."
	case "lpushx":
		return "Adds elements to the head of a list that already exists."
	case "lrange":
		return "Returns a range of list elements."
	case "lrem":
		return "Removes occurrences of an element from a list."
	case "lset":
		return "Replaces the list element at an index."
	case "ltrim":
		return "Keeps only a range of a list's elements."
	case "memory":
		return "Container for the memory introspection subcommands."
	case "memory|doctor":
		return "Explains memory problems, in plain words."
	case "memory|help":
		return "Describes the MEMORY subcommands."
	case "memory|malloc-stats":
		return "Reports the memory allocator's statistics."
	case "memory|purge":
		return "Asks the allocator to return free memory to the system."
	case "memory|stats":
		return "Reports detailed memory usage."
	case "memory|usage":
		return "Estimates the memory used by a key and its value."
	case "mget":
		return "Returns the string values of several keys."
	case "migrate":
		return "Moves keys to another Redis server."
	case "module":
		return "Container for the module subcommands."
	case "module|help":
		return "Describes the MODULE subcommands."
	case "module|list":
		return "Lists the loaded modules."
	case "module|load":
		return "Loads a module from a shared library."
	case "module|loadex":
		return "Loads a module from a shared library, with configuration and arguments."
	case "module|unload":
		return "Unloads a module."
	case "monitor":
		return "Streams every command the server runs to the connection."
	case "move":
		return "Moves a key to another database."
	case "mset":
		return "Sets several string keys."
	case "msetnx":
		return "Sets several string keys only if none of them exists."
	case "multi":
		return "Starts a transaction: later commands are queued until EXEC."
	case "object":
		return "Container for the value introspection subcommands."
	case "object|encoding":
		return "Returns the internal encoding of a key's value."
	case "object|freq":
		return "Returns the access frequency counter of a key."
	case "object|help":
		return "Describes the OBJECT subcommands."
	case "object|idletime":
		return "Returns the seconds since a key was last accessed."
	case "object|refcount":
		return "Returns the reference count of a key's value."
	case "persist":
		return "Removes the expiry of a key."
	case "pexpire":
		return "Gives a key a time to live in milliseconds."
	case "pexpireat":
		return "Makes a key expire at a Unix time in milliseconds."
	case "pexpiretime":
		return "Returns the Unix time in milliseconds at which a key expires."
	case "ping":
		return "Checks that the server answers."
	case "psetex":
		return "Stores a string value with a time to live in milliseconds."
	case "psubscribe":
		return "Listens for messages on channels matching glob patterns."
	case "psync":
		return "Internal command replicas use to synchronize with a master."
	case "pttl":
		return "Returns the remaining time to live of a key in milliseconds."
	case "publish":
		return "Sends a message to a channel."
	case "pubsub":
		return "Container for the pub/sub introspection subcommands."
	case "pubsub|channels":
		return "Lists the channels that have subscribers."
	case "pubsub|help":
		return "Describes the PUBSUB subcommands."
	case "pubsub|numpat":
		return "Counts the pattern subscriptions."
	case "pubsub|numsub":
		return "Counts the subscribers of channels."
	case "pubsub|shardchannels":
		return "Lists the shard channels that have subscribers."
	case "pubsub|shardnumsub":
		return "Counts the subscribers of shard channels."
	case "punsubscribe":
		return "Stops listening on channels matching patterns."
	case "quit":
		return "Closes the connection."
	case "randomkey":
		return "Returns a random key name."
	case "rename":
		return "Gives a key another name, replacing any key of that name."
	case "renamenx":
		return "Gives a key another name only if that name is free."
	case "replconf":
		return "Internal command replicas use to configure their link."
	case "replicaof":
		return "Makes the server a replica of another one, or a master again."
	case "reset":
		return "Returns the connection to its initial state."
	case "restore":
		return "Creates a key from a DUMP payload."
	case "restore-asking":
		return "Internal command used by cluster key migration."
	case "role":
		return "Returns the replication role of the server."
	case "rpop":
		return "Removes and returns elements from the tail of a list."
	case "rpoplpush":
		return "Moves the tail of a list to the head of another."
	case "rpush":
		return "Adds elements to the tail of a list."
	case "rpushx":
		return "Adds elements to the tail of a list that already exists."
	case "sadd":
		return "Adds members to a set."
	case "save":
		return "Writes a snapshot of the dataset to disk, blocking the server."
	case "scan":
		return "Walks the key names of the database in steps."
	case "scard":
		return "Counts the members of a set."
	case "script":
		return "Container for the Lua script cache subcommands."
	case "script|debug":
		return "Chooses the debug mode of the next Lua scripts."
	case "script|exists":
		return "Tells whether scripts are in the script cache."
	case "script|flush":
		return "Empties the script cache."
	case "script|help":
		return "Describes the SCRIPT subcommands."
	case "script|kill":
		return "Stops the Lua script that is running now."
	case "script|load":
		return "Puts a Lua script in the script cache without running it."
	case "sdiff":
		return "Returns the members of a set that the other sets lack."
	case "sdiffstore":
		return "Stores the difference of sets under a key."
	case "select":
		return "Switches the connection to another database."
	case "set":
		return "Stores a string value, with options for expiry and conditions."
	case "setex":
		return "Stores a string value with a time to live in seconds."
	case "setnx":
		return "Stores a string value only if the key does not exist."
	case "setrange":
		return "Overwrites part of a string value from a byte offset."
	case "shutdown":
		return "Stops the server."
	case "sinter":
		return "Returns the members common to all the given sets."
	case "sintercard":
		return "Counts the members common to all the given sets."
	case "sinterstore":
		return "Stores the intersection of sets under a key."
	case "sismember":
		return "Tells whether a value is a member of a set."
	case "slaveof":
		return "Makes the server a replica of another one, or a master again (old name of REPLICAOF)."
	case "slowlog":
		return "Container for the slow log subcommands."
	case "slowlog|get":
		return "Returns entries of the slow log."
	case "slowlog|help":
		return "Describes the SLOWLOG subcommands."
	case "slowlog|len":
		return "Counts the entries of the slow log."
	case "slowlog|reset":
		return "Empties the slow log."
	case "smembers":
		return "Returns every member of a set."
	case "smismember":
		return "Tells, for each value, whether it is a member of a set."
	case "smove":
		return "Moves a member from one set to another."
	case "sort":
		return "Sorts the elements of a list, set or sorted set, optionally storing the result."
	case "sort_ro":
		return "Sorts the elements of a list, set or sorted set without storing."
	case "spop":
		return "Removes and returns random members of a set."
	case "spublish":
		return "Sends a message to a shard channel."
	case "srandmember":
		return "Returns random members of a set without removing them."
	case "srem":
		return "Removes members from a set."
	case "sscan":
		return "Walks the members of a set in steps."
	case "ssubscribe":
		return "Listens for messages on shard channels."
	case "strlen":
		return "Returns the length in bytes of a string value."
	case "subscribe":
		return "Listens for messages on channels."
	case "substr":
		return "Returns part of a string value (old name of GETRANGE)."
	case "sunion":
		return "Returns the members of all the given sets together."
	case "sunionstore":
		return "Stores the union of sets under a key."
	case "sunsubscribe":
		return "Stops listening on shard channels."
	case "swapdb":
		return "Exchanges the contents of two databases."
	case "sync":
		return "Internal command replicas use for a full synchronization."
	case "time":
		return "Returns the server's clock as seconds and microseconds."
	case "touch":
		return "Counts the given keys that exist and updates their access time."
	case "ttl":
		return "Returns the remaining time to live of a key in seconds."
	case "type":
		return "Returns the type of the value stored at a key."
	case "unlink":
		return "Removes keys, freeing their memory in the background."
	case "unsubscribe":
		return "Stops listening on channels."
	case "unwatch":
		return "Forgets every key watched by the connection."
	case "wait":
		return "Waits until replicas acknowledge the connection's writes."
	case "waitaof":
		return "Waits until writes reach the append-only file locally or on replicas."
	case "watch":
		return "Watches keys so that EXEC fails if any of them changes."
	case "zadd":
		return "Adds members with scores to a sorted set, or updates their scores."
	case "zcard":
		return "Counts the members of a sorted set."
	case "zcount":
		return "Counts the members of a sorted set within a score range."
	case "zdiff":
		return "Returns the members of a sorted set that the other sorted sets lack."
	case "zdiffstore":
		return "Stores the difference of sorted sets under a key."
	case "zincrby":
		return "Adds to the score of a sorted set member."
	case "zinter":
		return "Returns the members common to all the given sorted sets."
	case "zintercard":
		return "Counts the members common to all the given sorted sets."
	case "zinterstore":
		return "Stores the intersection of sorted sets under a key."
	case "zlexcount":
		return "Counts the members of a sorted set within a lexicographical range."
	case "zmpop":
		return "Pops members with the lowest or highest scores from the first non-empty sorted set."
	case "zmscore":
		return "Returns the scores of several sorted set members."
	case "zpopmax":
		return "Removes and returns the members with the highest scores."
	case "zpopmin":
		return "Removes and returns the members with the lowest scores."
	case "zrandmember":
		return "Returns random members of a sorted set."
	case "zrange":
		return "Returns a range of sorted set members by rank, score or name."
	case "zrangebylex":
		return "Returns sorted set members within a lexicographical range."
	case "zrangebyscore":
		return "Returns sorted set members within a score range."
	case "zrangestore":
		return "Stores a range of a sorted set under another key."
	case "zrank":
		return "Returns the rank of a member in a sorted set, lowest score first."
	case "zrem":
		return "Removes members from a sorted set."
	case "zremrangebylex":
		return "Removes sorted set members within a lexicographical range."
	case "zremrangebyrank":
		return "Removes sorted set members within a range of ranks."
	case "zremrangebyscore":
		return "Removes sorted set members within a score range."
	case "zrevrange":
		return "Returns a range of sorted set members by rank, highest score first."
	case "zrevrangebylex":
		return "Returns sorted set members within a lexicographical range, in reverse order."
	case "zrevrangebyscore":
		return "Returns sorted set members within a score range, highest first."
	case "zrevrank":
		return "Returns the rank of a member in a sorted set, highest score first."
	case "zscan":
		return "Walks the members and scores of a sorted set in steps."
	case "zscore":
		return "Returns the score of a sorted set member."
	case "zunion":
		return "Returns the members of all the given sorted sets together."
	case "zunionstore":
		return "Stores the union of sorted sets under a key."
	case "bitcount":
		return "Counts the set bits of a string."
	case "bitfield":
		return "Reads and writes integer fields of arbitrary width inside a string."
	case "bitfield_ro":
		return "Reads integer fields of arbitrary width inside a string."
	case "bitop":
		return "Combines strings bit by bit and stores the result."
	case "bitpos":
		return "Finds the first bit set to 0 or 1 in a string."
	case "getbit":
		return "Returns the bit at an offset of a string."
	case "setbit":
		return "Sets or clears the bit at an offset of a string."
	case "pfadd":
		return "Adds elements to a HyperLogLog."
	case "pfcount":
		return "Estimates the number of distinct elements seen by HyperLogLogs."
	case "pfdebug":
		return "Internal command for inspecting a HyperLogLog."
	case "pfmerge":
		return "Merges HyperLogLogs into one."
	case "pfselftest":
		return "Internal command that tests the HyperLogLog code."
	case "geoadd":
		return "Adds members with longitude and latitude to a geospatial index."
	case "geodist":
		return "Returns the distance between two members of a geospatial index."
	case "geohash":
		return "Returns members' positions as geohash strings."
	case "geopos":
		return "Returns members' longitude and latitude."
	case "georadius":
		return "Finds members within a radius of a point, optionally storing them."
	case "georadius_ro":
		return "Finds members within a radius of a point."
	case "georadiusbymember":
		return "Finds members within a radius of another member, optionally storing them."
	case "georadiusbymember_ro":
		return "Finds members within a radius of another member."
	case "geosearch":
		return "Finds members inside a circle or a box."
	case "geosearchstore":
		return "Finds members inside a circle or a box and stores them."
	}
	return ""
}
