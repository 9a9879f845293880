package engine

import (
	"runtime/debug"
	"strconv"
	"strings"
)

// Panic isolation. A panic inside a command handler is a bug, but one
// client's bad input must not take the server and every other client's
// data down with it. A panic in a command becomes an -ERR reply to that
// command with a short reason (its partial reply dropped), is counted in
// INFO errorstats and the command's failed_calls, and a bug report with
// the stack goes to the server log. The engine's lock is held by
// Exec/ExecBatch, which outlive the recover and release it as usual; the
// session's lock is released by the recover. Inside EXEC each queued
// command answers the error in its own slot of the EXEC array.
//
// The recover sits once around a whole batch (runBatch), not around
// every command: a deferred recover per command costs about 10 ns, as
// much as PING's handler. dispatch notes the running command in s.run
// for it. The rare paths that run commands outside the batch loop (EXEC's
// queue, commands held by CLIENT PAUSE, blocked clients being served)
// recover per command.
//
// Each panic the tests catch through this is a bug to fix; the counter
// (serverState.panics) lets them see one the reply would hide.

// panicReasonMax bounds the reason quoted in the error reply.
const panicReasonMax = 128

// runningCommand is the command dispatch is running: what a panic is
// reported against.
type runningCommand struct {
	cmd  *Command // nil before the lookup
	args [][]byte
	mark int // where its reply starts in the session's buffer
}

// name is the command's name for the error and the log.
func (r runningCommand) name() string {
	if r.cmd != nil {
		return r.cmd.Name
	}
	if len(r.args) > 0 {
		return strings.ToLower(truncateArg(r.args[0]))
	}
	return "?"
}

// recoverDispatch is deferred by Exec and runBatch (it must call recover
// itself). A panic in a command answers and reports it, releases the
// session's lock and sets the batch's status as execLocked would; done
// tells runBatch whether the batch ends. A panic outside any command (in
// the host's next function) closes this client only.
func (s *Session) recoverDispatch(st *Status, done *bool) {
	r := recover()
	if r == nil {
		return
	}
	stack := debug.Stack()
	e := s.e
	if !s.dispatching {
		e.srv.panics++
		e.logPanic(s, "", nil, panicReason(r), stack)
		*st, *done = StatusClose, true
		return
	}
	run := s.run
	s.commandPanicked(run.cmd, run.name(), run.args, run.mark, panicReason(r), stack)
	s.afterReply(run.mark)
	// What the command queued for the AOF and replicas before panicking
	// did reach the dataset: it ends this unit, as in execLocked.
	if len(e.prop.pending) > 0 {
		e.flushPropagation()
	}
	s.dispatching = false
	e.current = nil
	s.mu.Unlock()
	if len(e.readyKeys) > 0 {
		e.serveReadyKeys()
	}
	*st = 0
	if s.closeAfterReply || s.closed {
		*st |= StatusClose
	}
	if s.blocked != nil {
		*st |= StatusBlocked
	}
	*done = *st != 0
}

// callProtected is call with its own recover, for commands run outside
// the batch loop's: EXEC's queued commands.
func (s *Session) callProtected(cmd *Command, args [][]byte) {
	mark := len(s.w.buf)
	defer func() {
		if r := recover(); r != nil {
			s.commandPanicked(cmd, cmd.Name, args, mark, panicReason(r), debug.Stack())
		}
	}()
	s.call(cmd, args)
}

// dispatchProtected is dispatch with its own recover, for a command held
// by CLIENT PAUSE and run when the pause ends (s is locked by the caller).
func (s *Session) dispatchProtected(args [][]byte) {
	mark := len(s.w.buf)
	defer func() {
		if r := recover(); r != nil {
			run := s.run
			if run.mark != mark {
				run = runningCommand{nil, args, mark}
			}
			s.commandPanicked(run.cmd, run.name(), args, mark, panicReason(r), debug.Stack())
			s.afterReply(mark)
		}
	}()
	s.dispatch(args)
}

// retryBlocked serves a blocked session whose key received data; a panic
// in the retry answers the blocked client with an error and unblocks it.
func (s *Session) retryBlocked(b *blockState) (served bool) {
	mark := len(s.w.buf)
	defer func() {
		if r := recover(); r != nil {
			s.commandPanicked(nil, s.lastCmd, nil, mark, panicReason(r), debug.Stack())
			served = true
		}
	}()
	return b.retry(s)
}

// commandPanicked answers and reports a command's panic. cmd, when known,
// is charged a failed call.
func (s *Session) commandPanicked(cmd *Command, name string, args [][]byte, mark int, reason string, stack []byte) {
	e := s.e
	e.srv.panics++
	// Drop whatever the command wrote: a half-written array would make
	// the client misread every later reply.
	if mark <= len(s.w.buf) {
		s.w.buf = s.w.buf[:mark]
	}
	// A command that parked the session before panicking must not leave
	// it waiting; an EXEC that panicked outside its queued commands ends
	// the transaction.
	if s.blocked != nil {
		s.unblock()
	}
	if name == "exec" {
		s.inExec = false
		s.multi = nil
	}
	short := reason
	if len(short) > panicReasonMax {
		short = short[:panicReasonMax]
	}
	s.w.Error("ERR internal error in '" + name + "' command: " + short)
	if cmd != nil {
		st := e.stat(cmd)
		st.calls++
		st.failed++
		e.stats.commands++
	}
	e.logPanic(s, name, args, reason, stack)
}

// panicReason words a recovered value without fmt (the wasm build links
// none).
func panicReason(r any) string {
	switch v := r.(type) {
	case error:
		return v.Error()
	case string:
		return v
	case interface{ String() string }:
		return v.String()
	case int:
		return strconv.Itoa(v)
	}
	return "panic"
}

// logPanic writes a bug report as Redis's (debug.c bugReportStart...):
// the reason, the stack and the client's command, one log line each. The
// first panic of a command is reported in full; later ones of the same
// command only by one line, so a client that repeats a crashing command
// cannot flood the log with stacks.
func (e *Engine) logPanic(s *Session, name string, args [][]byte, reason string, stack []byte) {
	if e.log == nil {
		return
	}
	if e.srv.panicked == nil {
		e.srv.panicked = map[string]int64{}
	}
	e.srv.panicked[name]++
	if n := e.srv.panicked[name]; n > 1 {
		e.log("Panic in command '" + name + "' again (" + strconv.FormatInt(n, 10) + " times): " + reason)
		return
	}
	e.log("=== GOREDIS BUG REPORT START: Cut & paste starting from here ===")
	if name == "" {
		e.log("Panic outside any command (the client is closed, the server goes on): " + reason)
	} else {
		e.log("Panic in command '" + name + "' (answered with an error, the server goes on): " + reason)
	}
	e.log("------ STACK TRACE ------")
	for _, line := range strings.Split(strings.TrimRight(string(stack), "\n"), "\n") {
		e.log(line)
	}
	e.log("------ CURRENT CLIENT INFO ------")
	e.log("client: id=" + strconv.FormatInt(s.id, 10) + " addr=" + s.info.Addr)
	for i, a := range args {
		if i == 16 {
			e.log("... " + strconv.Itoa(len(args)-i) + " more arguments")
			break
		}
		e.log("argv[" + strconv.Itoa(i) + "]: '" + printableArg(a) + "'")
	}
	e.log("=== GOREDIS BUG REPORT END. Make sure to include from START to END. ===")
}

// printableArg is an argument cut to 128 bytes with control bytes escaped,
// so a log line stays one line.
func printableArg(a []byte) string {
	if len(a) > 128 {
		a = a[:128]
	}
	var b strings.Builder
	for _, c := range a {
		if c < 0x20 || c >= 0x7f || c == '\\' || c == '\'' {
			const hex = "0123456789abcdef"
			b.WriteString(`\x`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
