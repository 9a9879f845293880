package engine

import (
	"sort"
	"strings"
)

// Client-side caching (CLIENT TRACKING), as Redis 7.0's tracking.c. In the
// default mode the keys a tracking client reads are remembered; the first
// write to one sends that client an invalidation and forgets the key. In
// BCAST mode clients register key prefixes instead and hear about every
// write to a matching key, batched per prefix after each command.
// Invalidations are RESP3 pushes (">2 invalidate [keys]"), or, redirected
// to a RESP2 client subscribed to __redis__:invalidate, pub/sub messages.
// The tables belong to the keyspace's hub, like pub/sub.

// trackingState is a session's CLIENT TRACKING mode; nil when off.
type trackingState struct {
	bcast, optin, optout, noloop bool
	redirect                     int64
	prefixes                     []string
	// caching is CLIENT CACHING's yes/no for the next command.
	caching bool
}

// trackingTables are one keyspace's tracking tables.
type trackingTables struct {
	// keys maps a key name (of any database, as in Redis) to the ids of
	// clients that read it.
	keys map[string]map[int64]struct{}
	// prefixes maps a BCAST prefix to its clients and the keys changed
	// since the last broadcast (with who changed them, for NOLOOP).
	prefixes map[string]*bcastPrefix
	// pendingSelf are invalidations for the client whose command is running,
	// sent after its reply; pendingNull marks a flush for it.
	pendingSelf []pendingInvalidation
	pendingNull *Session
	// flushSeq stops FLUSHALL from announcing its flush once per database.
	flushSeq int64
	// limitRuns counts commands after which the table stayed over
	// tracking-table-max-keys: each such run evicts more (Redis's effort).
	limitRuns int
}

type pendingInvalidation struct {
	s   *Session
	key string
}

type bcastPrefix struct {
	clients map[int64]*Session
	changed map[string]*Session
}

func (h *pubsubHub) trackingTables() *trackingTables {
	if h.tracking == nil {
		h.tracking = &trackingTables{keys: map[string]map[int64]struct{}{}, prefixes: map[string]*bcastPrefix{}}
	}
	return h.tracking
}

// CLIENT TRACKING <ON | OFF> [REDIRECT client-id] [PREFIX prefix [PREFIX
// prefix ...]] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]
func cmdClientTracking(s *Session, args [][]byte) {
	var opt trackingState
	var redirect int64
	for j := 3; j < len(args); j++ {
		more := j+1 < len(args)
		switch {
		case equalFold(args[j], "redirect") && more:
			j++
			if redirect != 0 {
				s.w.Error("ERR A client can only redirect to a single other client")
				return
			}
			id, ok := parseInt(args[j])
			if !ok {
				s.w.Error(errNotInt)
				return
			}
			if s.e.sessions[id] == nil {
				s.w.Error("ERR The client ID you want redirect to does not exist")
				return
			}
			redirect = id
		case equalFold(args[j], "bcast"):
			opt.bcast = true
		case equalFold(args[j], "optin"):
			opt.optin = true
		case equalFold(args[j], "optout"):
			opt.optout = true
		case equalFold(args[j], "noloop"):
			opt.noloop = true
		case equalFold(args[j], "prefix") && more:
			j++
			opt.prefixes = append(opt.prefixes, string(args[j]))
		default:
			s.w.Error(errSyntax)
			return
		}
	}
	switch {
	case equalFold(args[2], "on"):
		cur := s.tracking
		switch {
		case !opt.bcast && len(opt.prefixes) > 0:
			s.w.Error("ERR PREFIX option requires BCAST mode to be enabled")
			return
		case cur != nil && cur.bcast != opt.bcast:
			s.w.Error("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.")
			return
		case opt.bcast && (opt.optin || opt.optout):
			s.w.Error("ERR OPTIN and OPTOUT are not compatible with BCAST")
			return
		case opt.optin && opt.optout:
			s.w.Error("ERR You can't specify both OPTIN mode and OPTOUT mode")
			return
		case cur != nil && ((opt.optin && cur.optout) || (opt.optout && cur.optin)):
			s.w.Error("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.")
			return
		}
		if opt.bcast {
			if msg := prefixCollision(cur, opt.prefixes); msg != "" {
				s.w.Error(msg)
				return
			}
		}
		s.enableTracking(redirect, opt)
	case equalFold(args[2], "off"):
		s.disableTracking()
	default:
		s.w.Error(errSyntax)
		return
	}
	s.w.OK()
}

// prefixCollision words Redis's refusal of overlapping BCAST prefixes.
func prefixCollision(cur *trackingState, prefixes []string) string {
	overlap := func(a, b string) bool { return strings.HasPrefix(a, b) || strings.HasPrefix(b, a) }
	for i, p := range prefixes {
		if cur != nil {
			for _, have := range cur.prefixes {
				if overlap(p, have) {
					return "ERR Prefix '" + p + "' overlaps with an existing prefix '" + have + "'. Prefixes for a single client must not overlap."
				}
			}
		}
		for _, q := range prefixes[i+1:] {
			if overlap(p, q) {
				return "ERR Prefix '" + p + "' overlaps with another provided prefix '" + q + "'. Prefixes for a single client must not overlap."
			}
		}
	}
	return ""
}

func (s *Session) enableTracking(redirect int64, opt trackingState) {
	t := s.tracking
	if t == nil {
		t = &trackingState{}
		s.tracking = t
	}
	t.redirect = redirect
	t.bcast, t.noloop = opt.bcast, opt.noloop
	t.optin, t.optout = opt.optin, opt.optout
	t.caching = false
	if !opt.bcast {
		return
	}
	prefixes := opt.prefixes
	if len(prefixes) == 0 && len(t.prefixes) == 0 {
		prefixes = []string{""}
	}
	tt := s.ks.hub().trackingTables()
	for _, p := range prefixes {
		bp := tt.prefixes[p]
		if bp == nil {
			bp = &bcastPrefix{clients: map[int64]*Session{}, changed: map[string]*Session{}}
			tt.prefixes[p] = bp
		}
		if _, ok := bp.clients[s.id]; !ok {
			bp.clients[s.id] = s
			t.prefixes = append(t.prefixes, p)
		}
	}
}

// disableTracking turns tracking off (CLIENT TRACKING OFF, RESET, a
// closing session). Remembered keys are dropped lazily, as in Redis.
func (s *Session) disableTracking() {
	t := s.tracking
	if t == nil {
		return
	}
	if h := s.ks.pubsub; h != nil && h.tracking != nil {
		for _, p := range t.prefixes {
			if bp := h.tracking.prefixes[p]; bp != nil {
				delete(bp.clients, s.id)
				if len(bp.clients) == 0 {
					delete(h.tracking.prefixes, p)
				}
			}
		}
	}
	s.tracking = nil
}

// CLIENT CACHING <YES | NO>
func cmdClientCaching(s *Session, args [][]byte) {
	t := s.tracking
	if t == nil {
		s.w.Error("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled")
		return
	}
	switch {
	case equalFold(args[2], "yes"):
		if !t.optin {
			s.w.Error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
			return
		}
	case equalFold(args[2], "no"):
		if !t.optout {
			s.w.Error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
			return
		}
	default:
		s.w.Error(errSyntax)
		return
	}
	t.caching = true
	s.w.OK()
}

// CLIENT GETREDIR
func cmdClientGetredir(s *Session, args [][]byte) {
	if s.tracking == nil {
		s.w.Int(-1)
		return
	}
	s.w.Int(s.tracking.redirect)
}

// CLIENT TRACKINGINFO
func cmdClientTrackingInfo(s *Session, args [][]byte) {
	t := s.tracking
	s.w.Map(3)
	s.w.BulkString("flags")
	if t == nil {
		s.w.Set(1)
		s.w.BulkString("off")
		s.w.BulkString("redirect")
		s.w.Int(-1)
		s.w.BulkString("prefixes")
		s.w.Array(0)
		return
	}
	flags := []string{"on"}
	for _, f := range []struct {
		on   bool
		name string
	}{{t.bcast, "bcast"}, {t.optin, "optin"}, {t.optout, "optout"}, {t.caching && t.optin, "caching-yes"}, {t.caching && t.optout, "caching-no"}, {t.noloop, "noloop"}} {
		if f.on {
			flags = append(flags, f.name)
		}
	}
	if t.redirect != 0 && s.e.sessions[t.redirect] == nil {
		flags = append(flags, "broken_redirect")
	}
	s.w.Set(len(flags))
	for _, f := range flags {
		s.w.BulkString(f)
	}
	s.w.BulkString("redirect")
	s.w.Int(t.redirect)
	s.w.BulkString("prefixes")
	prefixes := append([]string(nil), t.prefixes...)
	sort.Strings(prefixes)
	s.w.BulkStrings(prefixes)
}

// trackingRemember notes the keys a read-only command read, for a client
// tracking in the default mode. Inside a script it is the caller that
// tracks, and what it tracks is the keys the script declared, once the
// script ran a read-only command (Redis's call()); the read-only script
// commands themselves track nothing of their own.
func (s *Session) trackingRemember(cmd *Command, args [][]byte) {
	if cmd.flags&flagReadonly == 0 {
		return
	}
	switch cmd.Name {
	case "eval_ro", "evalsha_ro", "fcall_ro":
		return
	}
	owner := s
	if r := s.script; r != nil {
		owner = r.caller
		cmd, args = owner.run.cmd, owner.run.args
		if cmd == nil {
			return
		}
	}
	t := owner.tracking
	if t == nil || t.bcast {
		return
	}
	if (t.optin && !t.caching) || (t.optout && t.caching) {
		return
	}
	e := s.e
	e.trackKeys = getKeys(cmd, args, e.trackKeys[:0])
	if len(e.trackKeys) == 0 {
		return
	}
	tt := owner.ks.hub().trackingTables()
	for _, kr := range e.trackKeys {
		k := string(args[kr.pos])
		ids := tt.keys[k]
		if ids == nil {
			ids = map[int64]struct{}{}
			tt.keys[k] = ids
		}
		ids[owner.id] = struct{}{}
	}
}

// trackingInvalidate runs on every change of key (touchKey): it tells the
// clients that read it, and queues it for BCAST prefixes.
func (e *Engine) trackingInvalidate(ks *Keyspace, key string) {
	if ks == nil || ks.pubsub == nil || ks.pubsub.tracking == nil {
		return
	}
	tt := ks.pubsub.tracking
	for p, bp := range tt.prefixes {
		if strings.HasPrefix(key, p) {
			bp.changed[key] = e.current
		}
	}
	ids, ok := tt.keys[key]
	if !ok {
		return
	}
	delete(tt.keys, key)
	for id := range ids {
		target := e.sessions[id]
		if target == nil || target.tracking == nil || target.tracking.bcast {
			continue
		}
		if target == e.current {
			if !target.tracking.noloop {
				tt.pendingSelf = append(tt.pendingSelf, pendingInvalidation{target, key})
			}
			continue
		}
		target.sendInvalidation([]string{key}, false)
	}
}

// trackingFlush announces FLUSHDB/FLUSHALL to every tracking client (a
// null invalidation), once per command, and forgets remembered keys.
func (e *Engine) trackingFlush(ks *Keyspace) {
	if ks == nil || ks.pubsub == nil || ks.pubsub.tracking == nil {
		return
	}
	tt := ks.pubsub.tracking
	seq := e.stats.commands + 1
	if tt.flushSeq == seq {
		return
	}
	tt.flushSeq = seq
	tt.keys = map[string]map[int64]struct{}{}
	for _, s := range e.sessions {
		if s.tracking == nil || s.ks != ks {
			continue
		}
		if s == e.current {
			tt.pendingNull = s
			continue
		}
		s.sendInvalidation(nil, true)
	}
}

// afterCommand runs after each command of s: tracking's deferred
// messages, and the end of a one-command CLIENT CACHING.
func (e *Engine) afterCommand(s *Session) {
	if t := s.tracking; t != nil && s.multi == nil && !strings.HasPrefix(s.lastCmd, "client|") {
		t.caching = false
	}
	e.trackingAfterCommand(s.ks)
}

// trackingAfterCommand sends what waited for the end of a command: the
// running client's own invalidations (after its reply, as Redis 7.0) and
// the BCAST batches.
func (e *Engine) trackingAfterCommand(ks *Keyspace) {
	if ks == nil || ks.pubsub == nil || ks.pubsub.tracking == nil {
		return
	}
	tt := ks.pubsub.tracking
	e.trackingLimitKeys(tt)
	if s := tt.pendingNull; s != nil && s.tracking != nil {
		s.sendInvalidation(nil, true)
	}
	for _, p := range tt.pendingSelf {
		if p.s.tracking != nil {
			p.s.sendInvalidation([]string{p.key}, false)
		}
	}
	tt.pendingSelf, tt.pendingNull = tt.pendingSelf[:0], nil
	for _, bp := range tt.prefixes {
		if len(bp.changed) == 0 {
			continue
		}
		for _, c := range bp.clients {
			var keys []string
			for k, by := range bp.changed {
				if c.tracking.noloop && by == c {
					continue
				}
				keys = append(keys, k)
			}
			if len(keys) == 0 {
				continue
			}
			sort.Strings(keys)
			c.sendInvalidation(keys, false)
		}
		clear(bp.changed)
	}
}

// trackingLimitKeys keeps the remembered keys within
// tracking-table-max-keys (0: no limit) as Redis's trackingLimitUsedSlots:
// it forgets random keys, telling their readers as if the keys had
// changed, with an effort of 100 keys per consecutive run over the limit.
func (e *Engine) trackingLimitKeys(tt *trackingTables) {
	limit := e.config.int("tracking-table-max-keys")
	if limit == 0 || int64(len(tt.keys)) <= limit {
		tt.limitRuns = 0
		return
	}
	effort := 100 * (tt.limitRuns + 1)
	for key, ids := range tt.keys {
		if effort == 0 {
			break
		}
		effort--
		delete(tt.keys, key)
		for id := range ids {
			if target := e.sessions[id]; target != nil && target.tracking != nil && !target.tracking.bcast {
				target.sendInvalidation([]string{key}, false)
			}
		}
		if int64(len(tt.keys)) <= limit {
			tt.limitRuns = 0
			return
		}
	}
	tt.limitRuns++
}

// sendInvalidation writes one invalidation for s (keys, or null for a
// flush) to s or to its redirection target.
func (s *Session) sendInvalidation(keys []string, null bool) {
	target := s
	redirected := false
	if id := s.tracking.redirect; id != 0 {
		target = s.e.sessions[id]
		if target == nil {
			s.pushAsync(func(w *Writer) {
				if w.proto > 2 {
					defer s.pushed(len(w.buf))
					w.Push(2)
					w.BulkString("tracking-redir-broken")
					w.Int(id)
				}
			})
			return
		}
		redirected = true
	}
	target.pushAsync(func(w *Writer) {
		defer target.pushed(len(w.buf))
		switch {
		case w.proto > 2:
			w.Push(2)
			w.BulkString("invalidate")
		case redirected && target.pubsub.active():
			w.Push(3)
			w.BulkString("message")
			w.BulkString("__redis__:invalidate")
		default:
			// RESP2 without redirection cannot carry pushes.
			return
		}
		if null {
			w.Null()
			return
		}
		w.BulkStrings(keys)
	})
}
