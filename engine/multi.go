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

// touchKey marks sessions watching key as dirty; every write, expiry and
// deletion calls it (Redis's signalModifiedKey).
func (e *Engine) touchKey(db *DB, key string) {
	if len(db.watched) == 0 {
		return
	}
	for _, s := range db.watched[key] {
		s.dirtyCAS = true
	}
}

// touchAllKeys marks every watcher of db dirty (FLUSHDB, SWAPDB), or of
// every database when db is nil and only if the watched key existed, as
// Redis does on FLUSHALL.
func (e *Engine) touchWatchedInDB(db *DB, onlyExisting bool) {
	for key, list := range db.watched {
		if onlyExisting && !db.rawExists(key) {
			continue
		}
		for _, s := range list {
			s.dirtyCAS = true
		}
	}
}

func (s *Session) watch(db *DB, key string) {
	for _, wk := range s.watching {
		if wk.db == db && wk.key == key {
			return
		}
	}
	if db.watched == nil {
		db.watched = map[string][]*Session{}
	}
	db.watched[key] = append(db.watched[key], s)
	s.watching = append(s.watching, watchedKey{db, key})
}

func (s *Session) unwatchAll() {
	for _, wk := range s.watching {
		list := wk.db.watched[wk.key]
		for i, o := range list {
			if o == s {
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(wk.db.watched, wk.key)
		} else {
			wk.db.watched[wk.key] = list
		}
	}
	s.watching = nil
	s.dirtyCAS = false
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
	s.multi = nil
	s.unwatchAll()
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
		if wk.db.deadline(wk.key) >= 0 && s.e.isExpired(wk.db, wk.key) {
			s.dirtyCAS = true
		}
	}
	if s.dirtyCAS {
		s.unwatchAll()
		s.w.NullArray()
		return
	}
	s.unwatchAll()
	s.inExec = true
	s.w.Array(len(m.queue))
	for _, q := range m.queue {
		s.call(q.cmd, q.args)
	}
	s.inExec = false
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
