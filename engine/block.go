package engine

import (
	"math"
	"time"
)

// blockState is a session waiting in a blocking command (BLPOP, BZPOPMIN,
// ...). The engine never waits itself: the command registers here and
// returns; a later write to one of the keys retries it, and the host's
// timer calls CheckTimeout. So blocking works the same with OS threads
// (native server) and without (the wasm build).
type blockState struct {
	db       *DB
	keys     []string
	deadline int64 // unix ms; 0 waits forever
	// retry tries the command again; it writes the reply and returns true
	// when it could be served.
	retry func(s *Session) bool
	// onTimeout writes the reply for a timeout.
	onTimeout func(s *Session)
	// readyKey is the key being served while retry runs: Redis serves a
	// blocked client from the key that received data, not from the first
	// of its keys that has some.
	readyKey string
	// muted: CLIENT REPLY silenced the command, so its reply is dropped.
	muted bool
	// wait is set for WAIT, which waits for replicas, not keys.
	wait *waitState
	// serveMissing retries the command even when its key is gone
	// (XREADGROUP answers that the stream no longer exists).
	serveMissing bool
	// cmd, args and callUs are the blocked command as called, for its
	// statistics and slow log entry once served (afterCall).
	cmd    *Command
	args   [][]byte
	callUs int64
}

// parseTimeout reads a blocking timeout in seconds (decimals allowed) and
// returns the absolute deadline in unix ms, 0 for "forever". As Redis 7.0
// does, it rounds the milliseconds up, so "-0.0001" means 0 (forever), and a
// value too large for a long long ("inf", "1e100") converts to a negative
// number and is refused as negative.
func (s *Session) parseTimeout(arg []byte) (int64, error) {
	f, ok := parseFloat(arg)
	if !ok {
		return 0, argError(errTimeoutNotFloat)
	}
	ms := math.Ceil(f * 1000)
	if ms < 0 || ms >= math.MaxInt64 {
		return 0, argError(errTimeoutNegative)
	}
	n := int64(ms)
	if s.sandbox != nil && s.sandbox.limits.MaxBlock > 0 {
		// A sandboxed session never waits longer than its quota.
		if limit := s.sandbox.limits.MaxBlock.Milliseconds(); n == 0 || n > limit {
			n = limit
		}
	}
	if n == 0 {
		return 0, nil
	}
	if n > math.MaxInt64-s.e.nowMs {
		// Redis's deadline overflows here and the client just waits.
		return 0, nil
	}
	return s.e.nowMs + n, nil
}

// block parks the session on keys. Inside MULTI (or a script) Redis does not
// block: the caller must check s.inExec first and answer the timeout reply.
func (s *Session) block(keys [][]byte, deadline int64, retry func(*Session) bool, onTimeout func(*Session)) {
	db := s.db
	b := &blockState{db: db, deadline: deadline, retry: retry, onTimeout: onTimeout}
	if db.blocked == nil {
		db.blocked = map[string][]*Session{}
	}
	for _, k := range keys {
		key := string(k)
		dup := false
		for _, have := range b.keys {
			if have == key {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		b.keys = append(b.keys, key)
		db.blocked[key] = append(db.blocked[key], s)
	}
	s.blocked = b
	s.e.stats.blockedClients++
}

// unblock forgets the session's wait.
func (s *Session) unblock() {
	b := s.blocked
	if b == nil {
		return
	}
	for _, k := range b.keys {
		list := b.db.blocked[k]
		for i, o := range list {
			if o == s {
				list = append(list[:i:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(b.db.blocked, k)
		} else {
			b.db.blocked[k] = list
		}
	}
	s.blocked = nil
	s.e.stats.blockedClients--
}

// signalReady notes that key received data; sessions blocked on it are
// served after the current command (Redis's signalKeyAsReady).
func (e *Engine) signalReady(db *DB, key string) {
	if len(db.blocked[key]) == 0 {
		return
	}
	for _, rk := range e.readyKeys {
		if rk.db == db && rk.key == key {
			return
		}
	}
	e.readyKeys = append(e.readyKeys, readyKey{db, key})
}

// serveReadyKeys retries blocked sessions, oldest first, for every key
// that received data. Serving one may make other keys ready (BLMOVE), so it
// loops until nothing is left.
func (e *Engine) serveReadyKeys() {
	e.mutating = true
	for len(e.readyKeys) > 0 {
		rk := e.readyKeys[0]
		e.readyKeys = e.readyKeys[1:]
		e.refreshNow()
		waiting := append([]*Session(nil), rk.db.blocked[rk.key]...)
		for _, s := range waiting {
			if s.blocked == nil || (!s.blocked.serveMissing && !rk.db.rawExists(rk.key)) {
				continue
			}
			b := s.blocked
			b.readyKey = rk.key
			s.mu.Lock()
			prev := e.current
			e.current = s
			e.prop.rewrite = nil
			var served bool
			started := e.monoNow()
			s.writeUnblocked(b, func() { served = s.retryBlocked(b) })
			e.current = prev
			if served {
				e.updateStatsOnUnblock(s, b, time.Duration(e.monoNow()-started))
				s.unblock()
				// The served command propagates as its effect (LPOP for
				// BLPOP...), as a unit of its own.
				if argv := e.prop.rewrite; argv != nil {
					e.alsoPropagate(b.db, propagateAll, argv...)
				}
			}
			e.flushPropagation()
			e.prop.rewrite = nil
			s.mu.Unlock()
			if served {
				s.notify()
			}
		}
	}
	e.readyKeys = e.readyKeys[:0]
}

// unblockClient ends a wait from CLIENT UNBLOCK: with the timeout reply, or
// with an UNBLOCKED error.
func (e *Engine) unblockClient(s *Session, withError bool) bool {
	b := s.blocked
	if b == nil {
		return false
	}
	s.unblock()
	if withError {
		// The blocked command failed: its failed_calls counts it, as
		// Redis's updateStatsOnUnblock does.
		if c := e.commands[s.lastCmd]; c != nil {
			c.failed++
		}
	}
	s.pushAsync(func(w *Writer) {
		s.writeUnblocked(b, func() {
			if withError {
				w.Error("UNBLOCKED client unblocked via CLIENT UNBLOCK")
			} else {
				b.onTimeout(s)
			}
		})
	})
	return true
}

// signalDeletedStreams marks the keys of db that hold a stream and will
// not after a FLUSHDB (replacedWith nil) or a SWAPDB (the data of
// replacedWith): clients blocked on them in XREADGROUP are told the stream
// is gone, as Redis's scanDatabaseForDeletedStreams.
func (e *Engine) signalDeletedStreams(db, replacedWith *DB) {
	for key := range db.blocked {
		_, obj, _ := db.rawGet(key)
		if _, was := obj.(*streamValue); !was {
			continue
		}
		if replacedWith != nil {
			_, obj, _ := replacedWith.rawGet(key)
			if _, is := obj.(*streamValue); is {
				continue
			}
		}
		e.signalReady(db, key)
	}
}
