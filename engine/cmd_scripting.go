package engine

import (
	"strings"
	"time"

	"github.com/goredis-dev/goredis/luabridge"
	"github.com/goredis-dev/goredis/rdb"
)

func scriptingHandlers() []handlerEntry {
	return []handlerEntry{
		{"eval", func(s *Session, args [][]byte) { s.evalGeneric(args, false, false) }},
		{"eval_ro", func(s *Session, args [][]byte) { s.evalGeneric(args, false, true) }},
		{"evalsha", func(s *Session, args [][]byte) { s.evalGeneric(args, true, false) }},
		{"evalsha_ro", func(s *Session, args [][]byte) { s.evalGeneric(args, true, true) }},
		{"script|load", cmdScriptLoad},
		{"script|exists", cmdScriptExists},
		{"script|flush", cmdScriptFlush},
		{"script|kill", func(s *Session, args [][]byte) { s.scriptKill(true) }},
		{"script|help", cmdScriptHelp},
		{"fcall", func(s *Session, args [][]byte) { s.fcallGeneric(args, false) }},
		{"fcall_ro", func(s *Session, args [][]byte) { s.fcallGeneric(args, true) }},
		{"function|load", cmdFunctionLoad},
		{"function|delete", cmdFunctionDelete},
		{"function|flush", cmdFunctionFlush},
		{"function|list", cmdFunctionList},
		{"function|dump", cmdFunctionDump},
		{"function|restore", cmdFunctionRestore},
		{"function|stats", cmdFunctionStats},
		{"function|kill", func(s *Session, args [][]byte) { s.scriptKill(false) }},
		{"function|help", cmdFunctionHelp},
	}
}

// numKeys parses the numkeys argument of EVAL and FCALL against the
// number of arguments that follow it.
func (s *Session) numKeys(args [][]byte, errNotNumber string) (int, bool) {
	n, ok := parseInt(args[2])
	if !ok {
		s.w.Error(errNotNumber)
		return 0, false
	}
	if n > int64(len(args)-3) {
		s.w.Error("ERR Number of keys can't be greater than number of args")
		return 0, false
	}
	if n < 0 {
		s.w.Error("ERR Number of keys can't be negative")
		return 0, false
	}
	return int(n), true
}

// EVAL script numkeys [key [key ...]] [arg [arg ...]]
// EVALSHA sha1 numkeys [key [key ...]] [arg [arg ...]]
// EVAL_RO and EVALSHA_RO: the same, refusing writes.
func (s *Session) evalGeneric(args [][]byte, bySHA, ro bool) {
	// Monitors see the script before the commands it runs.
	s.feedMonitors(args)
	if bySHA && len(args[1]) != 40 {
		s.w.Error(errNoScript)
		return
	}
	n, ok := s.numKeys(args, errNotInt)
	if !ok {
		return
	}
	ev := s.e.evalEngine()
	var sc *luabridge.Script
	if bySHA {
		if sc = ev.Lookup(args[1]); sc == nil {
			s.w.Error(errNoScript)
			return
		}
	} else {
		var err error
		if sc, err = ev.Create(args[1]); err != nil {
			s.w.Error("ERR " + err.Error())
			return
		}
	}
	keys, argv := args[3:3+n], args[3+n:]
	s.runScript(true, sc.SHA, sc.Flags, ro, func(h luabridge.Host, w luabridge.Writer) {
		ev.Run(sc, keys, argv, h, w)
	})
}

// SCRIPT LOAD script
func cmdScriptLoad(s *Session, args [][]byte) {
	sc, err := s.e.evalEngine().Create(args[2])
	if err != nil {
		s.w.Error("ERR " + err.Error())
		return
	}
	s.w.BulkString(sc.SHA)
}

// SCRIPT EXISTS sha1 [sha1 ...]
func cmdScriptExists(s *Session, args [][]byte) {
	s.w.Array(len(args) - 2)
	ev := s.e.scripts.eval
	for _, sha := range args[2:] {
		if ev != nil && ev.Lookup(sha) != nil {
			s.w.Int(1)
		} else {
			s.w.Int(0)
		}
	}
}

// SCRIPT FLUSH [ASYNC | SYNC]
func cmdScriptFlush(s *Session, args [][]byte) {
	if len(args) > 3 || (len(args) == 3 && !equalFold(args[2], "sync") && !equalFold(args[2], "async")) {
		s.w.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
		return
	}
	if ev := s.e.scripts.eval; ev != nil {
		ev.Flush()
	}
	s.w.OK()
}

// SCRIPT KILL, FUNCTION KILL (Redis's scriptKill).
func (s *Session) scriptKill(isEval bool) {
	r := s.e.scripts.run
	switch {
	case r == nil:
		s.w.Error("NOTBUSY No scripts in execution right now.")
	case r.caller.fromMaster:
		s.w.Error("UNKILLABLE The busy script was sent by a master instance in the context of replication and cannot be killed.")
	case r.writeDirty:
		s.w.Error("UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.")
	case isEval && !r.eval:
		s.w.Error(errBusyFunction)
	case !isEval && r.eval:
		s.w.Error(errBusyEval)
	default:
		r.killed = true
		s.w.OK()
	}
}

// SCRIPT HELP
func cmdScriptHelp(s *Session, args [][]byte) {
	writeHelp(&s.w, "SCRIPT", []string{
		"DEBUG (YES|SYNC|NO)",
		"    Set the debug mode for subsequent scripts executed.",
		"EXISTS <sha1> [<sha1> ...]",
		"    Return information about the existence of the scripts in the script cache.",
		"FLUSH [ASYNC|SYNC]",
		"    Flush the Lua scripts cache. Very dangerous on replicas.",
		"    When called without the optional mode argument, the behavior is determined by the",
		"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
		"    * ASYNC: Asynchronously flush the scripts cache.",
		"    * SYNC: Synchronously flush the scripts cache.",
		"KILL",
		"    Kill the currently executing Lua script.",
		"LOAD <script>",
		"    Load a script into the scripts cache without executing it.",
	})
}

// FCALL function numkeys [key [key ...]] [arg [arg ...]]
// FCALL_RO: the same, refusing writes.
func (s *Session) fcallGeneric(args [][]byte, ro bool) {
	s.feedMonitors(args)
	var fn *luabridge.Function
	if f := s.e.scripts.funcs; f != nil {
		fn = f.LookupBytes(args[1])
	}
	if fn == nil {
		s.w.Error("ERR Function not found")
		return
	}
	n, ok := s.numKeys(args, "ERR Bad number of keys provided")
	if !ok {
		return
	}
	funcs := s.e.scripts.funcs
	keys, argv := args[3:3+n], args[3+n:]
	s.runScript(false, fn.Name, fn.Flags, ro, func(h luabridge.Host, w luabridge.Writer) {
		funcs.Call(fn, keys, argv, h, w)
	})
}

// FUNCTION LOAD [REPLACE] function-code
func cmdFunctionLoad(s *Session, args [][]byte) {
	replace := false
	i := 2
	for ; i < len(args)-1; i++ {
		if !equalFold(args[i], "replace") {
			s.w.Error("ERR Unknown option given: " + string(args[i]))
			return
		}
		replace = true
	}
	if i >= len(args) {
		s.w.Error("ERR Function code is missing")
		return
	}
	name, err := s.e.functionsEngine().Load(args[i], replace, !s.fromMaster && !s.replaying)
	if err != nil {
		s.w.Error("ERR " + err.Error())
		return
	}
	s.e.dirty++
	s.w.BulkString(name)
}

// FUNCTION DELETE library-name
func cmdFunctionDelete(s *Session, args [][]byte) {
	f := s.e.scripts.funcs
	if f == nil || !f.Delete(string(args[2])) {
		s.w.Error("ERR Library not found")
		return
	}
	s.e.dirty++
	s.w.OK()
}

// FUNCTION FLUSH [ASYNC | SYNC]
func cmdFunctionFlush(s *Session, args [][]byte) {
	if len(args) > 3 {
		s.w.Error("ERR unknown subcommand or wrong number of arguments for '" + truncateArg(args[1]) + "'. Try FUNCTION HELP.")
		return
	}
	if len(args) == 3 && !equalFold(args[2], "sync") && !equalFold(args[2], "async") {
		s.w.Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
		return
	}
	if f := s.e.scripts.funcs; f != nil {
		f.Flush()
	}
	s.e.dirty++
	s.w.OK()
}

// FUNCTION LIST [LIBRARYNAME library-name-pattern] [WITHCODE]
func cmdFunctionList(s *Session, args [][]byte) {
	withCode := false
	pattern, havePattern := "", false
	for i := 2; i < len(args); i++ {
		switch {
		case !withCode && equalFold(args[i], "withcode"):
			withCode = true
		case !havePattern && equalFold(args[i], "libraryname"):
			if i >= len(args)-1 {
				s.w.Error("ERR library name argument was not given")
				return
			}
			i++
			pattern, havePattern = string(args[i]), true
		default:
			s.w.Error("ERR Unknown argument " + string(args[i]))
			return
		}
	}
	var libs []*luabridge.Library
	if f := s.e.scripts.funcs; f != nil {
		for _, l := range f.Libraries() {
			if !havePattern || globMatch(pattern, l.Name, true) {
				libs = append(libs, l)
			}
		}
	}
	w := &s.w
	w.Array(len(libs))
	for _, l := range libs {
		if withCode {
			w.Map(4)
		} else {
			w.Map(3)
		}
		w.BulkString("library_name")
		w.BulkString(l.Name)
		w.BulkString("engine")
		w.BulkString(l.Engine)
		w.BulkString("functions")
		fns := l.SortedFunctions()
		w.Array(len(fns))
		for _, fn := range fns {
			w.Map(3)
			w.BulkString("name")
			w.BulkString(fn.Name)
			w.BulkString("description")
			if fn.Desc != "" {
				w.BulkString(fn.Desc)
			} else {
				w.Null()
			}
			w.BulkString("flags")
			names := fn.Flags.Names()
			w.Set(len(names))
			for _, n := range names {
				w.Simple(n) // functionListReplyFlags: status replies
			}
		}
		if withCode {
			w.BulkString("library_code")
			w.Bulk(l.Code)
		}
	}
}

// functionsPayload is what FUNCTION DUMP and the RDB file hold of the
// libraries: each one's code after the RDB_OPCODE_FUNCTION2 opcode.
func (e *Engine) functionsPayload(b []byte) []byte {
	if e.scripts.funcs == nil {
		return b
	}
	compress := e.config.bool("rdbcompression")
	for _, l := range e.scripts.funcs.Libraries() {
		b = append(b, rdb.OpFunction2)
		b = rdb.AppendString(b, string(l.Code), compress)
	}
	return b
}

// FUNCTION DUMP
func cmdFunctionDump(s *Session, args [][]byte) {
	s.w.Bulk(rdb.AppendDumpFooter(s.e.functionsPayload(nil)))
}

// FUNCTION RESTORE serialized-value [FLUSH | APPEND | REPLACE]
func cmdFunctionRestore(s *Session, args [][]byte) {
	if len(args) > 4 {
		s.w.Error("ERR unknown subcommand or wrong number of arguments for '" + truncateArg(args[1]) + "'. Try FUNCTION HELP.")
		return
	}
	policy := "APPEND"
	if len(args) == 4 {
		policy = strings.ToUpper(string(args[3]))
		if policy != "APPEND" && policy != "REPLACE" && policy != "FLUSH" {
			s.w.Error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
			return
		}
	}
	data := args[2]
	if !rdb.VerifyDumpPayload(data, s.e.skipChecksum) {
		s.w.Error("ERR DUMP payload version or checksum are wrong")
		return
	}
	codes, err := rdb.DecodeFunctions(data[:len(data)-10])
	if err != nil {
		s.w.Error("ERR " + err.Error())
		return
	}
	f := s.e.functionsEngine()
	set := f.NewSet()
	for _, code := range codes {
		if _, err := f.LoadInto(set, code, false, false); err != nil {
			s.w.Error("ERR " + err.Error())
			return
		}
	}
	if err := f.Restore(set, policy); err != nil {
		s.w.Error("ERR " + err.Error())
		return
	}
	s.e.dirty++
	s.w.OK()
}

// FUNCTION STATS
func cmdFunctionStats(s *Session, args [][]byte) {
	r := s.e.scripts.run
	if r != nil && r.eval {
		s.w.Error(errBusyEval)
		return
	}
	w := &s.w
	w.Map(2)
	w.BulkString("running_script")
	if r == nil {
		w.Null()
	} else {
		w.Map(3)
		w.BulkString("name")
		w.BulkString(r.name)
		w.BulkString("command")
		w.Array(len(r.args))
		for _, a := range r.args {
			w.Bulk(a)
		}
		w.BulkString("duration_ms")
		w.Int(time.Since(r.start).Milliseconds())
	}
	w.BulkString("engines")
	w.Map(1)
	w.BulkString("LUA")
	libs, funcs := 0, 0
	if f := s.e.scripts.funcs; f != nil {
		libs, funcs = f.Counts()
	}
	w.Map(2)
	w.BulkString("libraries_count")
	w.Int(int64(libs))
	w.BulkString("functions_count")
	w.Int(int64(funcs))
}

// FUNCTION HELP
func cmdFunctionHelp(s *Session, args [][]byte) {
	writeHelp(&s.w, "FUNCTION", []string{
		"LOAD [REPLACE] <FUNCTION CODE>",
		"    Create a new library with the given library name and code.",
		"DELETE <LIBRARY NAME>",
		"    Delete the given library.",
		"LIST [LIBRARYNAME PATTERN] [WITHCODE]",
		"    Return general information on all the libraries:",
		"    * Library name",
		"    * The engine used to run the Library",
		"    * Library description",
		"    * Functions list",
		"    * Library code (if WITHCODE is given)",
		"    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
		"STATS",
		"    Return information about the current function running:",
		"    * Function name",
		"    * Command used to run the function",
		"    * Duration in MS that the function is running",
		"    If no function is running, return nil",
		"    In addition, returns a list of available engines.",
		"KILL",
		"    Kill the current running function.",
		"FLUSH [ASYNC|SYNC]",
		"    Delete all the libraries.",
		"    When called without the optional mode argument, the behavior is determined by the",
		"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
		"    * ASYNC: Asynchronously flush the libraries.",
		"    * SYNC: Synchronously flush the libraries.",
		"DUMP",
		"    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
		"RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
		"    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
		"    control how to handle existing libraries (default APPEND):",
		"    * FLUSH: delete all existing libraries.",
		"    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
		"    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
		"      libraries with the new libraries (notice that even on this option there is a chance of failure",
		"      in case of functions name collision with another library).",
	})
}
