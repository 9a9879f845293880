package engine

import "time"

// isExpired reports whether key has a deadline that has passed. As in
// Redis, a key is expired once now is past its deadline.
func (e *Engine) isExpired(db *DB, key string) bool {
	if e.loading {
		// Nothing expires while a file loads: the file says when.
		return false
	}
	t := db.deadline(key)
	if t < 0 || e.nowMs <= t {
		return false
	}
	// On a replica the master decides: the commands of its stream see the
	// key until its DEL arrives (Redis's expireIfNeeded).
	return e.master == nil || e.current == nil || !e.current.fromMaster
}

// expireIfNeeded deletes key if its deadline has passed (lazy expiry) and
// reports whether it is gone for the command. A replica only hides the
// key from reads and waits for its master's DEL (deleting it would make
// the replica differ from its master); a write on a writable replica
// deletes it, as Redis's lookupKey forces then.
func (e *Engine) expireIfNeeded(db *DB, key string) bool {
	if !e.isExpired(db, key) {
		return false
	}
	if e.master != nil {
		if c := e.current; c == nil || c.run.cmd == nil || c.run.cmd.flags&flagWrite == 0 {
			return true
		}
	}
	if e.clientsPaused() {
		return true
	}
	e.expireKey(db, key)
	return true
}

func (e *Engine) expireKey(db *DB, key string) {
	key = string([]byte(key)) // may alias a request buffer: keep a copy for notifications
	db.removeRaw(key)
	// A client blocked in XREADGROUP learns its stream is gone.
	e.signalReady(db, key)
	e.stats.expiredKeys++
	e.keyChanged(db, key)
	e.notifyKeyspaceEvent(notifyExpired, "expired", db, key)
	e.propagateDeletion(db, key, e.config.bool("lazyfree-lazy-expire"))
}

// Active expiry parameters, as in Redis's activeExpireCycle: sample keys
// with a deadline, delete the expired ones, and go on while more than a
// quarter of a sample was expired.
const (
	expireSampleSize   = 20
	expireAcceptable   = expireSampleSize / 4
	expireCycleBudget  = 25 * time.Millisecond
	expireMaxRoundsDB  = 64
	expireCycleEveryMs = 100
)

// ActiveExpireCycle reclaims expired keys that nobody reads. The host calls
// it periodically (every 100 ms, like Redis's hz 10); it returns the number
// of keys reclaimed. It does a bounded amount of work per call.
func (e *Engine) ActiveExpireCycle() int {
	if e.cronPaused.Load() {
		return 0
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.iAmMaster() {
		// A replica waits for its master's DELs, as Redis's; only the
		// keys written with a deadline on a writable replica are its own.
		// A cluster replica restarting is one before its link is set up.
		e.tick()
		return e.expireReplicaKeys()
	}
	if !e.activeExpire {
		return 0
	}
	e.tick()
	if e.clientsPaused() {
		return 0
	}
	start := time.Now()
	total, sampled := 0, 0
	for _, ks := range e.keyspaces() {
		for _, db := range ks.dbs {
			n, m := e.expireSample(db, start)
			total += n
			sampled += m
		}
		// The DELs of a cycle are separate units: never one transaction.
		e.prop.noMulti = true
		e.flushPropagation()
		e.trackingAfterCommand(ks)
	}
	e.serveReadyKeys()
	// Redis's running estimate of the share of keys with a deadline that
	// are already stale, and the cycle's cost.
	perc := 0.0
	if sampled > 0 {
		perc = float64(total) / float64(sampled)
	}
	st := &e.stats
	st.expiredStalePerc = perc*0.05 + st.expiredStalePerc*0.95
	elapsed := time.Since(start)
	st.expireCycleCPUMicros += elapsed.Microseconds()
	e.latencyAddSampleIfNeeded("expire-cycle", elapsed.Milliseconds())
	return total
}

// expireSample runs the sampling rounds of one database and returns the
// keys expired and the keys sampled.
func (e *Engine) expireSample(db *DB, start time.Time) (int, int) {
	total, sampledAll := 0, 0
	for round := 0; round < expireMaxRoundsDB && len(db.expires) > 0; round++ {
		sampled, expired := 0, 0
		var due []string
		for k, t := range db.expires {
			if sampled == expireSampleSize {
				break
			}
			sampled++
			if e.nowMs > t {
				due = append(due, k)
			}
		}
		for _, k := range due {
			e.expireKey(db, k)
			expired++
		}
		total += expired
		sampledAll += sampled
		if expired <= expireAcceptable {
			break
		}
		if time.Since(start) > expireCycleBudget {
			e.stats.expiredTimeCapReached++
			break
		}
	}
	return total, sampledAll
}

// keyspaces lists the main keyspace and every private (sandbox) one.
func (e *Engine) keyspaces() []*Keyspace {
	out := []*Keyspace{e.main}
	seen := map[*Keyspace]bool{e.main: true}
	for _, s := range e.sessions {
		if !seen[s.ks] {
			seen[s.ks] = true
			out = append(out, s.ks)
		}
	}
	return out
}

// alreadyExpired is Redis's checkAlreadyExpired: a deadline at or before
// now deletes the key at once (EXPIRE with a past time), except while a
// file loads, where the key is kept with its deadline: later commands of
// the file may still use it, and it expires once the load is over.
func (e *Engine) alreadyExpired(when int64) bool {
	return when <= e.nowMs && !e.loading
}

// replicaKey is a key a writable replica's own client gave a deadline.
type replicaKey struct {
	db  *DB
	key string
}

// replicaExpiresTracked is INFO's slave_expires_tracked_keys: the distinct
// key names remembered by rememberReplicaKeyWithExpire.
func (e *Engine) replicaExpiresTracked() int {
	names := make(map[string]struct{}, len(e.replicaExpires))
	for rk := range e.replicaExpires {
		names[rk.key] = struct{}{}
	}
	return len(names)
}

// rememberReplicaKeyWithExpire notes a key that a client of a writable
// replica gave a deadline: its master will never send the DEL, so the
// replica expires it itself (Redis's rememberSlaveKeyWithExpire).
func (e *Engine) rememberReplicaKeyWithExpire(db *DB, key string) {
	if e.replicaExpires == nil {
		e.replicaExpires = map[replicaKey]struct{}{}
	}
	e.replicaExpires[replicaKey{db, key}] = struct{}{}
}

// forgetReplicaKeys drops the remembered keys when every database is
// emptied (FLUSHALL, a full synchronization, DEBUG RELOAD), as Redis's
// emptyData: the keys loaded next are the master's, with the master's
// deadlines.
func (e *Engine) forgetReplicaKeys() { e.replicaExpires = nil }

// expireReplicaKeys deletes the remembered keys whose deadline passed
// (Redis's expireSlaveKeys) and forgets those without one.
func (e *Engine) expireReplicaKeys() int {
	n := 0
	for rk := range e.replicaExpires {
		t := rk.db.deadline(rk.key)
		switch {
		case t < 0:
			delete(e.replicaExpires, rk)
		case e.nowMs > t:
			e.expireKey(rk.db, rk.key)
			delete(e.replicaExpires, rk)
			n++
		}
	}
	if n > 0 {
		e.prop.noMulti = true
		e.flushPropagation()
	}
	return n
}
