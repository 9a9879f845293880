package engine

// multiState is a session's open MULTI: the queued commands and whether one
// of them failed to queue (which makes EXEC answer EXECABORT).
type multiState struct {
	queue   []queuedCommand
	aborted bool
}

type queuedCommand struct {
	cmd  *Command
	args [][]byte
}

type watchedKey struct {
	db  *DB
	key string
	// expired is set when the key was already logically expired at WATCH
	// time: its later deletion is then no change (Redis 7.0).
	expired bool
}

// isTransactionControl lists the commands that run at once inside MULTI
// instead of being queued.
func isTransactionControl(c *Command) bool {
	switch c.Name {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return true
	}
	return false
}

// rejectInMulti marks an open transaction as failed, as Redis does when a
// command cannot even be queued.
func (s *Session) rejectInMulti() {
	if s.multi != nil {
		s.multi.aborted = true
	}
}

func (s *Session) queue(cmd *Command, args [][]byte) {
	// The arguments live in the host's read buffer: keep copies.
	cp := make([][]byte, len(args))
	for i, a := range args {
		cp[i] = append([]byte(nil), a...)
	}
	s.multi.queue = append(s.multi.queue, queuedCommand{cmd, cp})
	s.w.Simple("QUEUED")
}

// touchKey marks sessions watching key as dirty; every write and
// deletion calls it (Redis's signalModifiedKey). It counts a change of
// the dataset (Redis's server.dirty), which decides whether the running
// command is propagated.
func (e *Engine) touchKey(db *DB, key string) {
	// e.dirty only grows (propagation compares it around a call);
	// persist.dirty counts changes since the last save.
	e.dirty++
	e.persist.dirty++
	e.keyChanged(db, key)
}

// keyChanged is touchKey without counting a change by the running
// command: an expired key's deletion is propagated as its own DEL.
func (e *Engine) keyChanged(db *DB, key string) {
	if db.ks != nil && db.ks.pubsub != nil {
		e.trackingInvalidate(db.ks, key)
	}
	if len(db.watched) == 0 {
		return
	}
	for _, s := range db.watched[key] {
		if wk := s.watchedKey(db, key); wk != nil && wk.expired {
			if !db.rawExists(key) {
				// An already expired key got deleted: logically no change.
				wk.expired = false
				continue
			}
		}
		s.dirtyCAS = true
	}
}

// touchWatchedInDB marks watchers of db dirty before FLUSHDB or FLUSHALL
// empties it: with onlyExisting, only for keys that exist, as Redis does;
// otherwise every watcher of the database.
func (e *Engine) touchWatchedInDB(db *DB, onlyExisting bool) {
	e.trackingFlush(db.ks)
	if !onlyExisting {
		for _, list := range db.watched {
			for _, s := range list {
				s.dirtyCAS = true
			}
		}
		return
	}
	e.touchWatchedSwap(db, nil)
}

// touchWatchedSwap is Redis's touchAllWatchedKeysInDb: emptied loses its
// contents, replaced by those of with (SWAPDB) or by nothing (with nil:
// FLUSHDB, FLUSHALL). Call it before the contents change. A watched key
// is touched if it exists on either side, except that a key already
// expired at WATCH time that stays gone or expired is no change, and a
// missing key replaced by an expired one becomes an expired watch.
func (e *Engine) touchWatchedSwap(emptied, with *DB) {
	for key, list := range emptied.watched {
		inEmptied := emptied.rawExists(key)
		inWith := with != nil && with.rawExists(key)
		if !inEmptied && !inWith {
			continue
		}
		for _, s := range list {
			wk := s.watchedKey(emptied, key)
			if wk != nil && wk.expired {
				if !inWith {
					wk.expired = false
					continue
				} else if e.isExpired(with, key) {
					continue
				}
			} else if wk != nil && !inEmptied && e.isExpired(with, key) {
				wk.expired = true
				continue
			}
			s.dirtyCAS = true
		}
	}
}

func (s *Session) watchedKey(db *DB, key string) *watchedKey {
	for i := range s.watching {
		if s.watching[i].db == db && s.watching[i].key == key {
			return &s.watching[i]
		}
	}
	return nil
}

func (s *Session) watch(db *DB, key string) {
	if s.watchedKey(db, key) != nil {
		return
	}
	if db.watched == nil {
		db.watched = map[string][]*Session{}
	}
	db.watched[key] = append(db.watched[key], s)
	expired := db.rawExists(key) && s.e.isExpired(db, key)
	s.watching = append(s.watching, watchedKey{db, key, expired})
}

func (s *Session) unwatchAll() {
	for _, wk := range s.watching {
		list := removeSession(wk.db.watched[wk.key], s)
		if len(list) == 0 {
			delete(wk.db.watched, wk.key)
		} else {
			wk.db.watched[wk.key] = list
		}
	}
	s.watching = nil
	s.dirtyCAS = false
}

// discardTransaction ends MULTI and forgets watched keys.
func (s *Session) discardTransaction() {
	s.multi = nil
	s.unwatchAll()
}

// execAbort answers an EXEC refused before it ran (wrong arity, NOAUTH,
// the RESP2 subscribed context), discarding the transaction.
func (s *Session) execAbort(msg string) {
	s.discardTransaction()
	s.w.Error("EXECABORT Transaction discarded because of: " + stripErrCode(msg))
}

// stripErrCode drops a leading "ERR " as Redis's execCommandAbort shows
// errors built by rejectCommandFormat; other codes (NOAUTH) stay.
func stripErrCode(msg string) string {
	if len(msg) > 4 && msg[:4] == "ERR " {
		return msg[4:]
	}
	return msg
}

func transactionHandlers() []handlerEntry {
	return []handlerEntry{
		{"multi", cmdMulti},
		{"exec", cmdExec},
		{"discard", cmdDiscard},
		{"watch", cmdWatch},
		{"unwatch", cmdUnwatch},
	}
}

// MULTI
func cmdMulti(s *Session, args [][]byte) {
	if s.multi != nil {
		s.w.Error(errMultiNested)
		return
	}
	s.multi = &multiState{}
	s.w.OK()
}

// DISCARD
func cmdDiscard(s *Session, args [][]byte) {
	if s.multi == nil {
		s.w.Error(errDiscardNoMulti)
		return
	}
	s.discardTransaction()
	s.w.OK()
}

// EXEC runs the queued commands atomically: the engine lock is held for the
// whole transaction.
func cmdExec(s *Session, args [][]byte) {
	m := s.multi
	if m == nil {
		s.w.Error(errExecNoMulti)
		return
	}
	s.multi = nil
	if m.aborted {
		s.unwatchAll()
		s.w.Error(errExecAbort)
		return
	}
	// A watched key may also have expired since WATCH without anyone
	// touching it: Redis treats that as a change too.
	for _, wk := range s.watching {
		if !wk.expired && s.e.isExpired(wk.db, wk.key) {
			s.dirtyCAS = true
		}
	}
	if s.dirtyCAS {
		s.unwatchAll()
		s.w.NullArray()
		return
	}
	s.unwatchAll()
	// A loading session keeps inExec set for good (it never blocks).
	wasInExec := s.inExec
	s.inExec = true
	mark := len(s.w.buf)
	s.w.Array(len(m.queue))
	s.settleExec(mark)
	for _, q := range m.queue {
		mark = len(s.w.buf)
		// each queued command answers in its slot, even by panicking
		if !s.user.Unrestricted() && s.aclExecDenied(q.cmd, q.args) {
			s.settleExec(mark)
			continue
		}
		s.callProtected(q.cmd, q.args)
		s.settleExec(mark)
	}
	s.inExec = wasInExec
}

// WATCH key [key ...]
func cmdWatch(s *Session, args [][]byte) {
	if s.multi != nil {
		s.w.Error(errWatchInMulti)
		return
	}
	for _, k := range args[1:] {
		s.watch(s.db, string(k))
	}
	s.w.OK()
}

// UNWATCH
func cmdUnwatch(s *Session, args [][]byte) {
	s.unwatchAll()
	s.w.OK()
}
