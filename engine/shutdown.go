package engine

import (
	"strconv"
	"strings"
)

// Shutting down as Redis 7.0 does (src/server.c prepareForShutdown,
// finishShutdown, abortShutdown; db.c shutdownCommand): SHUTDOWN and the
// signals the host passes on (SIGTERM, SIGINT) take one path. Unless NOW
// is given or shutdown-timeout is 0, a master with replicas behind its
// offset pauses writes, asks the replicas for their offsets, and waits
// for them to catch up or for the timeout; the cron finishes the shutdown
// then. SHUTDOWN clients stay blocked meanwhile; SHUTDOWN ABORT (or a
// failed final save) cancels it, and they get an error.

// shutdownFlags are Redis's SHUTDOWN_* flags.
type shutdownFlags struct {
	save, nosave, now, force bool
}

// shutdownState is what a shutdown under way keeps.
type shutdownState struct {
	flags shutdownFlags
	// deadlineMs is Redis's shutdown_mstime: when the wait for replicas
	// ends; 0 while no shutdown is initiated.
	deadlineMs int64
	// waiting are the SHUTDOWN clients blocked until it ends.
	waiting []*Session
}

const (
	errShutdownFailed = "ERR Errors trying to SHUTDOWN. Check logs."
	errNoShutdown     = "ERR No shutdown in progress."
)

// SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]
func cmdShutdown(s *Session, args [][]byte) {
	var f shutdownFlags
	abort := false
	for _, a := range args[1:] {
		switch {
		case equalFold(a, "nosave"):
			f.nosave = true
		case equalFold(a, "save"):
			f.save = true
		case equalFold(a, "now"):
			f.now = true
		case equalFold(a, "force"):
			f.force = true
		case equalFold(a, "abort"):
			abort = true
		default:
			s.w.Error(errSyntax)
			return
		}
	}
	if (abort && (f != shutdownFlags{})) || (f.save && f.nosave) {
		s.w.Error(errSyntax)
		return
	}
	e := s.e
	if abort {
		if e.abortShutdown() {
			s.w.OK()
		} else {
			s.w.Error(errNoShutdown)
		}
		return
	}
	if e.onShutdown == nil {
		// No host to stop (the wasm playground).
		s.w.Error(errShutdownFailed)
		return
	}
	if !f.now && s.inExec {
		// Redis's CLIENT_DENY_BLOCKING (a transaction, a script).
		s.w.Error("ERR SHUTDOWN without NOW or ABORT isn't allowed for DENY BLOCKING client")
		return
	}
	// Blocked first, as Redis: a failure answers every blocked SHUTDOWN,
	// this one included; a shutdown already under way keeps it waiting.
	s.block(nil, 0, nil, func(*Session) {})
	e.shut.waiting = append(e.shut.waiting, s)
	e.prepareForShutdown(f)
}

// shutdownInitiated is Redis's isShutdownInitiated.
func (e *Engine) shutdownInitiated() bool { return e.shut.deadlineMs != 0 }

// prepareForShutdown starts a shutdown: at once, or after the replicas
// caught up (the cron then finishes it). It reports whether the server
// stops now.
func (e *Engine) prepareForShutdown(f shutdownFlags) bool {
	if e.shutdownInitiated() {
		return false
	}
	if e.persist.loading != nil || e.persist.asyncLoading != nil {
		// Saving half a dataset would overwrite the good dump.
		f.save, f.nosave = false, true
	}
	e.shut.flags = f
	if e.shutdownStarting != nil {
		// The host logs "User requested shutdown..." and tells systemd.
		e.shutdownStarting()
	}
	if !f.now && e.config.int("shutdown-timeout") != 0 && !e.readyToShutdown() {
		if !e.clientsPaused() {
			e.requestAcks()
		}
		e.shut.deadlineMs = e.nowMs + e.config.int("shutdown-timeout")*1000
		e.logLine("Waiting for replicas before shutting down.")
		return false
	}
	return e.finishShutdown()
}

// readyToShutdown is Redis's isReadyToShutdown: every replica
// acknowledged the whole stream.
func (e *Engine) readyToShutdown() bool {
	for _, l := range e.repl.replicas {
		if l.ackOffset != e.repl.offset {
			return false
		}
	}
	return true
}

// finishShutdown is the last step: the replicas' state in the log, the
// AOF and the final save; then the host stops. On an error the shutdown
// is cancelled and the server goes on.
func (e *Engine) finishShutdown() bool {
	f := e.shut.flags
	lagging := 0
	for _, l := range e.repl.replicas {
		if l.ackOffset == e.repl.offset {
			continue
		}
		lagging++
		lag := int64(0)
		if l.online {
			lag = e.now().Unix() - l.ackTime.Unix()
		}
		e.warnLine("Lagging replica " + l.desc() + " reported offset " + strconv.FormatInt(e.repl.offset-l.ackOffset, 10) +
			" behind master, lag=" + strconv.FormatInt(lag, 10) + ", state=" + l.state() + ".")
	}
	if n := len(e.repl.replicas); n > 0 {
		e.logLine(strconv.Itoa(n-lagging) + " of " + strconv.Itoa(n) + " replicas are in sync when shutting down.")
	}
	if err := e.finalSave(f.save, f.nosave, f.force); err != nil && !f.force {
		e.warnLine("Errors trying to shut down the server. Check the logs for more information.")
		e.cancelShutdown()
		return false
	}
	e.shutdown = true
	for _, s := range e.shut.waiting {
		// Like Redis, the clients get no reply: the host closes everything.
		s.closeAfterReply = true
	}
	// Done: the host stops (an embedding host that goes on may shut
	// down again).
	e.shut = shutdownState{}
	e.shutAsap.Store(false)
	e.onShutdown()
	return true
}

// cancelShutdown is Redis's cancelShutdown: the blocked SHUTDOWN clients
// get an error and the writes the wait held go on.
func (e *Engine) cancelShutdown() {
	e.shutAsap.Store(false)
	e.shut.flags = shutdownFlags{}
	e.shut.deadlineMs = 0
	waiting := e.shut.waiting
	e.shut.waiting = nil
	for _, s := range waiting {
		b := s.blocked
		if b == nil || s.closed {
			continue
		}
		if s != e.current {
			s.mu.Lock()
		}
		s.unblock()
		if s != e.current {
			s.mu.Unlock()
		}
		s.pushAsync(func(w *Writer) { s.writeUnblocked(b, func() { w.Error(errShutdownFailed) }) })
	}
	e.releaseHeldCommands(e.current)
}

// abortShutdown is SHUTDOWN ABORT: it cancels a shutdown under way or
// one a signal asked for; false when there is none.
func (e *Engine) abortShutdown() bool {
	switch {
	case e.shutdownInitiated():
		e.cancelShutdown()
	case e.shutAsap.Load():
		e.shutAsap.Store(false)
	default:
		return false
	}
	e.logLine("Shutdown manually aborted.")
	return true
}

// shutdownHolds reports whether the wait for replicas holds cmd back:
// writes wait, as under CLIENT PAUSE WRITE (PAUSE_DURING_SHUTDOWN).
func (e *Engine) shutdownHolds(s *Session, cmd *Command) bool {
	return e.shutdownInitiated() && (s.writes(cmd) || mayReplicate(cmd))
}

// ShutdownSignal is the host's signal handler (SIGTERM, SIGINT): the
// shutdown starts at the next cron, with shutdown-on-sigterm's or
// shutdown-on-sigint's flags. It reports whether a shutdown was asked
// already (a second SIGINT makes Redis exit at once). It takes no lock.
func (e *Engine) ShutdownSignal(signal string) (again bool) {
	again = e.shutAsap.Swap(true)
	e.shutSignal.Store(&signal)
	return again
}

// ShutdownCron is the shutdown part of Redis's serverCron, which the host
// calls about every 100 ms: it starts the shutdown a signal asked for and
// finishes one once the replicas caught up or the timeout passed.
func (e *Engine) ShutdownCron() {
	if e.cronPaused.Load() {
		return
	}
	if !e.shutAsap.Load() {
		e.mu.Lock()
		initiated := e.shutdownInitiated()
		e.mu.Unlock()
		if !initiated {
			return
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.tick()
	switch {
	case e.shutAsap.Load() && !e.shutdownInitiated():
		var f shutdownFlags
		if sig := e.shutSignal.Load(); sig != nil {
			f = signalShutdownFlags(e, *sig)
		}
		if !e.prepareForShutdown(f) && !e.shutdownInitiated() {
			// The final save failed: the server goes on, and a new
			// signal may try again.
			e.shutAsap.Store(false)
		}
	case e.shutdownInitiated():
		if e.nowMs >= e.shut.deadlineMs || e.readyToShutdown() {
			e.finishShutdown()
		}
	}
}

// signalShutdownFlags are the flags shutdown-on-sigterm or
// shutdown-on-sigint gives a shutdown asked by that signal.
func signalShutdownFlags(e *Engine, signal string) shutdownFlags {
	var f shutdownFlags
	name := ""
	switch signal {
	case "SIGTERM":
		name = "shutdown-on-sigterm"
	case "SIGINT":
		name = "shutdown-on-sigint"
	default:
		return f
	}
	v, _ := e.config.get(name)
	for _, w := range strings.Fields(v) {
		switch w {
		case "save":
			f.save = true
		case "nosave":
			f.nosave = true
		case "now":
			f.now = true
		case "force":
			f.force = true
		}
	}
	return f
}

// shutdownInMs is INFO's shutdown_in_milliseconds, shown while a shutdown
// waits for replicas.
func (e *Engine) shutdownInMs() (int64, bool) {
	if !e.shutdownInitiated() {
		return 0, false
	}
	return e.shut.deadlineMs - e.nowMs, true
}
