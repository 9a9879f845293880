package engine

func serverHandlers() []handlerEntry {
	return []handlerEntry{
		{"dbsize", cmdDBSize},
		{"flushdb", cmdFlushDB},
		{"flushall", cmdFlushAll},
	}
}

// DBSIZE
func cmdDBSize(s *Session, args [][]byte) { s.w.Int(int64(s.db.size())) }

// flushMode reads FLUSHDB/FLUSHALL's optional ASYNC|SYNC.
func flushMode(args [][]byte) bool {
	if len(args) == 1 {
		return true
	}
	return len(args) == 2 && (equalFold(args[1], "sync") || equalFold(args[1], "async"))
}

// FLUSHDB [ASYNC | SYNC]
func cmdFlushDB(s *Session, args [][]byte) {
	if !flushMode(args) {
		s.w.Error(errSyntax)
		return
	}
	s.e.flushDB(s.db)
	s.w.OK()
}

// FLUSHALL [ASYNC | SYNC]
func cmdFlushAll(s *Session, args [][]byte) {
	if !flushMode(args) {
		s.w.Error(errSyntax)
		return
	}
	for _, db := range s.ks.dbs {
		s.e.flushDB(db)
	}
	s.w.OK()
}

func (e *Engine) flushDB(db *DB) {
	e.touchWatchedInDB(db, true)
	db.clear()
}
