package engine

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/goredis-dev/goredis/engine/stream"
)

// Stream commands, as t_stream.c of Redis 7.0: argument checks in Redis's
// order, the same replies and errors, the same keyspace events, and the
// same propagation (XADD with the ID it generated and exact trimming,
// XREADGROUP and XCLAIM as XCLAIM ... FORCE JUSTID LASTID, XGROUP SETID
// after NOACK reads). The data structure lives in package stream.

func streamHandlers() []handlerEntry {
	return []handlerEntry{
		{"xadd", cmdXAdd},
		{"xrange", cmdXRange},
		{"xrevrange", cmdXRevRange},
		{"xlen", cmdXLen},
		{"xdel", cmdXDel},
		{"xtrim", cmdXTrim},
		{"xread", cmdXRead},
		{"xreadgroup", cmdXRead},
		{"xsetid", cmdXSetID},
		{"xack", cmdXAck},
		{"xpending", cmdXPending},
		{"xclaim", cmdXClaim},
		{"xautoclaim", cmdXAutoClaim},
		{"xgroup|create", cmdXGroup},
		{"xgroup|setid", cmdXGroup},
		{"xgroup|destroy", cmdXGroup},
		{"xgroup|createconsumer", cmdXGroup},
		{"xgroup|delconsumer", cmdXGroup},
		{"xgroup|help", cmdXGroup},
		{"xinfo|stream", cmdXInfo},
		{"xinfo|groups", cmdXInfo},
		{"xinfo|consumers", cmdXInfo},
		{"xinfo|help", cmdXInfo},
	}
}

const (
	errStreamID          = "ERR Invalid stream ID specified as stream command argument"
	errXAddIDSmall       = "ERR The ID specified in XADD is equal or smaller than the target stream top item"
	errXAddIDZero        = "ERR The ID specified in XADD must be greater than 0-0"
	errXAddExhausted     = "ERR The stream has exhausted the last possible ID, unable to add more items"
	errXAddTooLarge      = "ERR Elements are too large to be stored"
	errXTrimBoth         = "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"
	errXTrimMaxlen       = "ERR The MAXLEN argument must be >= 0."
	errXTrimLimit        = "ERR The LIMIT argument must be >= 0."
	errXTrimLimitNoStrat = "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"
	errXTrimNoStrategy   = "ERR syntax error, XTRIM must be called with a trimming strategy"
	errXTrimLimitNoApprx = "ERR syntax error, LIMIT cannot be used without the special ~ option"
	errXStartInterval    = "ERR invalid start ID for the interval"
	errXEndInterval      = "ERR invalid end ID for the interval"
	errXGroupNoKey       = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."
	errXBusyGroup        = "BUSYGROUP Consumer Group name already exists"
	errXEntriesRead      = "ERR value for ENTRIESREAD must be positive or -1"
	errXTimeoutNotInt    = "ERR timeout is not an integer or out of range"
)

// xreadBlockedDefaultCount is the COUNT of a blocked XREAD given none.
const xreadBlockedDefaultCount = 1000

var (
	argXClaim         = []byte("XCLAIM")
	argXGroup         = []byte("XGROUP")
	argSetID          = []byte("SETID")
	argCreateConsumer = []byte("CREATECONSUMER")
	argEntriesRead    = []byte("ENTRIESREAD")
	argZero           = []byte("0")
	argTime           = []byte("TIME")
	argRetryCount     = []byte("RETRYCOUNT")
	argForce          = []byte("FORCE")
	argJustID         = []byte("JUSTID")
	argLastID         = []byte("LASTID")
	argEquals         = []byte("=")
)

// streamNodeLimits are stream-node-max-bytes and -entries.
func (e *Engine) streamNodeLimits() stream.NodeLimits {
	return stream.NodeLimits{
		MaxBytes:   e.config.int("stream-node-max-bytes"),
		MaxEntries: e.config.int("stream-node-max-entries"),
	}
}

// streamDirty counts n changes that Redis counts without touching the key
// for WATCH (consumer group bookkeeping: server.dirty only).
func (s *Session) streamDirty(n int64) {
	s.e.dirty += n
	s.e.persist.dirty += n
}

// obeysClient is Redis's mustObeyClient: the master's stream or an AOF
// being replayed.
func (s *Session) obeysClient() bool { return s.fromMaster || s.replaying }

// parseStreamID reads an ID, writing Redis's error when it is invalid.
func (s *Session) parseStreamID(arg []byte, m stream.ParseMode) (stream.ID, bool) {
	id, _, ok := stream.Parse(arg, m)
	if !ok {
		s.w.Error(errStreamID)
	}
	return id, ok
}

func strictID(arg []byte) (stream.ID, bool) {
	id, _, ok := stream.Parse(arg, stream.ParseMode{Strict: true})
	return id, ok
}

// parseIntervalID reads a range bound: "(" makes it exclusive (and strict).
func (s *Session) parseIntervalID(arg []byte, missingSeq uint64) (id stream.ID, exclusive, ok bool) {
	if len(arg) > 1 && arg[0] == '(' {
		id, ok = s.parseStreamID(arg[1:], stream.ParseMode{Strict: true, MissingSeq: missingSeq})
		return id, true, ok
	}
	id, ok = s.parseStreamID(arg, stream.ParseMode{MissingSeq: missingSeq})
	return id, false, ok
}

// parseRangeBounds reads start and end with their exclusive forms.
func (s *Session) parseRangeBounds(startArg, endArg []byte) (start, end stream.ID, ok bool) {
	start, ex, ok := s.parseIntervalID(startArg, 0)
	if !ok {
		return
	}
	if ex {
		if start, ok = start.Incr(); !ok {
			s.w.Error(errXStartInterval)
			return
		}
	}
	end, ex, ok = s.parseIntervalID(endArg, math.MaxUint64)
	if !ok {
		return
	}
	if ex {
		if end, ok = end.Decr(); !ok {
			s.w.Error(errXEndInterval)
			return
		}
	}
	return start, end, true
}

// streamForRead looks key up as Redis's lookupKeyRead: nil when missing;
// bad when WRONGTYPE was written.
func streamForRead(s *Session, key []byte) (st *streamValue, bad bool) {
	st, _, bad = lookupObj[*streamValue](s, key)
	return st, bad
}

// streamForWrite is lookupKeyWrite's form.
func streamForWrite(s *Session, key []byte) (st *streamValue, bad bool) {
	st, _, bad = lookupObjWrite[*streamValue](s, key)
	return st, bad
}

func (s *Session) writeStreamID(id stream.ID) {
	var buf [42]byte
	s.w.Bulk(id.Append(buf[:0]))
}

// writeEntry writes one entry as [id, [field, value, ...]] from an
// iterator positioned on it.
func (s *Session) writeEntry(it *stream.Iterator, id stream.ID, numFields int64) {
	s.w.Array(2)
	s.writeStreamID(id)
	s.w.Array(int(numFields * 2))
	for range numFields {
		f, v := it.Field()
		s.w.Bulk(f)
		s.w.Bulk(v)
	}
}

// writeOneEntry writes the live entry id without an array around it,
// reporting whether it exists (STREAM_RWR_RAWENTRIES with one ID).
func (s *Session) writeOneEntry(st *stream.Stream, id stream.ID) bool {
	var it stream.Iterator
	it.Start(st, id, id, false)
	got, n, ok := it.Next()
	if !ok {
		return false
	}
	s.writeEntry(&it, got, n)
	return true
}

// streamPropInfo names what group deliveries are propagated for.
type streamPropInfo struct {
	key, group []byte
}

// replyRange writes an array of the entries between start and end (at
// most count; 0 for all), as streamReplyWithRange. With a group, entries
// are delivered: the group's last ID and read counter advance, and unless
// noack each entry enters the PELs and is propagated as an XCLAIM.
func (s *Session) replyRange(sv *streamValue, start, end stream.ID, count int64, rev bool, g *stream.Group, c *stream.Consumer, noack bool, pi *streamPropInfo) int64 {
	st := sv.Stream
	var it stream.Iterator
	if g != nil && !rev {
		// Where the group's last read ended, rather than a walk of the
		// node's entries from its first.
		it.StartFrom(st, start, end, g.ReadCursor)
	} else {
		it.Start(st, start, end, rev)
	}
	// One pass, as Redis: the array's length is written once known.
	d := s.w.deferLen()
	var n int64
	propagateLastID := false
	for count == 0 || n < count {
		id, numFields, ok := it.Next()
		if !ok {
			break
		}
		n++
		if g != nil && g.LastID.Less(id) {
			if g.EntriesRead != stream.InvalidEntriesRead && !st.HasTombstones(id, stream.MaxID) {
				g.EntriesRead++
			} else if st.EntriesAdded != 0 {
				g.EntriesRead = st.EstimateDistance(id)
			}
			g.LastID = id
			if noack {
				propagateLastID = true
			}
		}
		s.writeEntry(&it, id, numFields)
		if g != nil && !noack {
			nack := g.Deliver(id, c, s.e.nowMs)
			if pi != nil {
				s.propagateXClaim(pi.key, g, pi.group, id, nack)
			}
		}
	}
	s.w.setDeferredArray(d, int(n))
	if g != nil && !rev && n > 0 {
		g.ReadCursor = it.Cursor()
	}
	if pi != nil && propagateLastID {
		s.propagateGroupID(pi.key, g, pi.group)
	}
	return n
}

// replyConsumerHistory serves XREADGROUP with an ID other than ">": the
// consumer's own pending entries from start, each re-delivered (a deleted
// entry shows as its ID with a null).
func (s *Session) replyConsumerHistory(st *stream.Stream, start stream.ID, count int64, c *stream.Consumer) {
	pending := c.PendingFrom(start)
	if count > 0 && int64(len(pending)) > count {
		pending = pending[:count]
	}
	pending = append([]*stream.NACK(nil), pending...)
	s.w.Array(len(pending))
	for _, nack := range pending {
		if s.writeOneEntry(st, nack.ID) {
			nack.DeliveryTime = s.e.nowMs
			nack.DeliveryCount++
		} else {
			s.w.Array(2)
			s.writeStreamID(nack.ID)
			s.w.NullArray()
		}
	}
}

// propagateXClaim queues the XCLAIM that recreates nack on replicas and in
// the AOF (streamPropagateXCLAIM).
func (s *Session) propagateXClaim(key []byte, g *stream.Group, group []byte, id stream.ID, nack *stream.NACK) {
	if !s.e.propagating() {
		return
	}
	var consumer []byte
	if nack.Consumer != nil {
		consumer = []byte(nack.Consumer.Name)
	}
	s.e.alsoPropagate(s.db, propagateAll,
		argXClaim, []byte(string(key)), []byte(string(group)), consumer, argZero,
		id.Append(nil), argTime, int64Arg(nack.DeliveryTime),
		argRetryCount, strconv.AppendUint(nil, nack.DeliveryCount, 10),
		argForce, argJustID, argLastID, g.LastID.Append(nil))
}

// propagateGroupID queues XGROUP SETID with the group's last ID and read
// counter (after NOACK reads, and XCLAIM LASTID alone).
func (s *Session) propagateGroupID(key []byte, g *stream.Group, group []byte) {
	if !s.e.propagating() {
		return
	}
	s.e.alsoPropagate(s.db, propagateAll, argXGroup, argSetID, []byte(string(key)), []byte(string(group)),
		g.LastID.Append(nil), argEntriesRead, int64Arg(g.EntriesRead))
}

// propagateConsumerCreation queues XGROUP CREATECONSUMER (a consumer made
// by a NOACK read, which no XCLAIM would create).
func (s *Session) propagateConsumerCreation(key, group []byte, name string) {
	if !s.e.propagating() {
		return
	}
	s.e.alsoPropagate(s.db, propagateAll, argXGroup, argCreateConsumer, []byte(string(key)), []byte(string(group)), []byte(name))
}

// createConsumer adds a consumer to g, with the event and the change
// count Redis's streamCreateConsumer gives it.
func (s *Session) createConsumer(g *stream.Group, name []byte, key []byte) *stream.Consumer {
	c := g.CreateConsumer(string(name), s.e.nowMs)
	if c == nil {
		return nil
	}
	s.streamDirty(1)
	s.notifyEvent(notifyStream, "xgroup-createconsumer", key)
	return c
}

// lookupConsumer finds a consumer and, unless noRefresh, marks it seen.
func (s *Session) lookupConsumer(g *stream.Group, name []byte, refresh bool) *stream.Consumer {
	c := g.Consumer(string(name))
	if c != nil && refresh {
		c.SeenTime = s.e.nowMs
	}
	return c
}

// trimArgs is streamAddTrimArgs: XADD's and XTRIM's options.
type trimArgs struct {
	stream.TrimArgs
	idGiven, seqGiven bool
	id                stream.ID
	noMkStream        bool
	// argIdx is the index of the MAXLEN/MINID threshold, for rewriting.
	argIdx int
}

// parseTrimArgs is streamParseAddOrTrimArgsOrReply: it returns the index
// of XADD's ID argument, or -1 after an error reply.
func (s *Session) parseTrimArgs(args [][]byte, a *trimArgs, xadd bool) int {
	i := 2
	limitGiven := false
	for ; i < len(args); i++ {
		more := len(args) - 1 - i
		opt := args[i]
		switch {
		case xadd && len(opt) == 1 && opt[0] == '*':
			goto done
		case equalFold(opt, "maxlen") && more > 0:
			if a.Strategy != stream.TrimNone {
				s.w.Error(errXTrimBoth)
				return -1
			}
			a.Approx = false
			next := args[i+1]
			if more >= 2 && len(next) == 1 && next[0] == '~' {
				a.Approx = true
				i++
			} else if more >= 2 && len(next) == 1 && next[0] == '=' {
				i++
			}
			n, ok := parseInt(args[i+1])
			if !ok {
				s.w.Error(errNotInt)
				return -1
			}
			if n < 0 {
				s.w.Error(errXTrimMaxlen)
				return -1
			}
			a.MaxLen = n
			i++
			a.Strategy = stream.TrimMaxLen
			a.argIdx = i
		case equalFold(opt, "minid") && more > 0:
			if a.Strategy != stream.TrimNone {
				s.w.Error(errXTrimBoth)
				return -1
			}
			a.Approx = false
			next := args[i+1]
			if more >= 2 && len(next) == 1 && next[0] == '~' {
				a.Approx = true
				i++
			} else if more >= 2 && len(next) == 1 && next[0] == '=' {
				i++
			}
			id, ok := s.parseStreamID(args[i+1], stream.ParseMode{Strict: true})
			if !ok {
				return -1
			}
			a.MinID = id
			i++
			a.Strategy = stream.TrimMinID
			a.argIdx = i
		case equalFold(opt, "limit") && more > 0:
			n, ok := parseInt(args[i+1])
			if !ok {
				s.w.Error(errNotInt)
				return -1
			}
			if n < 0 {
				s.w.Error(errXTrimLimit)
				return -1
			}
			a.Limit = n
			limitGiven = true
			i++
		case xadd && equalFold(opt, "nomkstream"):
			a.noMkStream = true
		case xadd:
			id, seqGiven, ok := stream.Parse(opt, stream.ParseMode{Strict: true, AllowAutoSeq: true})
			if !ok {
				s.w.Error(errStreamID)
				return -1
			}
			a.id, a.seqGiven, a.idGiven = id, seqGiven, true
			goto done
		default:
			s.w.Error(errSyntax)
			return -1
		}
	}
done:
	if a.Limit != 0 && a.Strategy == stream.TrimNone {
		s.w.Error(errXTrimLimitNoStrat)
		return -1
	}
	if !xadd && a.Strategy == stream.TrimNone {
		s.w.Error(errXTrimNoStrategy)
		return -1
	}
	if s.obeysClient() {
		a.Limit = 0
	} else if limitGiven {
		if !a.Approx {
			s.w.Error(errXTrimLimitNoApprx)
			return -1
		}
	} else if a.Approx {
		a.Limit = 100 * s.e.config.int("stream-node-max-entries")
		if a.Limit <= 0 {
			a.Limit = 10000
		}
		if a.Limit > 1000000 {
			a.Limit = 1000000
		}
	} else {
		a.Limit = 0
	}
	return i
}

// trimmedArgv rewrites an approximate trim as the exact one it turned out
// to be: "~" becomes "=", the threshold the length or first ID left.
func trimmedArgv(argv [][]byte, st *stream.Stream, a *trimArgs) {
	argv[a.argIdx-1] = argEquals
	if a.Strategy == stream.TrimMaxLen {
		argv[a.argIdx] = strconv.AppendUint(nil, st.Length, 10)
	} else {
		argv[a.argIdx] = st.EdgeID(true, false).Append(nil)
	}
}

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]
func cmdXAdd(s *Session, args [][]byte) {
	var a trimArgs
	idPos := s.parseTrimArgs(args, &a, true)
	if idPos < 0 {
		return
	}
	fieldPos := idPos + 1
	if n := len(args) - fieldPos; n < 2 || n%2 == 1 {
		s.w.Error("ERR wrong number of arguments for 'xadd' command")
		return
	}
	if a.idGiven && a.seqGiven && a.id.IsZero() {
		s.w.Error(errXAddIDZero)
		return
	}
	key := args[1]
	sv, bad := streamForWrite(s, key)
	if bad {
		return
	}
	created := false
	if sv == nil {
		if a.noMkStream {
			s.w.Null()
			return
		}
		sv = newStreamValue()
		created = true
	}
	st := sv.Stream
	if st.LastID == stream.MaxID {
		s.w.Error(errXAddExhausted)
		return
	}
	var id stream.ID
	switch {
	case !a.idGiven:
		id = st.NextID(uint64(max(s.e.nowMs, 0)))
	case a.seqGiven:
		id = a.id
	default:
		// ms-*: the next sequence in that millisecond, or 0.
		if st.LastID.Ms == a.id.Ms {
			if st.LastID.Seq == math.MaxUint64 {
				// Redis's streamAppendItem fails here without setting
				// errno, so XADD reports the other error.
				s.w.Error(errXAddTooLarge)
				return
			}
			id = stream.ID{Ms: a.id.Ms, Seq: st.LastID.Seq + 1}
		} else {
			id = a.id
		}
	}
	if err := st.Append(id, args[fieldPos:], s.e.streamNodeLimits()); err != nil {
		if err == stream.ErrIDTooSmall {
			s.w.Error(errXAddIDSmall)
		} else {
			s.w.Error(errXAddTooLarge)
		}
		return
	}
	if created {
		s.setObj(key, sv)
	}
	idText := id.Append(nil)
	s.w.Bulk(idText)
	s.modified(key)
	s.notifyEvent(notifyStream, "xadd", key)
	var argv [][]byte
	if a.Strategy != stream.TrimNone {
		if st.Trim(a.TrimArgs) > 0 {
			s.notifyEvent(notifyStream, "xtrim", key)
		}
		if a.Approx && s.e.propagating() {
			argv = append([][]byte(nil), args...)
			trimmedArgv(argv, st, &a)
		}
	}
	if (!a.idGiven || !a.seqGiven) && s.e.propagating() {
		if argv == nil {
			argv = append([][]byte(nil), args...)
		}
		argv[idPos] = idText
	}
	if argv != nil {
		s.rewriteArgv(argv...)
	}
	if len(s.db.blocked) > 0 {
		s.e.signalReady(s.db, string(key))
	}
}

// XRANGE key start end [COUNT count]
func cmdXRange(s *Session, args [][]byte) { xrange(s, args, false) }

// XREVRANGE key end start [COUNT count]
func cmdXRevRange(s *Session, args [][]byte) { xrange(s, args, true) }

func xrange(s *Session, args [][]byte, rev bool) {
	startArg, endArg := args[2], args[3]
	if rev {
		startArg, endArg = endArg, startArg
	}
	start, end, ok := s.parseRangeBounds(startArg, endArg)
	if !ok {
		return
	}
	count := int64(-1)
	for j := 4; j < len(args); j++ {
		if equalFold(args[j], "count") && len(args)-j-1 >= 1 {
			n, ok := parseInt(args[j+1])
			if !ok {
				s.w.Error(errNotInt)
				return
			}
			count = max(n, 0)
			j++
		} else {
			s.w.Error(errSyntax)
			return
		}
	}
	sv, bad := streamForRead(s, args[1])
	if bad {
		return
	}
	if sv == nil {
		s.w.Array(0)
		return
	}
	if count == 0 {
		s.w.NullArray()
		return
	}
	if count == -1 {
		count = 0
	}
	s.replyRange(sv, start, end, count, rev, nil, nil, false, nil)
}

// XLEN key
func cmdXLen(s *Session, args [][]byte) {
	sv, bad := streamForRead(s, args[1])
	if bad {
		return
	}
	if sv == nil {
		s.w.Int(0)
		return
	}
	s.w.Int(int64(sv.Length))
}

// XDEL key id [id ...]
func cmdXDel(s *Session, args [][]byte) {
	key := args[1]
	sv, bad := streamForWrite(s, key)
	if bad {
		return
	}
	if sv == nil {
		s.w.Int(0)
		return
	}
	ids := make([]stream.ID, len(args)-2)
	for j := 2; j < len(args); j++ {
		id, ok := s.parseStreamID(args[j], stream.ParseMode{Strict: true})
		if !ok {
			return
		}
		ids[j-2] = id
	}
	st := sv.Stream
	deleted := int64(0)
	firstEntry := false
	for _, id := range ids {
		if st.Delete(id) {
			if id == st.FirstID {
				firstEntry = true
			}
			if st.MaxDeletedID.Less(id) {
				st.MaxDeletedID = id
			}
			deleted++
		}
	}
	if deleted > 0 {
		if st.Length == 0 {
			st.FirstID = stream.ID{}
		} else if firstEntry {
			st.FirstID = st.EdgeID(true, true)
		}
		s.modified(key)
		s.notifyEvent(notifyStream, "xdel", key)
		s.streamDirty(deleted - 1)
	}
	s.w.Int(deleted)
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
func cmdXTrim(s *Session, args [][]byte) {
	var a trimArgs
	if s.parseTrimArgs(args, &a, false) < 0 {
		return
	}
	key := args[1]
	sv, bad := streamForWrite(s, key)
	if bad {
		return
	}
	if sv == nil {
		s.w.Int(0)
		return
	}
	st := sv.Stream
	deleted := st.Trim(a.TrimArgs)
	if deleted > 0 {
		s.notifyEvent(notifyStream, "xtrim", key)
		if a.Approx && s.e.propagating() {
			argv := append([][]byte(nil), args...)
			trimmedArgv(argv, st, &a)
			s.rewriteArgv(argv...)
		}
		s.modified(key)
		s.streamDirty(deleted - 1)
	}
	s.w.Int(deleted)
}

// xreadSmallKeys is the number of keys an XREAD or XREADGROUP serves
// without allocating.
const xreadSmallKeys = 4

// xreadRequest is a parsed XREAD / XREADGROUP.
type xreadRequest struct {
	count      int64
	timeout    int64 // -1: no BLOCK
	keys       [][]byte
	ids        []stream.ID // ">" is MaxID
	group      []byte
	consumer   []byte
	noack      bool
	xreadgroup bool
}

// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
// XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]
func cmdXRead(s *Session, args [][]byte) {
	s.preventPropagation()
	r := xreadRequest{timeout: -1, xreadgroup: len(args[0]) == 10}
	streamsArg := 0
	for i := 1; i < len(args); i++ {
		more := len(args) - i - 1
		o := args[i]
		switch {
		case equalFold(o, "block") && more > 0:
			if s.script != nil {
				// Redis refuses it outright rather than not blocking.
				s.w.Error("ERR " + string(args[0]) + " command is not allowed with BLOCK option from scripts")
				return
			}
			i++
			n, ok := parseInt(args[i])
			if !ok {
				s.w.Error(errXTimeoutNotInt)
				return
			}
			if n < 0 {
				s.w.Error(errTimeoutNegative)
				return
			}
			r.timeout = n
		case equalFold(o, "count") && more > 0:
			i++
			n, ok := parseInt(args[i])
			if !ok {
				s.w.Error(errNotInt)
				return
			}
			r.count = max(n, 0)
		case equalFold(o, "streams") && more > 0:
			streamsArg = i + 1
			n := len(args) - streamsArg
			if n%2 != 0 {
				s.w.Error("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.")
				return
			}
			r.keys = args[streamsArg : streamsArg+n/2]
			i = len(args)
		case equalFold(o, "group") && more >= 2:
			if !r.xreadgroup {
				s.w.Error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.")
				return
			}
			r.group, r.consumer = args[i+1], args[i+2]
			i += 2
		case equalFold(o, "noack"):
			if !r.xreadgroup {
				s.w.Error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.")
				return
			}
			r.noack = true
		default:
			s.w.Error(errSyntax)
			return
		}
	}
	if streamsArg == 0 {
		s.w.Error(errSyntax)
		return
	}
	if r.xreadgroup && r.group == nil {
		s.w.Error("ERR Missing GROUP option for XREADGROUP")
		return
	}
	idArgs := args[streamsArg+len(r.keys):]
	// A few keys (a worker reads one) need no allocation; a request that
	// blocks takes its own copies.
	var idsBuf [xreadSmallKeys]stream.ID
	var groupsBuf [xreadSmallKeys]*stream.Group
	var groups []*stream.Group
	if len(r.keys) <= xreadSmallKeys {
		r.ids, groups = idsBuf[:len(r.keys)], groupsBuf[:len(r.keys)]
	} else {
		r.ids, groups = make([]stream.ID, len(r.keys)), make([]*stream.Group, len(r.keys))
	}
	for i, key := range r.keys {
		sv, bad := streamForRead(s, key)
		if bad {
			return
		}
		if r.group != nil {
			var g *stream.Group
			if sv != nil {
				g = sv.Group(string(r.group))
			}
			if g == nil {
				s.w.Error("NOGROUP No such key '" + string(key) + "' or consumer group '" + string(r.group) + "' in XREADGROUP with GROUP option")
				return
			}
			groups[i] = g
		}
		idArg := idArgs[i]
		switch {
		case len(idArg) == 1 && idArg[0] == '$':
			if r.xreadgroup {
				s.w.Error("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.")
				return
			}
			if sv != nil {
				r.ids[i] = sv.LastID
			}
		case len(idArg) == 1 && idArg[0] == '>':
			if !r.xreadgroup {
				s.w.Error("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.")
				return
			}
			r.ids[i] = stream.MaxID
		default:
			id, ok := s.parseStreamID(idArg, stream.ParseMode{Strict: true})
			if !ok {
				return
			}
			r.ids[i] = id
		}
	}
	if s.serveXRead(&r, groups) {
		return
	}
	if r.timeout != -1 {
		if s.inExec {
			s.w.NullArray()
			return
		}
		deadline := s.blockDeadlineMs(r.timeout)
		if r.count == 0 {
			r.count = xreadBlockedDefaultCount
		}
		// The waiting request owns copies of what it keeps: the request
		// buffer is reused while the client waits, and r's IDs are on
		// the stack.
		keys := make([][]byte, len(r.keys))
		for i, k := range r.keys {
			keys[i] = []byte(string(k))
		}
		blocked := &xreadRequest{
			count: r.count, timeout: r.timeout, keys: keys, ids: slices.Clone(r.ids),
			noack: r.noack, xreadgroup: r.xreadgroup,
		}
		if r.group != nil {
			blocked.group = []byte(string(r.group))
			blocked.consumer = []byte(string(r.consumer))
		}
		s.block(keys, deadline, func(s *Session) bool { return s.retryXRead(blocked) }, (*Session).replyBlockedListTimeout)
		if r.group != nil {
			s.blocked.serveMissing = true
		}
		return
	}
	s.w.NullArray()
}

// blockDeadlineMs turns XREAD's BLOCK milliseconds into a deadline (0:
// forever), with a sandbox's cap.
func (s *Session) blockDeadlineMs(ms int64) int64 {
	if s.sandbox != nil && s.sandbox.limits.MaxBlock > 0 {
		if limit := s.sandbox.limits.MaxBlock.Milliseconds(); ms == 0 || ms > limit {
			ms = limit
		}
	}
	if ms == 0 {
		return 0
	}
	if ms > math.MaxInt64-s.e.nowMs {
		return 0
	}
	return s.e.nowMs + ms
}

// serveXRead answers at once when some stream has what the request asks
// for (an ID other than ">" always reads the consumer's history). It
// reports whether it replied.
func (s *Session) serveXRead(r *xreadRequest, groups []*stream.Group) bool {
	type serve struct {
		i       int
		sv      *streamValue
		history bool
	}
	var todoBuf [xreadSmallKeys]serve
	todo := todoBuf[:0]
	for i, key := range r.keys {
		sv, _ := streamForRead(s, key)
		if sv == nil {
			continue
		}
		gt := &r.ids[i]
		switch {
		case r.group != nil:
			if *gt != stream.MaxID {
				todo = append(todo, serve{i, sv, true})
			} else if sv.Length > 0 {
				last := groups[i].LastID
				if maxID, _ := sv.LastValidID(); last.Less(maxID) {
					*gt = last
					todo = append(todo, serve{i, sv, false})
				}
			}
		case sv.Length > 0:
			if maxID, _ := sv.LastValidID(); gt.Less(maxID) {
				todo = append(todo, serve{i, sv, false})
			}
		}
	}
	if len(todo) == 0 {
		return false
	}
	if s.w.Proto() == 2 {
		s.w.Array(len(todo))
	} else {
		s.w.Map(len(todo))
	}
	for _, t := range todo {
		key := r.keys[t.i]
		start, _ := r.ids[t.i].Incr()
		if s.w.Proto() == 2 {
			s.w.Array(2)
		}
		s.w.Bulk(key)
		if r.group == nil {
			s.replyRange(t.sv, start, stream.MaxID, r.count, false, nil, nil, false, nil)
			continue
		}
		g := groups[t.i]
		c := s.lookupConsumer(g, r.consumer, true)
		if c == nil {
			c = s.createConsumer(g, r.consumer, key)
			if r.noack {
				s.propagateConsumerCreation(key, r.group, c.Name)
			}
		}
		if t.history {
			s.replyConsumerHistory(t.sv.Stream, start, r.count, c)
		} else {
			s.replyRange(t.sv, start, stream.MaxID, r.count, false, g, c, r.noack, &streamPropInfo{key, r.group})
		}
		s.streamDirty(1)
	}
	return true
}

// retryXRead serves a blocked XREAD/XREADGROUP from the key that received
// data (serveClientsBlockedOnStreamKey), or ends an XREADGROUP whose key
// or group went away.
func (s *Session) retryXRead(r *xreadRequest) bool {
	keyName := s.blocked.readyKey
	key := []byte(keyName)
	_, obj, _ := s.lookup(key)
	sv, isStream := obj.(*streamValue)
	if !isStream {
		// Gone or replaced: an XREADGROUP cannot be served any more (its
		// group went with the stream); an XREAD keeps waiting.
		if r.group == nil {
			return false
		}
		s.failBlocked("UNBLOCKED the stream key no longer exists")
		return true
	}
	idx := -1
	for i, k := range r.keys {
		if string(k) == keyName {
			idx = i
			break
		}
	}
	if idx < 0 {
		return false
	}
	gt := r.ids[idx]
	var g *stream.Group
	if r.group != nil {
		g = sv.Group(string(r.group))
		if g == nil {
			s.failBlocked("NOGROUP the consumer group this client was blocked on no longer exists")
			return true
		}
		gt = g.LastID
	}
	if !gt.Less(sv.LastID) {
		return false
	}
	start, _ := gt.Incr()
	var c *stream.Consumer
	if g != nil {
		c = s.lookupConsumer(g, r.consumer, true)
		if c == nil {
			c = g.CreateConsumer(string(r.consumer), s.e.nowMs)
			s.streamDirty(1)
			s.notifyEvent(notifyStream, "xgroup-createconsumer", key)
			if r.noack {
				s.propagateConsumerCreation(key, r.group, c.Name)
			}
		}
	}
	if s.w.Proto() == 2 {
		s.w.Array(1)
		s.w.Array(2)
	} else {
		s.w.Map(1)
	}
	s.w.Bulk(key)
	var pi *streamPropInfo
	if g != nil {
		pi = &streamPropInfo{key, r.group}
	}
	s.replyRange(sv, start, stream.MaxID, r.count, false, g, c, r.noack, pi)
	return true
}

// failBlocked ends a blocked command with an error, which counts as a
// failed call (Redis's updateStatsOnUnblock).
func (s *Session) failBlocked(msg string) {
	s.w.Error(msg)
	if c := s.e.commands[s.lastCmd]; c != nil {
		s.e.stat(c).failed++
	}
}

// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
func cmdXSetID(s *Session, args [][]byte) {
	id, ok := s.parseStreamID(args[2], stream.ParseMode{Strict: true})
	if !ok {
		return
	}
	entriesAdded := int64(-1)
	var maxDel stream.ID
	for i := 3; i < len(args); i++ {
		more := len(args) - 1 - i
		switch {
		case equalFold(args[i], "entriesadded") && more > 0:
			n, ok := parseInt(args[i+1])
			if !ok {
				s.w.Error(errNotInt)
				return
			}
			if n < 0 {
				s.w.Error("ERR entries_added must be positive")
				return
			}
			entriesAdded = n
			i++
		case equalFold(args[i], "maxdeletedid") && more > 0:
			m, ok := s.parseStreamID(args[i+1], stream.ParseMode{Strict: true})
			if !ok {
				return
			}
			if id.Less(m) {
				s.w.Error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
				return
			}
			maxDel = m
			i++
		default:
			s.w.Error(errSyntax)
			return
		}
	}
	key := args[1]
	_, obj, found := s.lookup(key)
	if !found {
		s.w.Error(errNoSuchKey)
		return
	}
	sv, isStream := obj.(*streamValue)
	if !isStream {
		s.w.Error(errWrongType)
		return
	}
	st := sv.Stream
	if st.Length > 0 {
		maxID, _ := st.LastValidID()
		if id.Less(maxID) {
			s.w.Error("ERR The ID specified in XSETID is smaller than the target stream top item")
			return
		}
		if entriesAdded != -1 && st.Length > uint64(entriesAdded) {
			s.w.Error("ERR The entries_added specified in XSETID is smaller than the target stream length")
			return
		}
	}
	st.LastID = id
	if entriesAdded != -1 {
		st.EntriesAdded = uint64(entriesAdded)
	}
	if !maxDel.IsZero() {
		st.MaxDeletedID = maxDel
	}
	s.w.OK()
	s.streamDirty(1)
	s.notifyEvent(notifyStream, "xsetid", key)
}

// streamGroupForRead finds key's stream and group for XACK/XCLAIM/...:
// WRONGTYPE is written (bad) for another type; g is nil when either is
// missing.
func streamGroupForRead(s *Session, key, group []byte) (sv *streamValue, g *stream.Group, bad bool) {
	sv, bad = streamForRead(s, key)
	if bad || sv == nil {
		return sv, nil, bad
	}
	return sv, sv.Group(string(group)), false
}

// XACK key group id [id ...]
func cmdXAck(s *Session, args [][]byte) {
	_, g, bad := streamGroupForRead(s, args[1], args[2])
	if bad {
		return
	}
	if g == nil {
		s.w.Int(0)
		return
	}
	// Every ID is checked before any is acknowledged, as in Redis.
	var idsBuf [16]stream.ID
	ids := idsBuf[:]
	if n := len(args) - 3; n > len(ids) {
		ids = make([]stream.ID, n)
	} else {
		ids = ids[:n]
	}
	for j := 3; j < len(args); j++ {
		id, ok := s.parseStreamID(args[j], stream.ParseMode{Strict: true})
		if !ok {
			return
		}
		ids[j-3] = id
	}
	acked := int64(0)
	for _, id := range ids {
		if g.Ack(id) {
			acked++
		}
	}
	s.streamDirty(acked)
	s.w.Int(acked)
}

// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
func cmdXPending(s *Session, args [][]byte) {
	justInfo := len(args) == 3
	if len(args) != 3 && (len(args) < 6 || len(args) > 9) {
		s.w.Error(errSyntax)
		return
	}
	var start, end stream.ID
	var count, minIdle int64
	var consumerName []byte
	if len(args) >= 6 {
		startIdx := 3
		if equalFold(args[3], "idle") {
			n, ok := parseInt(args[4])
			if !ok {
				s.w.Error(errNotInt)
				return
			}
			minIdle = n
			if len(args) < 8 {
				s.w.Error(errSyntax)
				return
			}
			startIdx += 2
		}
		n, ok := parseInt(args[startIdx+2])
		if !ok {
			s.w.Error(errNotInt)
			return
		}
		count = max(n, 0)
		if start, end, ok = s.parseRangeBounds(args[startIdx], args[startIdx+1]); !ok {
			return
		}
		if startIdx+3 < len(args) {
			consumerName = args[startIdx+3]
		}
	}
	_, g, bad := streamGroupForRead(s, args[1], args[2])
	if bad {
		return
	}
	if g == nil {
		s.w.Error("NOGROUP No such key '" + string(args[1]) + "' or consumer group '" + string(args[2]) + "'")
		return
	}
	now := s.e.nowMs
	if justInfo {
		s.w.Array(4)
		pending := g.Pending()
		s.w.Int(int64(len(pending)))
		if len(pending) == 0 {
			s.w.Null()
			s.w.Null()
			s.w.NullArray()
			return
		}
		s.writeStreamID(pending[0].ID)
		s.writeStreamID(pending[len(pending)-1].ID)
		n := 0
		for _, c := range g.Consumers() {
			if c.PendingCount() > 0 {
				n++
			}
		}
		s.w.Array(n)
		for _, c := range g.Consumers() {
			if c.PendingCount() == 0 {
				continue
			}
			s.w.Array(2)
			s.w.BulkString(c.Name)
			s.w.BulkInt(int64(c.PendingCount()))
		}
		return
	}
	var pending []*stream.NACK
	if consumerName != nil {
		c := s.lookupConsumer(g, consumerName, false)
		if c == nil {
			s.w.Array(0)
			return
		}
		pending = c.PendingFrom(start)
	} else {
		pending = g.PendingFrom(start)
	}
	var out []*stream.NACK
	for _, nack := range pending {
		if count == 0 || end.Less(nack.ID) {
			break
		}
		if minIdle != 0 && now-nack.DeliveryTime < minIdle {
			continue
		}
		out = append(out, nack)
		count--
	}
	s.w.Array(len(out))
	for _, nack := range out {
		s.w.Array(4)
		s.writeStreamID(nack.ID)
		s.w.BulkString(nack.Consumer.Name)
		s.w.Int(max(now-nack.DeliveryTime, 0))
		s.w.Int(int64(nack.DeliveryCount))
	}
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
func cmdXClaim(s *Session, args [][]byte) {
	key := args[1]
	sv, g, bad := streamGroupForRead(s, key, args[2])
	if bad {
		return
	}
	if g == nil {
		s.w.Error("NOGROUP No such key '" + string(key) + "' or consumer group '" + string(args[2]) + "'")
		return
	}
	minIdle, ok := parseInt(args[4])
	if !ok {
		s.w.Error("ERR Invalid min-idle-time argument for XCLAIM")
		return
	}
	minIdle = max(minIdle, 0)
	j := 5
	var ids []stream.ID
	for ; j < len(args); j++ {
		id, ok := strictID(args[j])
		if !ok {
			break
		}
		ids = append(ids, id)
	}
	lastIDArg := j - 1
	now := s.e.nowMs
	retryCount := int64(-1)
	deliveryTime := int64(-1)
	force, justID := false, false
	var lastID stream.ID
	for ; j < len(args); j++ {
		more := len(args) - 1 - j
		opt := args[j]
		switch {
		case equalFold(opt, "force"):
			force = true
		case equalFold(opt, "justid"):
			justID = true
		case equalFold(opt, "idle") && more > 0:
			j++
			n, ok := parseInt(args[j])
			if !ok {
				s.w.Error("ERR Invalid IDLE option argument for XCLAIM")
				return
			}
			deliveryTime = now - n
		case equalFold(opt, "time") && more > 0:
			j++
			n, ok := parseInt(args[j])
			if !ok {
				s.w.Error("ERR Invalid TIME option argument for XCLAIM")
				return
			}
			deliveryTime = n
		case equalFold(opt, "retrycount") && more > 0:
			j++
			n, ok := parseInt(args[j])
			if !ok {
				s.w.Error("ERR Invalid RETRYCOUNT option argument for XCLAIM")
				return
			}
			retryCount = n
		case equalFold(opt, "lastid") && more > 0:
			j++
			id, ok := s.parseStreamID(args[j], stream.ParseMode{Strict: true})
			if !ok {
				return
			}
			lastID = id
		default:
			s.w.Error("ERR Unrecognized XCLAIM option '" + string(opt) + "'")
			return
		}
	}
	s.preventPropagation()
	propagateLastID := false
	if g.LastID.Less(lastID) {
		g.LastID = lastID
		propagateLastID = true
	}
	if deliveryTime != -1 {
		if deliveryTime < 0 || deliveryTime > now {
			deliveryTime = now
		}
	} else {
		deliveryTime = now
	}
	st := sv.Stream
	type claimed struct {
		id stream.ID
	}
	var out []claimed
	var consumer *stream.Consumer
	for k := 5; k <= lastIDArg; k++ {
		id := ids[k-5]
		nack := g.FindPending(id)
		if !st.Exists(id) {
			if nack != nil {
				s.propagateXClaim(key, g, args[2], id, nack)
				propagateLastID = false
				s.streamDirty(1)
				g.Ack(id)
			}
			continue
		}
		if force && nack == nil {
			nack = &stream.NACK{ID: id, DeliveryTime: now, DeliveryCount: 1}
			g.AddPending(nack)
		}
		if nack == nil {
			continue
		}
		if nack.Consumer != nil && minIdle != 0 && now-nack.DeliveryTime < minIdle {
			continue
		}
		if consumer == nil {
			if consumer = s.lookupConsumer(g, args[3], true); consumer == nil {
				consumer = s.createConsumer(g, args[3], key)
			}
		}
		nack.DeliveryTime = deliveryTime
		if retryCount >= 0 {
			nack.DeliveryCount = uint64(retryCount)
		} else if !justID {
			nack.DeliveryCount++
		}
		g.Assign(nack, consumer)
		out = append(out, claimed{id})
		s.propagateXClaim(key, g, args[2], id, nack)
		propagateLastID = false
		s.streamDirty(1)
	}
	if propagateLastID {
		s.propagateGroupID(key, g, args[2])
		s.streamDirty(1)
	}
	s.w.Array(len(out))
	for _, c := range out {
		if justID {
			s.writeStreamID(c.id)
		} else {
			s.writeOneEntry(st, c.id)
		}
	}
}

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
func cmdXAutoClaim(s *Session, args [][]byte) {
	key := args[1]
	minIdle, ok := parseInt(args[4])
	if !ok {
		s.w.Error("ERR Invalid min-idle-time argument for XAUTOCLAIM")
		return
	}
	minIdle = max(minIdle, 0)
	start, ex, ok := s.parseIntervalID(args[5], 0)
	if !ok {
		return
	}
	if ex {
		if start, ok = start.Incr(); !ok {
			s.w.Error(errXStartInterval)
			return
		}
	}
	count := int64(100)
	justID := false
	const attemptsFactor = 10
	for j := 6; j < len(args); j++ {
		more := len(args) - 1 - j
		switch {
		case equalFold(args[j], "count") && more > 0:
			n, ok := parseInt(args[j+1])
			if !ok || n < 1 || n > math.MaxInt64/16 {
				s.w.Error("ERR COUNT must be > 0")
				return
			}
			count = n
			j++
		case equalFold(args[j], "justid"):
			justID = true
		default:
			s.w.Error(errSyntax)
			return
		}
	}
	sv, g, bad := streamGroupForRead(s, key, args[2])
	if bad {
		return
	}
	if g == nil {
		s.w.Error("NOGROUP No such key '" + string(key) + "' or consumer group '" + string(args[2]) + "'")
		return
	}
	s.preventPropagation()
	st := sv.Stream
	now := s.e.nowMs
	attempts := count * attemptsFactor
	var claimedIDs, deletedIDs []stream.ID
	var consumer *stream.Consumer
	cursor := start
	var endID stream.ID
	pending := g.PendingFrom(cursor)
	for {
		if attempts == 0 || count == 0 {
			break
		}
		attempts--
		if len(pending) == 0 {
			break
		}
		nack := pending[0]
		id := nack.ID
		if !st.Exists(id) {
			s.propagateXClaim(key, g, args[2], id, nack)
			s.streamDirty(1)
			g.Ack(id)
			deletedIDs = append(deletedIDs, id)
			count--
			pending = g.PendingFrom(id)
			continue
		}
		pending = pending[1:]
		if minIdle != 0 && now-nack.DeliveryTime < minIdle {
			continue
		}
		if consumer == nil {
			if consumer = s.lookupConsumer(g, args[3], true); consumer == nil {
				consumer = s.createConsumer(g, args[3], key)
			}
		}
		nack.DeliveryTime = now
		if !justID {
			nack.DeliveryCount++
		}
		g.Assign(nack, consumer)
		claimedIDs = append(claimedIDs, id)
		count--
		s.propagateXClaim(key, g, args[2], id, nack)
		s.streamDirty(1)
		// The consumer's PEL changed, not the group's: pending stays valid.
	}
	if len(pending) > 0 {
		endID = pending[0].ID
	}
	s.w.Array(3)
	s.writeStreamID(endID)
	s.w.Array(len(claimedIDs))
	for _, id := range claimedIDs {
		if justID {
			s.writeStreamID(id)
		} else {
			s.writeOneEntry(st, id)
		}
	}
	s.w.Array(len(deletedIDs))
	for _, id := range deletedIDs {
		s.writeStreamID(id)
	}
}

// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n]
// XGROUP SETID key group id|$ [ENTRIESREAD n]
// XGROUP DESTROY key group
// XGROUP CREATECONSUMER key group consumer
// XGROUP DELCONSUMER key group consumer
// XGROUP HELP
func cmdXGroup(s *Session, args [][]byte) {
	opt := args[1]
	var sv *streamValue
	var g *stream.Group
	mkstream := false
	entriesRead := int64(stream.InvalidEntriesRead)
	var group []byte
	if len(args) >= 4 {
		create := equalFold(opt, "create")
		setid := equalFold(opt, "setid")
		for i := 5; i < len(args); {
			switch {
			case create && equalFold(args[i], "mkstream"):
				mkstream = true
				i++
			case (create || setid) && equalFold(args[i], "entriesread") && i+1 < len(args):
				n, ok := parseInt(args[i+1])
				if !ok {
					s.w.Error(errNotInt)
					return
				}
				if n < 0 && n != stream.InvalidEntriesRead {
					s.w.Error(errXEntriesRead)
					return
				}
				entriesRead = n
				i += 2
			default:
				s.subcommandSyntaxError(args)
				return
			}
		}
		var bad bool
		if sv, bad = streamForWrite(s, args[2]); bad {
			return
		}
		group = args[3]
	}
	if len(args) >= 4 && !mkstream {
		if sv == nil {
			s.w.Error(errXGroupNoKey)
			return
		}
		g = sv.Group(string(group))
		if g == nil && (equalFold(opt, "setid") || equalFold(opt, "createconsumer") || equalFold(opt, "delconsumer")) {
			s.w.Error("NOGROUP No such consumer group '" + string(group) + "' for key name '" + string(args[2]) + "'")
			return
		}
	}
	key := []byte(nil)
	if len(args) >= 3 {
		key = args[2]
	}
	switch {
	case len(args) == 2 && equalFold(opt, "help"):
		writeHelp(&s.w, "XGROUP", []string{
			"CREATE <key> <groupname> <id|$> [option]",
			"    Create a new consumer group. Options are:",
			"    * MKSTREAM",
			"      Create the empty stream if it does not exist.",
			"    * ENTRIESREAD entries_read",
			"      Set the group's entries_read counter (internal use).",
			"CREATECONSUMER <key> <groupname> <consumer>",
			"    Create a new consumer in the specified group.",
			"DELCONSUMER <key> <groupname> <consumer>",
			"    Remove the specified consumer.",
			"DESTROY <key> <groupname>",
			"    Remove the specified group.",
			"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
			"    Set the current group ID and entries_read counter.",
		})
	case equalFold(opt, "create") && len(args) >= 5 && len(args) <= 8:
		var id stream.ID
		if len(args[4]) == 1 && args[4][0] == '$' {
			if sv != nil {
				id = sv.LastID
			}
		} else {
			var ok bool
			if id, ok = s.parseStreamID(args[4], stream.ParseMode{Strict: true}); !ok {
				return
			}
		}
		if sv == nil {
			sv = newStreamValue()
			s.setObj(key, sv)
		}
		if sv.CreateGroup(string(group), id, entriesRead) == nil {
			s.w.Error(errXBusyGroup)
			return
		}
		s.w.OK()
		s.streamDirty(1)
		s.notifyEvent(notifyStream, "xgroup-create", key)
	case equalFold(opt, "setid") && (len(args) == 5 || len(args) == 7):
		var id stream.ID
		if len(args[4]) == 1 && args[4][0] == '$' {
			id = sv.LastID
		} else {
			var ok bool
			if id, ok = s.parseStreamID(args[4], stream.ParseMode{}); !ok {
				return
			}
		}
		g.LastID = id
		g.EntriesRead = entriesRead
		s.w.OK()
		s.streamDirty(1)
		s.notifyEvent(notifyStream, "xgroup-setid", key)
	case equalFold(opt, "destroy") && len(args) == 4:
		if g == nil {
			s.w.Int(0)
			return
		}
		sv.DestroyGroup(g.Name)
		s.w.Int(1)
		s.streamDirty(1)
		s.notifyEvent(notifyStream, "xgroup-destroy", key)
		// Clients blocked in XREADGROUP on this group get -NOGROUP.
		s.e.signalReady(s.db, string(key))
	case equalFold(opt, "createconsumer") && len(args) == 5:
		if s.createConsumer(g, args[4], key) != nil {
			s.w.Int(1)
		} else {
			s.w.Int(0)
		}
	case equalFold(opt, "delconsumer") && len(args) == 5:
		pending := 0
		if c := s.lookupConsumer(g, args[4], false); c != nil {
			pending = g.DeleteConsumer(c)
			s.streamDirty(1)
			s.notifyEvent(notifyStream, "xgroup-delconsumer", key)
		}
		s.w.Int(int64(pending))
	default:
		s.subcommandSyntaxError(args)
	}
}

// subcommandSyntaxError is Redis's addReplySubcommandSyntaxError.
func (s *Session) subcommandSyntaxError(args [][]byte) {
	name := string(args[1])
	if len(name) > 128 {
		name = name[:128]
	}
	s.w.Error("ERR unknown subcommand or wrong number of arguments for '" + name + "'. Try " + strings.ToUpper(string(args[0])) + " HELP.")
}

// XINFO STREAM key [FULL [COUNT count]]
// XINFO GROUPS key
// XINFO CONSUMERS key group
// XINFO HELP
func cmdXInfo(s *Session, args [][]byte) {
	if equalFold(args[1], "help") {
		if len(args) != 2 {
			s.subcommandSyntaxError(args)
			return
		}
		writeHelp(&s.w, "XINFO", []string{
			"CONSUMERS <key> <groupname>",
			"    Show consumers of <groupname>.",
			"GROUPS <key>",
			"    Show the stream consumer groups.",
			"STREAM <key> [FULL [COUNT <count>]",
			"    Show information about the stream.",
		})
		return
	}
	if len(args) < 3 {
		s.subcommandSyntaxError(args)
		return
	}
	key := args[2]
	_, obj, found := s.lookupRead(key)
	if !found {
		s.w.Error(errNoSuchKey)
		return
	}
	sv, isStream := obj.(*streamValue)
	if !isStream {
		s.w.Error(errWrongType)
		return
	}
	st := sv.Stream
	switch {
	case equalFold(args[1], "consumers") && len(args) == 4:
		g := st.Group(string(args[3]))
		if g == nil {
			s.w.Error("NOGROUP No such consumer group '" + string(args[3]) + "' for key name '" + string(key) + "'")
			return
		}
		now := s.e.nowMs
		s.w.Array(len(g.Consumers()))
		for _, c := range g.Consumers() {
			s.w.Map(3)
			s.w.BulkString("name")
			s.w.BulkString(c.Name)
			s.w.BulkString("pending")
			s.w.Int(int64(c.PendingCount()))
			s.w.BulkString("idle")
			s.w.Int(max(now-c.SeenTime, 0))
		}
	case equalFold(args[1], "groups") && len(args) == 3:
		s.w.Array(len(st.Groups()))
		for _, g := range st.Groups() {
			s.w.Map(6)
			s.w.BulkString("name")
			s.w.BulkString(g.Name)
			s.w.BulkString("consumers")
			s.w.Int(int64(len(g.Consumers())))
			s.w.BulkString("pending")
			s.w.Int(int64(g.PendingCount()))
			s.w.BulkString("last-delivered-id")
			s.writeStreamID(g.LastID)
			s.writeEntriesReadAndLag(st, g)
		}
	case equalFold(args[1], "stream"):
		s.xinfoStream(args, sv)
	default:
		s.subcommandSyntaxError(args)
	}
}

// writeEntriesReadAndLag writes a group's entries-read and lag fields.
func (s *Session) writeEntriesReadAndLag(st *stream.Stream, g *stream.Group) {
	s.w.BulkString("entries-read")
	if g.EntriesRead != stream.InvalidEntriesRead {
		s.w.Int(g.EntriesRead)
	} else {
		s.w.Null()
	}
	s.w.BulkString("lag")
	if lag, ok := st.Lag(g); ok {
		s.w.Int(lag)
	} else {
		s.w.Null()
	}
}

func (s *Session) xinfoStream(args [][]byte, sv *streamValue) {
	st := sv.Stream
	full := false
	count := int64(10)
	opts := args[3:]
	if len(opts) > 0 {
		if len(opts) != 1 && len(opts) != 3 || !equalFold(opts[0], "full") {
			s.subcommandSyntaxError(args)
			return
		}
		full = true
		if len(opts) == 3 {
			if !equalFold(opts[1], "count") {
				s.subcommandSyntaxError(args)
				return
			}
			n, ok := parseInt(opts[2])
			if !ok {
				s.w.Error(errNotInt)
				return
			}
			if n < 0 {
				n = 10
			}
			count = n
		}
	}
	if full {
		s.w.Map(9)
	} else {
		s.w.Map(10)
	}
	s.w.BulkString("length")
	s.w.Int(int64(st.Length))
	s.w.BulkString("radix-tree-keys")
	s.w.Int(int64(st.Nodes()))
	s.w.BulkString("radix-tree-nodes")
	s.w.Int(int64(st.RadixNodes()))
	s.w.BulkString("last-generated-id")
	s.writeStreamID(st.LastID)
	s.w.BulkString("max-deleted-entry-id")
	s.writeStreamID(st.MaxDeletedID)
	s.w.BulkString("entries-added")
	s.w.Int(int64(st.EntriesAdded))
	s.w.BulkString("recorded-first-entry-id")
	s.writeStreamID(st.FirstID)
	if !full {
		s.w.BulkString("groups")
		s.w.Int(int64(len(st.Groups())))
		for _, rev := range []bool{false, true} {
			if rev {
				s.w.BulkString("last-entry")
			} else {
				s.w.BulkString("first-entry")
			}
			var it stream.Iterator
			it.Start(st, stream.ID{}, stream.MaxID, rev)
			if id, n, ok := it.Next(); ok {
				s.writeEntry(&it, id, n)
			} else {
				s.w.Null()
			}
		}
		return
	}
	s.w.BulkString("entries")
	s.replyRange(sv, stream.ID{}, stream.MaxID, count, false, nil, nil, false, nil)
	s.w.BulkString("groups")
	s.w.Array(len(st.Groups()))
	limit := func(n int) int {
		if count > 0 && int64(n) > count {
			return int(count)
		}
		return n
	}
	for _, g := range st.Groups() {
		s.w.Map(7)
		s.w.BulkString("name")
		s.w.BulkString(g.Name)
		s.w.BulkString("last-delivered-id")
		s.writeStreamID(g.LastID)
		s.writeEntriesReadAndLag(st, g)
		s.w.BulkString("pel-count")
		s.w.Int(int64(g.PendingCount()))
		s.w.BulkString("pending")
		pending := g.Pending()
		s.w.Array(limit(len(pending)))
		for _, nack := range pending[:limit(len(pending))] {
			s.w.Array(4)
			s.writeStreamID(nack.ID)
			s.w.BulkString(nack.Consumer.Name)
			s.w.Int(nack.DeliveryTime)
			s.w.Int(int64(nack.DeliveryCount))
		}
		s.w.BulkString("consumers")
		s.w.Array(len(g.Consumers()))
		for _, c := range g.Consumers() {
			s.w.Map(4)
			s.w.BulkString("name")
			s.w.BulkString(c.Name)
			s.w.BulkString("seen-time")
			s.w.Int(c.SeenTime)
			s.w.BulkString("pel-count")
			s.w.Int(int64(c.PendingCount()))
			s.w.BulkString("pending")
			cp := c.Pending()
			s.w.Array(limit(len(cp)))
			for _, nack := range cp[:limit(len(cp))] {
				s.w.Array(3)
				s.writeStreamID(nack.ID)
				s.w.Int(nack.DeliveryTime)
				s.w.Int(int64(nack.DeliveryCount))
			}
		}
	}
}
