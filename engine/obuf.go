package engine

import (
	"strconv"
	"strings"
)

// outputLimit is one class of client-output-buffer-limit: a hard limit in
// bytes, and a soft limit that may be exceeded for softSeconds.
type outputLimit struct {
	hard, soft, softSeconds int64
}

// mergeOutputLimits applies a client-output-buffer-limit value ("class hard
// soft seconds" repeated) over the current one, as Redis does: classes not
// named keep their limits. It returns the full normalized value.
func mergeOutputLimits(cur, v string) (string, [3]outputLimit, string) {
	lims, _ := parseOutputLimits(cur)
	f := strings.Fields(v)
	if len(f)%4 != 0 {
		return "", lims, "Wrong number of arguments in buffer limit configuration."
	}
	for i := 0; i < len(f); i += 4 {
		class := -1
		switch strings.ToLower(f[i]) {
		case "normal":
			class = 0
		case "slave", "replica":
			class = 1
		case "pubsub":
			class = 2
		}
		if class < 0 {
			return "", lims, "Invalid client class specified in buffer limit configuration."
		}
		hard, ok1 := parseMemory(f[i+1])
		soft, ok2 := parseMemory(f[i+2])
		secs, err := strconv.ParseInt(f[i+3], 10, 64)
		if !ok1 || !ok2 || err != nil || secs < 0 {
			return "", lims, "Error in hard, soft or soft_seconds setting in buffer limit configuration."
		}
		lims[class] = outputLimit{hard, soft, secs}
	}
	return formatOutputLimits(lims), lims, ""
}

func parseOutputLimits(v string) ([3]outputLimit, bool) {
	var lims [3]outputLimit
	f := strings.Fields(v)
	for i := 0; i+3 < len(f); i += 4 {
		hard, _ := parseMemory(f[i+1])
		soft, _ := parseMemory(f[i+2])
		secs, _ := strconv.ParseInt(f[i+3], 10, 64)
		switch strings.ToLower(f[i]) {
		case "normal":
			lims[0] = outputLimit{hard, soft, secs}
		case "slave", "replica":
			lims[1] = outputLimit{hard, soft, secs}
		case "pubsub":
			lims[2] = outputLimit{hard, soft, secs}
		}
	}
	return lims, true
}

func formatOutputLimits(lims [3]outputLimit) string {
	// Redis's CONFIG GET order and words ("replica" is shown as "slave").
	classes := [...]string{"normal", "slave", "pubsub"}
	var b []byte
	for i, l := range lims {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, classes[i]...)
		for _, n := range []int64{l.hard, l.soft, l.softSeconds} {
			b = append(b, ' ')
			b = strconv.AppendInt(b, n, 10)
		}
	}
	return string(b)
}

// Classes of client-output-buffer-limit, in CONFIG order.
const (
	obufNormal = iota
	obufReplica
	obufPubsub
)

func (c *Config) setOutputLimits(lims [3]outputLimit) {
	c.obuf = lims
	c.obufMin = 0
	for _, l := range lims {
		for _, n := range [2]int64{l.hard, l.soft} {
			if n > 0 && (c.obufMin == 0 || n < c.obufMin) {
				c.obufMin = n
			}
		}
	}
}

// replyListItemOverhead is Redis's sizeof(listNode)+sizeof(clientReplyBlock)
// on 64-bit systems, counted per reply block.
const replyListItemOverhead = 24 + 16

// replyList is the session's pending output as Redis would hold it: the
// first replyChunkBytes in the fixed buffer (obl), the rest in a list of
// oll reply blocks of omem bytes with their list overhead. Redis allocates
// a block of 16 KB plus its header, which jemalloc rounds up to 20 KB, and
// fills all of it; a large value gets a block of its own size, rounded up
// likewise. omem is what Redis's getClientOutputBufferMemoryUsage returns:
// what CLIENT LIST shows and the output limits are checked against.
func (w *Writer) replyList() (obl, oll, omem int64) {
	p := w.pending()
	obl = min(p, w.replyBufSize())
	list := p - obl
	if list == 0 {
		return obl, 0, 0
	}
	values, valueBytes := w.q.values, w.q.valueBytes
	if valueBytes > list {
		// Values reach into the fixed buffer.
		values, valueBytes = 1, list
	}
	small := list - valueBytes
	blocks := (small + replyBlockSize - 1) / replyBlockSize
	oll = values + blocks
	omem = blocks * replyBlockSize
	if values > 0 {
		omem += values * (jemallocSize(valueBytes/values+replyBlockHeader) - replyBlockHeader)
	}
	return obl, oll, omem + oll*replyListItemOverhead
}

const (
	// replyBlockHeader is sizeof(clientReplyBlock) before its data.
	replyBlockHeader = 16
	// replyBlockSize is the data a 16 KB reply block holds in Redis:
	// jemalloc's 20480-byte class less the header.
	replyBlockSize = 20480 - replyBlockHeader
)

// jemallocSize rounds an allocation of n bytes (n > 16 KB) up to its
// jemalloc size class: four classes per doubling.
func jemallocSize(n int64) int64 {
	if n <= 20480 {
		return 20480
	}
	shift := 0
	for v := n - 1; v > 1; v >>= 1 {
		shift++
	}
	step := int64(1) << (shift - 2)
	return (n + step - 1) / step * step
}

// outputUsage is replyList for any session, from a command of any: the
// running command's own session is locked already.
func (e *Engine) outputUsage(s *Session) (obl, oll, omem int64) {
	if s == e.current {
		return s.w.replyList()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.replyList()
}

// obufClass is the session's client-output-buffer-limit class, as Redis's
// getClientType: a replica (SYNC/PSYNC) is of the replica class,
// subscribed clients are pubsub (a MONITOR stays normal).
func (s *Session) obufClass() int {
	if s.replica != nil {
		return obufReplica
	}
	if s.pubsub.active() {
		return obufPubsub
	}
	return obufNormal
}

// afterOutput checks the output limits after a command, cheaply while the
// pending output is under every limit; a closed client's output is
// dropped (a transaction runs to its end after a limit closed its client).
// Called with s.mu held.
func (s *Session) afterOutput() {
	s.w.noteReplyBufPeak()
	if s.closed {
		if s.w.pending() > 0 {
			s.w.dropOutput()
		}
		return
	}
	if s.obufSoftSince != 0 || (s.e.config.obufMin > 0 && s.w.pending() > min(s.e.config.obufMin, s.w.replyBufSize())) {
		s.checkOutputLimit()
	}
}

// checkOutputLimit closes the client once its pending output crosses its
// class's hard limit, or has stayed over the soft limit longer than the
// soft seconds, as Redis's closeClientOnOutputBufferLimitReached: its
// replies are dropped unsent and the rest of its pipeline is not run. It
// reports whether the client is (now) closed. Called with s.mu held.
func (s *Session) checkOutputLimit() bool {
	return s.checkOutputLimitAt(true)
}

func (s *Session) checkOutputLimitAt(async bool) bool {
	if s.closed {
		return true
	}
	obl, oll, used := s.w.replyList()
	if l := s.replica; l != nil {
		used += l.heldBytes(s.e)
	}
	if used == 0 {
		// As Redis: the soft-limit clock is left as it was.
		return false
	}
	class := s.obufClass()
	lim := s.e.config.obuf[class]
	hardLimit := lim.hard
	if class == obufReplica && hardLimit > 0 {
		// As Redis 7: a replica's hard limit under repl-backlog-size is
		// raised to it, or a partial synchronization that the backlog
		// allows would be cut off at once.
		hardLimit = max(hardLimit, s.e.config.int("repl-backlog-size"))
	}
	hard := hardLimit > 0 && used >= hardLimit
	soft := false
	if lim.soft > 0 && used >= lim.soft {
		// In whole seconds, as Redis's server.unixtime.
		now := s.e.nowMs / 1000
		if s.obufSoftSince == 0 {
			s.obufSoftSince = now
		} else {
			soft = now-s.obufSoftSince > lim.softSeconds
		}
	} else {
		s.obufSoftSince = 0
	}
	if !hard && !soft {
		return false
	}
	line := s.e.clientInfoWith(s, nil, nil, obl, oll, used)
	if async {
		s.e.warnLine("Client " + line + " scheduled to be closed ASAP for overcoming of output buffer limits.")
	} else {
		s.e.warnLine("Client " + line + " closed for overcoming of output buffer limits.")
	}
	// Redis frees such a client without sending what it holds.
	s.w.dropOutput()
	s.closed = true
	s.noteMemory()
	s.kill()
	return true
}

// checkHeldOutput checks the output limits of a replica whose stream
// waits in the backlog (it has no output to trigger afterOutput). Locked.
func (s *Session) checkHeldOutput() {
	if s == s.e.current {
		s.checkOutputLimit()
		return
	}
	s.mu.Lock()
	closed := s.checkOutputLimit()
	s.mu.Unlock()
	if closed && s.info.Notify != nil {
		s.info.Notify()
	}
}

// outputAborted is for handlers whose reply can grow without bound (a
// huge random count): they stop once the client is closed for its output
// limit, as Redis's stop on CLIENT_CLOSE_ASAP.
//
// Past maxUnboundedReply the client is closed even without a limit: Redis
// would build SRANDMEMBER key -9223372036854775807 until memory runs out,
// taking every other client down with it; GoRedis drops that one client.
func (s *Session) outputAborted() bool {
	if s.closed {
		return true
	}
	if s.e.config.obufMin > 0 && s.w.pending() > s.e.config.obufMin {
		return s.checkOutputLimit()
	}
	if s.w.pending() > s.e.maxUnboundedReply {
		obl, oll, used := s.w.replyList()
		line := s.e.clientInfoWith(s, nil, nil, obl, oll, used)
		s.e.warnLine("Client " + line + " closed: one reply passed 1gb, the most GoRedis builds for a single command.")
		s.w.dropOutput()
		s.closed = true
		s.kill()
		return true
	}
	return false
}

// defaultMaxUnboundedReply bounds one reply of a command whose size the
// client chooses (a huge negative random count).
const defaultMaxUnboundedReply = 1 << 30

// checkOutputLimits applies the output limits to every client, as
// Redis's clientsCron does (ClientsCron): a client over its soft limit is
// closed once the soft seconds have passed even when no new output comes.
func (e *Engine) checkOutputLimits() {
	if e.config.obufMin == 0 {
		return
	}
	e.tick()
	for _, s := range e.sessions {
		s.mu.Lock()
		if s.obufSoftSince != 0 || s.w.pending() > s.w.replyBufSize() {
			s.checkOutputLimitAt(false)
		}
		s.mu.Unlock()
	}
}
