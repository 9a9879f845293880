package engine

import "sort"

// Pub/Sub state lives in two places, as in Redis: each session knows what it
// subscribed to (for replies, UNSUBSCRIBE without arguments and cleanup),
// and the keyspace's hub indexes subscribers by channel and pattern so
// PUBLISH costs O(subscribers + patterns), not O(clients).
//
// The hub belongs to the Keyspace, not to the Engine: sessions confined to a
// private keyspace (the playground sandbox) publish and receive among
// themselves only, so neither messages nor keyspace notifications cross
// from one sandbox to another.

// subscriptions is a session's pub/sub state; nil until it subscribes.
type subscriptions struct {
	channels map[string]struct{}
	patterns map[string]struct{}
	shards   map[string]struct{}
}

// active reports whether the session is in the subscribed context.
func (p *subscriptions) active() bool {
	return p != nil && len(p.channels)+len(p.patterns)+len(p.shards) > 0
}

// count is the number Redis reports in SUBSCRIBE/PSUBSCRIBE replies:
// channels plus patterns (shard channels are counted apart).
func (p *subscriptions) count() int {
	if p == nil {
		return 0
	}
	return len(p.channels) + len(p.patterns)
}

func (p *subscriptions) shardCount() int {
	if p == nil {
		return 0
	}
	return len(p.shards)
}

// pubsubHub indexes the subscribers of one keyspace.
type pubsubHub struct {
	channels map[string][]*Session // in subscription order
	shards   map[string][]*Session
	patterns map[string][]*Session
	// patList keeps patterns in first-subscription order so deliveries are
	// deterministic.
	patList []string
	// monitors are the sessions in MONITOR mode.
	monitors []*Session
	// tracking holds CLIENT TRACKING's tables; nil until first used.
	tracking *trackingTables
}

func newPubsubHub() *pubsubHub {
	return &pubsubHub{
		channels: map[string][]*Session{},
		shards:   map[string][]*Session{},
		patterns: map[string][]*Session{},
	}
}

// hub returns the keyspace's pub/sub index.
func (ks *Keyspace) hub() *pubsubHub {
	if ks.pubsub == nil {
		ks.pubsub = newPubsubHub()
	}
	return ks.pubsub
}

func removeSession(list []*Session, s *Session) []*Session {
	for i, o := range list {
		if o == s {
			return append(list[:i:i], list[i+1:]...)
		}
	}
	return list
}

// subKind is one of the three pub/sub namespaces.
type subKind uint8

const (
	subChannel subKind = iota
	subPattern
	subShard
)

// words are the reply words Redis uses for the kind.
func (k subKind) words() (sub, unsub string) {
	switch k {
	case subPattern:
		return "psubscribe", "punsubscribe"
	case subShard:
		return "ssubscribe", "sunsubscribe"
	}
	return "subscribe", "unsubscribe"
}

func (p *subscriptions) set(k subKind) *map[string]struct{} {
	switch k {
	case subPattern:
		return &p.patterns
	case subShard:
		return &p.shards
	}
	return &p.channels
}

// countFor is the count a (un)subscribe reply of kind k carries.
func (p *subscriptions) countFor(k subKind) int {
	if k == subShard {
		return p.shardCount()
	}
	return p.count()
}

func (h *pubsubHub) index(k subKind) map[string][]*Session {
	switch k {
	case subPattern:
		return h.patterns
	case subShard:
		return h.shards
	}
	return h.channels
}

// subscribe adds name and writes the confirmation (a push in RESP3).
func (s *Session) subscribe(k subKind, name string) {
	if s.pubsub == nil {
		s.pubsub = &subscriptions{}
	}
	set := s.pubsub.set(k)
	if *set == nil {
		*set = map[string]struct{}{}
	}
	if _, ok := (*set)[name]; !ok {
		(*set)[name] = struct{}{}
		h := s.ks.hub()
		idx := h.index(k)
		if k == subPattern && len(idx[name]) == 0 {
			h.patList = append(h.patList, name)
		}
		idx[name] = append(idx[name], s)
	}
	sub, _ := k.words()
	start := len(s.w.buf)
	s.w.Push(3)
	s.w.BulkString(sub)
	s.w.BulkString(name)
	s.w.Int(int64(s.pubsub.countFor(k)))
	s.pushed(start)
}

// drop removes one subscription from the session and the hub; reports
// whether it was there.
func (s *Session) drop(k subKind, name string) bool {
	if s.pubsub == nil {
		return false
	}
	set := s.pubsub.set(k)
	if _, ok := (*set)[name]; !ok {
		return false
	}
	delete(*set, name)
	h := s.ks.hub()
	idx := h.index(k)
	list := removeSession(idx[name], s)
	if len(list) == 0 {
		delete(idx, name)
		if k == subPattern {
			for i, p := range h.patList {
				if p == name {
					h.patList = append(h.patList[:i:i], h.patList[i+1:]...)
					break
				}
			}
		}
	} else {
		idx[name] = list
	}
	return true
}

// unsubscribe removes name (whether or not the session had it, as Redis
// replies for each name given) and writes the confirmation.
func (s *Session) unsubscribe(k subKind, name string) {
	s.drop(k, name)
	s.unsubReply(k, name, true)
}

func (s *Session) unsubReply(k subKind, name string, haveName bool) {
	_, unsub := k.words()
	start := len(s.w.buf)
	defer s.pushed(start)
	s.w.Push(3)
	s.w.BulkString(unsub)
	if haveName {
		s.w.BulkString(name)
	} else {
		s.w.Null()
	}
	s.w.Int(int64(s.pubsub.countFor(k)))
}

// unsubscribeEvery handles the no-argument form: every subscription of
// kind k is dropped, each with its own reply; with none, one reply with a
// null name.
func (s *Session) unsubscribeEvery(k subKind) {
	var names []string
	if s.pubsub != nil {
		for n := range *s.pubsub.set(k) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		s.unsubReply(k, "", false)
		return
	}
	sort.Strings(names)
	for _, n := range names {
		s.unsubscribe(k, n)
	}
}

// unsubscribeAll drops every subscription, monitor mode and client
// tracking, silently (RESET, a closing session).
func (s *Session) unsubscribeAll() {
	s.stopMonitor()
	s.disableTracking()
	if s.pubsub == nil {
		return
	}
	for _, k := range []subKind{subChannel, subPattern, subShard} {
		for n := range *s.pubsub.set(k) {
			s.drop(k, n)
		}
	}
	s.pubsub = nil
}

// publish sends message to every subscriber of channel in ks (and of
// matching patterns) and returns how many received it; a session with a
// channel and a matching pattern counts twice, as in Redis.
func (e *Engine) publish(ks *Keyspace, channel, message string) int {
	h := ks.pubsub
	if h == nil {
		return 0
	}
	n := 0
	for _, s := range h.channels[channel] {
		s.pushMessage(len(channel)+len(message), func(w *Writer) {
			w.Push(3)
			w.BulkString("message")
			w.BulkString(channel)
			w.BulkString(message)
		})
		n++
	}
	for _, pat := range h.patList {
		if !globMatch(pat, channel, false) {
			continue
		}
		for _, s := range h.patterns[pat] {
			s.pushMessage(len(pat)+len(channel)+len(message), func(w *Writer) {
				w.Push(4)
				w.BulkString("pmessage")
				w.BulkString(pat)
				w.BulkString(channel)
				w.BulkString(message)
			})
			n++
		}
	}
	return n
}

// spublish sends message to the subscribers of shard channel.
func (e *Engine) spublish(ks *Keyspace, channel, message string) int {
	h := ks.pubsub
	if h == nil {
		return 0
	}
	n := 0
	for _, s := range h.shards[channel] {
		s.pushMessage(len(channel)+len(message), func(w *Writer) {
			w.Push(3)
			w.BulkString("smessage")
			w.BulkString(channel)
			w.BulkString(message)
		})
		n++
	}
	return n
}

// pushMessage delivers a pub/sub message and enforces
// client-output-buffer-limit as Redis does on every reply: a subscriber
// that does not read is dropped once its buffer crosses the limit, so a
// publisher never waits for it and memory stays bounded. size is about
// what the message's strings take (its framing is added here).
func (s *Session) pushMessage(size int, fn func(w *Writer)) {
	const framing = 64 // push header, the kind, the lengths, CRLFs
	s.pushAsync(func(w *Writer) {
		if s != s.e.current {
			w.reserve(size + framing)
		}
		start := len(w.buf)
		fn(w)
		s.pushed(start)
		s.checkOutputLimit()
	})
}

// publishKeyspaceEvent sends the __keyspace@db__:key and
// __keyevent@db__:event messages enabled by flags.
func (e *Engine) publishKeyspaceEvent(flags int, event string, db *DB, key string) {
	ks := db.ks
	if ks == nil || ks.pubsub == nil {
		return
	}
	id := itoa(int64(db.id))
	if flags&notifyKeyspace != 0 {
		e.publish(ks, "__keyspace@"+id+"__:"+key, event)
	}
	if flags&notifyKeyevent != 0 {
		e.publish(ks, "__keyevent@"+id+"__:"+event, key)
	}
}

// allowedWhileSubscribed lists what a RESP2 client may send while
// subscribed.
func allowedWhileSubscribed(c *Command) bool {
	switch c.Name {
	case "subscribe", "ssubscribe", "psubscribe", "unsubscribe", "sunsubscribe", "punsubscribe", "ping", "quit", "reset":
		return true
	}
	return false
}
