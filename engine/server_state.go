package engine

import (
	"sort"
	"strings"
	"sync/atomic"
	"time"
)

// serverState is what the server command family keeps besides the
// keyspace: error counts for INFO errorstats, the slow log, latency
// events, the last save time and identifiers INFO reports.
type serverState struct {
	// inst holds the instantaneous_* rates of INFO stats (clientstats.go).
	inst [instMetricCount]instMetric
	// lastMigrateSweep is the second the idle MIGRATE connections were
	// last closed.
	lastMigrateSweep int64
	errors           map[string]int64
	totalErrors      int64
	// unexpectedErrors counts errors the master's stream got here.
	unexpectedErrors int64
	lastSave         int64 // unix seconds
	runID            string
	replID           string
	// replID2 is the previous history's ID, valid up to the offset
	// repl.secondOffset (after a promotion); zeroReplID when none.
	replID2    string
	peakMemory uint64

	slowlog       []slowlogEntry // newest first
	slowlogNextID int64

	latency map[string]*latencyEvent
	// hists are the per-command latency histograms (latency-tracking).
	hists map[*Command]*latencyHist

	// CLIENT PAUSE: until pauseEnd (unix ms, 0 when not paused) the
	// commands of paused (all, or only writes) wait in held, in order.
	pauseEnd int64
	pauseAll bool
	held     []heldCommand

	// panics counts handler panics turned into error replies (panic.go);
	// panicked counts them per command, so only the first is logged in
	// full.
	panics   int64
	panicked map[string]int64
}

type heldCommand struct {
	s    *Session
	args [][]byte
}

type slowlogEntry struct {
	id       int64
	time     int64 // unix seconds
	duration int64 // microseconds
	args     []string
	peer     string
	name     string
}

// latencyEvent keeps the samples of one latency monitor event.
type latencyEvent struct {
	samples []latencySample // oldest first, at most latencyHistoryLen
	max     int64
}

type latencySample struct {
	time     int64 // unix seconds
	duration int64 // milliseconds
}

const (
	slowlogMaxArgs    = 32
	slowlogMaxString  = 128
	latencyHistoryLen = 160
)

func (st *serverState) init(e *Engine) {
	st.errors = map[string]int64{}
	st.latency = map[string]*latencyEvent{}
	st.lastSave = e.started.Unix()
	st.runID = randomHex(e, 20)
	st.replID = randomHex(e, 20)
	st.replID2 = zeroReplID
}

// randomHex returns n random bytes in hex (run_id, master_replid). Not
// encoding/hex: it would pull fmt into the WebAssembly build.
func randomHex(e *Engine, n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 2*n)
	for i := 0; i < n; i++ {
		v := e.rand.UintN(256)
		b[2*i], b[2*i+1] = digits[v>>4], digits[v&15]
	}
	return string(b)
}

// countError records an error reply for INFO errorstats, keyed by its
// code (the first word, as Redis takes it from the first 32 bytes).
func (e *Engine) countError(msg string) {
	st := &e.srv
	st.totalErrors++
	code := "ERR"
	head := msg
	if len(head) > 32 {
		head = head[:32]
	}
	if i := strings.IndexByte(head, ' '); i > 0 {
		code = msg[:i]
	}
	if _, ok := st.errors[code]; !ok && len(st.errors) >= 128 {
		return // Redis stops tracking new codes past 128
	}
	st.errors[code]++
}

// afterCall feeds the slow log and the latency monitor with a finished
// command.
func (e *Engine) afterCall(s *Session, cmd *Command, args [][]byte, dur time.Duration) {
	us := int64(dur / time.Microsecond)
	event := "command"
	if cmd.flags&flagFast != 0 {
		event = "fast-command"
	}
	e.latencyAddSampleIfNeeded(event, int64(dur/time.Millisecond))
	if b := s.blocked; b != nil {
		// A blocked command is logged when it is served, with what
		// serving it cost (Redis's updateStatsOnUnblock).
		b.cmd, b.callUs = cmd, us
		b.args = make([][]byte, len(args))
		for i, a := range args {
			b.args[i] = append([]byte(nil), a...)
		}
		return
	}
	if e.config.latencyTracking {
		e.trackLatency(cmd, us)
	}
	if limit := e.config.slowlogSlowerThan; limit >= 0 && us >= limit && !hasFlag(cmd, "skip_slowlog") {
		e.slowlogPush(s, args, us)
	}
}

// updateStatsOnUnblock accounts a blocked command once it is served:
// its time (the call's and the serving's) in COMMANDSTATS, the latency
// histogram and the slow log, as Redis's updateStatsOnUnblock.
func (e *Engine) updateStatsOnUnblock(s *Session, b *blockState, reply time.Duration) {
	cmd := b.cmd
	if cmd == nil {
		return
	}
	replyUs := int64(reply / time.Microsecond)
	total := b.callUs + replyUs
	e.stat(cmd).usec += total
	if e.config.latencyTracking {
		e.trackLatency(cmd, total)
	}
	if limit := e.config.slowlogSlowerThan; limit >= 0 && total >= limit && !hasFlag(cmd, "skip_slowlog") {
		e.slowlogPush(s, b.args, total)
	}
	e.latencyAddSampleIfNeeded("command-unblocking", replyUs/1000)
}

func hasFlag(c *Command, flag string) bool {
	for _, f := range c.Flags {
		if f == flag {
			return true
		}
	}
	return false
}

func (e *Engine) slowlogPush(s *Session, args [][]byte, us int64) {
	st := &e.srv
	n := len(args)
	if n > slowlogMaxArgs {
		n = slowlogMaxArgs
	}
	out := make([]string, n)
	for i := 0; i < n; i++ {
		if i == slowlogMaxArgs-1 && len(args) > slowlogMaxArgs {
			out[i] = "... (" + itoa(int64(len(args)-slowlogMaxArgs+1)) + " more arguments)"
			break
		}
		a := args[i]
		if redactedArg(args, i) {
			a = []byte("(redacted)")
		}
		if len(a) > slowlogMaxString {
			out[i] = string(a[:slowlogMaxString]) + "... (" + itoa(int64(len(a)-slowlogMaxString)) + " more bytes)"
		} else {
			out[i] = string(a)
		}
	}
	entry := slowlogEntry{id: st.slowlogNextID, time: e.nowMs / 1000, duration: us, args: out, peer: s.info.Addr, name: s.name}
	st.slowlogNextID++
	st.slowlog = append([]slowlogEntry{entry}, st.slowlog...)
	if max := e.config.int("slowlog-max-len"); int64(len(st.slowlog)) > max {
		st.slowlog = st.slowlog[:max]
	}
}

// latencyAddSampleIfNeeded records ms for event when the latency monitor
// is on and ms reaches its threshold (Redis's macro of that name).
func (e *Engine) latencyAddSampleIfNeeded(event string, ms int64) {
	if limit := e.config.latencyThreshold; limit > 0 && ms >= limit {
		e.latencyAdd(event, ms)
	}
}

func (e *Engine) latencyAdd(event string, ms int64) {
	ev := e.srv.latency[event]
	if ev == nil {
		ev = &latencyEvent{}
		e.srv.latency[event] = ev
	}
	now := e.nowMs / 1000
	if n := len(ev.samples); n > 0 && ev.samples[n-1].time == now {
		// One sample per second, keeping the worst, as Redis does.
		if ms > ev.samples[n-1].duration {
			ev.samples[n-1].duration = ms
		}
	} else {
		ev.samples = append(ev.samples, latencySample{now, ms})
		if len(ev.samples) > latencyHistoryLen {
			ev.samples = ev.samples[1:]
		}
	}
	if ms > ev.max {
		ev.max = ms
	}
}

func (st *serverState) latencyEvents() []string {
	out := make([]string, 0, len(st.latency))
	for name := range st.latency {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// resetStats is CONFIG RESETSTAT: counters, command and error statistics.
func (e *Engine) resetStats() {
	e.stats = stats{blockedClients: e.stats.blockedClients}
	e.evict.evicted, e.evict.exceededTotal = 0, 0
	e.srv.peakMemory = 0
	for _, c := range []*atomic.Int64{&e.net.inBytes, &e.net.outBytes, &e.net.replInBytes, &e.net.replOutBytes, &e.net.reads, &e.net.writes} {
		c.Store(0)
	}
	e.srv.errors = map[string]int64{}
	e.srv.totalErrors = 0
	e.replyBuf.shrinks, e.replyBuf.expands = 0, 0
	e.srv.unexpectedErrors = 0
	e.srv.hists = nil
	clear(e.cmdStats)
}

// clientsPaused is Redis's checkClientPauseTimeoutAndReturnIfPaused: while
// clients are paused (CLIENT PAUSE, a failover) the dataset stays still,
// so expiry hides keys without deleting them and nothing is evicted.
func (e *Engine) clientsPaused() bool {
	if e.srv.pauseEnd != 0 && e.nowMs >= e.srv.pauseEnd {
		e.srv.pauseEnd, e.srv.pauseAll = 0, false
	}
	return e.srv.pauseEnd != 0 || e.repl.failover != nil || e.shutdownInitiated()
}

// pauseHolds reports whether CLIENT PAUSE holds back cmd: every command in
// ALL mode, in WRITE mode writes and an EXEC of queued writes. A FAILOVER
// under way holds writes back too (failover.go).
func (e *Engine) pauseHolds(s *Session, cmd *Command) bool {
	if e.srv.pauseEnd != 0 && e.nowMs >= e.srv.pauseEnd {
		e.srv.pauseEnd, e.srv.pauseAll = 0, false
	}
	if e.srv.pauseEnd != 0 {
		if e.srv.pauseAll || cmd.flags&flagWrite != 0 || mayReplicate(cmd) {
			return true
		}
		if cmd.Name == "exec" && s.multi != nil {
			// Redis's mstate.cmd_flags: the queued commands' flags as the
			// gate sees them (a script's declared flags for EVAL/FCALL).
			for _, q := range s.multi.queue {
				g := q.cmd
				if g.flags&flagScriptFlags != 0 {
					g = s.scriptGateCommand(q.cmd, q.args)
				}
				if g.flags&flagWrite != 0 || mayReplicate(g) {
					return true
				}
			}
		}
	}
	return e.failoverHolds(s, cmd) || e.shutdownHolds(s, cmd)
}

// holdForPause parks the session, as Redis postpones a paused client: the
// host stops running its commands until the pause ends (its deadline, or
// CLIENT UNPAUSE), when the held command runs.
func (s *Session) holdForPause(args [][]byte) {
	e := s.e
	cp := make([][]byte, len(args))
	for i, a := range args {
		cp[i] = append([]byte(nil), a...)
	}
	e.srv.held = append(e.srv.held, heldCommand{s, cp})
	s.block(nil, e.srv.pauseEnd, func(*Session) bool { return false }, func(s *Session) {
		// The pause deadline passed (CheckTimeout, locks held).
		e.releaseHeld(s)
		e.serveReadyKeys()
	})
}

// releaseHeld runs the command s was holding; s is locked and unblocked.
func (e *Engine) releaseHeld(s *Session) {
	for i, h := range e.srv.held {
		if h.s != s {
			continue
		}
		e.srv.held = append(e.srv.held[:i:i], e.srv.held[i+1:]...)
		if s.closed {
			return
		}
		prev := e.current
		e.current = s
		s.dispatchProtected(h.args)
		if s.stream != nil {
			e.resumeStream(s)
		}
		e.current = prev
		return
	}
}

// isHeld reports whether a pause holds s's command back.
func (e *Engine) isHeld(s *Session) bool {
	for _, h := range e.srv.held {
		if h.s == s {
			return true
		}
	}
	return false
}

// unpause ends CLIENT PAUSE and runs the held commands in arrival order.
func (e *Engine) unpause(self *Session) {
	e.srv.pauseEnd, e.srv.pauseAll = 0, false
	e.releaseHeldCommands(self)
}

// releaseHeldCommands runs, in arrival order, the held commands that no
// pause holds any more; self is the session running the current command.
func (e *Engine) releaseHeldCommands(self *Session) {
	held := append([]heldCommand(nil), e.srv.held...)
	for _, h := range held {
		s := h.s
		if s.blocked == nil {
			continue
		}
		if e.repl.failover != nil || e.shutdownInitiated() {
			if cmd := e.lookupCommand(h.args[0]); cmd != nil && (e.failoverHolds(s, cmd) || e.shutdownHolds(s, cmd)) {
				continue
			}
		}
		if s != self {
			s.mu.Lock()
		}
		s.unblock()
		e.releaseHeld(s)
		if s != self {
			s.mu.Unlock()
			s.notify()
		}
	}
}
