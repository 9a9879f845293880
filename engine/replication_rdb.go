package engine

// Replication facts kept in the dump file, as Redis 7.0 does (PSYNC2
// after a restart): every save of a server that takes part in
// replication records its replication ID, its offset and the database
// its stream has selected (the repl-id, repl-offset and repl-stream-db aux
// fields); a server that restarts from such a file continues that history
// instead of asking for (or forcing) a full synchronization.

// replSaveInfo is Redis's rdbPopulateSaveInfo: the position a save of
// the dataset stands for, or nil when the server is in no replication
// chain (a master without a backlog, a replica with no master stream
// applied).
func (e *Engine) replSaveInfo() *ReplPosition {
	if m := e.master; m != nil {
		// A replica's offset moves only with its master's stream, so
		// the applied position (the connected or cached master) is the
		// data's.
		if m.replid == "" {
			return nil
		}
		return &ReplPosition{StreamDB: m.streamDB, ID: e.srv.replID, Offset: e.repl.offset}
	}
	if !e.repl.feeding {
		return nil
	}
	// A stream that selected nothing yet saves db 0: its next write
	// selects one anyway.
	return &ReplPosition{StreamDB: max(e.repl.selDB, 0), ID: e.srv.replID, Offset: e.repl.offset}
}

// BeginStartupLoad opens the Loader of the dump file at startup (Redis's
// loadDataFromDisk). A master creates its backlog first: the keys found
// expired are dropped and their DELs go to the backlog, so replicas that
// continue with PSYNC delete them too. A replica (replicaof in the
// configuration) keeps them and waits for its master's DEL. The Loader's
// End restores the replication position the file recorded (SetReplication).
func (e *Engine) BeginStartupLoad(totalBytes int64) *Loader {
	e.mu.Lock()
	defer e.mu.Unlock()
	ld := e.beginLoad(totalBytes, false)
	ld.startup = true
	if !e.iAmMaster() {
		ld.KeepExpired = true
	} else {
		e.startFeeding()
		ld.feedRepl = true
	}
	return ld
}

// SetReplication records the replication position a dump file holds
// (its repl-id, repl-offset and repl-stream-db aux fields); only the
// startup load uses it.
func (ld *Loader) SetReplication(pos ReplPosition) {
	ld.lock()
	ld.repl = &pos
	ld.unlock()
}

// feedExpiredDel sends the DEL of a key found expired while loading to
// the replication backlog (Redis's RDBFLAGS_FEED_REPL); locked.
func (ld *Loader) feedExpiredDel(db int, key string) {
	e := ld.e
	verb := e.delVerb("lazyfree-lazy-expire")
	replFeed{e}.Propagate([]Op{{DB: db, Args: [][]byte{verb, []byte(key)}, Target: PropagateRepl}})
}

// restoreReplication ends the startup load: a position recorded in the
// file (and valid: Redis's rsi_is_valid) is restored, else the backlog
// made for the load is freed. A replica takes the position as its cached
// master's, so its first PSYNC asks to continue from there; a master
// keeps it as its secondary ID, so its replicas continue with PSYNC, and
// rebases its offset (and the DELs of expired keys in its backlog) on it.
// Locked.
func (e *Engine) restoreReplication(pos *ReplPosition) {
	valid := pos != nil && pos.ID != "" && pos.Offset != -1 && pos.StreamDB != -1
	if !valid {
		if e.master == nil && e.repl.feeding {
			e.stopFeeding()
		}
		return
	}
	if m := e.master; m != nil {
		e.srv.replID = pos.ID
		e.repl.offset = pos.Offset
		m.replid, m.offset, m.streamDB = pos.ID, pos.Offset, pos.StreamDB
		return
	}
	if !e.iAmMaster() {
		// A cluster replica whose link is not set up yet: the history is
		// its own until the bus points it at its master, which it then
		// offers in its PSYNC (replicationSetMaster's
		// replicationCacheMasterUsingMyself).
		e.srv.replID = pos.ID
		e.repl.offset = pos.Offset
		return
	}
	r := &e.repl
	e.srv.replID2 = pos.ID
	r.secondOffset = pos.Offset + 1
	r.offset += pos.Offset
	r.backlog.first += pos.Offset
	r.noReplicasSince = e.now()
}
