// Package engine is GoRedis's transport-agnostic core: an in-memory
// keyspace of logical databases plus Redis 7.0 command handling, answering
// in RESP2 or RESP3. It does no I/O and starts no goroutines; every
// transport (the TCP server, the WebSocket bridge, the wasm build in the
// browser) feeds it the same way.
//
// A host creates one Engine and a Session per client, passes each parsed
// command to Session.Exec, and writes what Session.TakeOutput returns:
//
//	eng := engine.New(engine.Options{})
//	s := eng.NewSession(engine.ClientInfo{
//		Addr:   "127.0.0.1:50000",
//		Notify: func() { /* output from another client is waiting: flush soon */ },
//	})
//	defer s.Close()
//	st := s.Exec([][]byte{[]byte("SET"), []byte("greeting"), []byte("hello")})
//	out := s.TakeOutput(nil) // "+OK\r\n"
//
// Exec reports in its Status when the client must be closed (QUIT) or has
// blocked (BLPOP and friends): the engine never waits itself. A blocked
// session is served by another client's write, which writes the reply into
// its buffer and calls its Notify; or, when the host's timer for
// Session.BlockDeadline fires, by Session.CheckTimeout. Because nothing in
// the engine sleeps, blocking works the same with OS threads and in the
// single-threaded wasm build.
//
// Time and randomness are inputs (Options.Now, Options.Rand), so tests move
// the clock by hand. Keys expire lazily when touched and actively through
// ActiveExpireCycle, which the host calls every 100 ms.
//
// One mutex serializes command execution, as Redis's single thread does;
// hosts may call Exec from any goroutine. Lock order: Engine, then Session.
//
// The command table joins the facts generated from Redis's commands.json
// (spec_gen.go: arity, flags, key specs, arguments) with the handlers listed
// by each family file (cmd_string.go, cmd_list.go, ...). One dispatcher
// checks existence, arity, authentication, ACL permissions, sandbox quotas,
// MULTI queueing and the pub/sub context before any handler runs.
//
// Access control is Redis 7.0's ACL, modelled in package engine/acl
// (users, rules, selectors, the checks); aclcheck.go joins it to the
// command table (key specs, channels) and cmd_acl.go holds the ACL
// commands. The host passes the config file's user lines (Options.Users)
// and reads and writes the aclfile (Options.ACLFile), then calls LoadACL.
package engine
