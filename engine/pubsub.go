package engine

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

// allowedWhileSubscribed lists what a RESP2 client may send while
// subscribed.
func allowedWhileSubscribed(c *Command) bool {
	switch c.Name {
	case "subscribe", "ssubscribe", "psubscribe", "unsubscribe", "sunsubscribe", "punsubscribe", "ping", "quit", "reset":
		return true
	}
	return false
}

// unsubscribeAll drops every subscription of a closing session.
func (s *Session) unsubscribeAll() {
	s.pubsub = nil
}

// publish sends message to every subscriber of channel (and of matching
// patterns) and returns how many received it.
func (e *Engine) publish(channel, message string) int {
	n := 0
	for _, s := range e.sessions {
		p := s.pubsub
		if p == nil {
			continue
		}
		if _, ok := p.channels[channel]; ok {
			s.pushAsync(func(w *Writer) {
				w.Push(3)
				w.BulkString("message")
				w.BulkString(channel)
				w.BulkString(message)
			})
			n++
		}
		for pat := range p.patterns {
			if globMatch(pat, channel, false) {
				s.pushAsync(func(w *Writer) {
					w.Push(4)
					w.BulkString("pmessage")
					w.BulkString(pat)
					w.BulkString(channel)
					w.BulkString(message)
				})
				n++
			}
		}
	}
	return n
}

// publishKeyspaceEvent sends the __keyspace@db__:key and
// __keyevent@db__:event messages enabled by flags.
func (e *Engine) publishKeyspaceEvent(flags int, event string, db *DB, key string) {
	id := itoa(int64(db.id))
	if flags&notifyKeyspace != 0 {
		e.publish("__keyspace@"+id+"__:"+key, event)
	}
	if flags&notifyKeyevent != 0 {
		e.publish("__keyevent@"+id+"__:"+event, key)
	}
}
