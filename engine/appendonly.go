package engine

// AppendOnlyFile is the host's append-only file as the engine drives it:
// BGREWRITEAOF, CONFIG SET of its parameters and the aof_* fields of INFO
// persistence. The aof package implements it; the wasm build has none.
// Every method is called with the engine locked and must not call back
// into the engine.
type AppendOnlyFile interface {
	// The file receives the effect stream while appendonly is on: the
	// engine attaches it when CONFIG SET turns it on and detaches it
	// when turned off (at startup the host attaches it).
	Propagator
	// BackgroundRewrite starts BGREWRITEAOF. inExec is set inside a
	// transaction (Redis then only schedules it). It returns the status
	// reply ("Background append only file rewriting started") or an
	// error whose text is the error reply.
	BackgroundRewrite(inExec bool) (string, error)
	// SetEnabled applies CONFIG SET appendonly: turning it on starts a
	// rewrite, as Redis does. An error refuses the change.
	SetEnabled(on bool, inExec bool) error
	// ConfigChanged tells of a new value of another parameter it reads
	// (appendfsync, no-appendfsync-on-rewrite, aof-timestamp-enabled, ...).
	ConfigChanged(name, value string)
	// Info adds the aof_* fields of INFO persistence in Redis's order:
	// main are the ones always shown, enabled the block shown when the
	// AOF is on.
	Info(main, enabled func(name, value string))
	// WriteError is the strerror text of the error that the last write
	// or fsync of the file met, "" once they succeed again: while it is
	// set, writes get -MISCONF (Redis's writeCommandsDeniedByDiskError).
	// Called for every write command: it must be cheap.
	WriteError() string
}

// SetAppendOnlyFile installs the host's append-only file.
func (e *Engine) SetAppendOnlyFile(a AppendOnlyFile) {
	e.mu.Lock()
	e.aof = a
	e.mu.Unlock()
}

// BGREWRITEAOF
func cmdBgRewriteAOF(s *Session, args [][]byte) {
	a := s.e.aof
	if a == nil {
		msg := errNoPersistence
		if s.e.persist.p != nil {
			msg = errNoAOF // the browser's engine saves snapshots, keeps no log
		}
		s.w.Error(msg)
		return
	}
	status, err := a.BackgroundRewrite(s.inExec)
	if err != nil {
		s.w.Error(err.Error())
		return
	}
	s.w.Simple(status)
}

// applyAOFConfig hands changed AOF parameters to the append-only file
// after CONFIG SET stored them; an error (appendonly could not be turned
// on) restores the old values, as Redis's apply functions do.
func (e *Engine) applyAOFConfig(s *Session, old map[string]string) error {
	a := e.aof
	if a == nil {
		return nil
	}
	for name, was := range old {
		now, _ := e.config.get(name)
		if now == was {
			continue
		}
		if name == "appendonly" {
			on := now == "yes"
			if err := a.SetEnabled(on, s.inExec); err != nil {
				for n, v := range old {
					e.config.setInternal(n, v)
				}
				return setFailed(name, err.Error())
			}
			e.removeSink(a)
			if on {
				e.prop.sinks = append(e.prop.sinks, a)
			}
			continue
		}
		a.ConfigChanged(name, now)
	}
	return nil
}

// aofParams are the parameters the append-only file acts on at run time.
var aofParams = []string{"appendonly", "appendfsync", "no-appendfsync-on-rewrite", "aof-timestamp-enabled",
	"aof-use-rdb-preamble", "auto-aof-rewrite-percentage", "auto-aof-rewrite-min-size", "aof-load-truncated",
	"aof-rewrite-incremental-fsync", "aof-disable-auto-gc"}

// aofConfigBefore records the AOF parameters' values before a CONFIG SET.
func (e *Engine) aofConfigBefore() map[string]string {
	if e.aof == nil {
		return nil
	}
	old := make(map[string]string, len(aofParams))
	for _, n := range aofParams {
		old[n], _ = e.config.get(n)
	}
	return old
}

// infoAOF writes the aof_* fields of INFO persistence.
func (e *Engine) infoAOF(b *infoBuilder, enabledBlock bool) {
	if e.aof == nil {
		if !enabledBlock {
			for _, f := range [][2]string{
				{"aof_enabled", "0"}, {"aof_rewrite_in_progress", "0"}, {"aof_rewrite_scheduled", "0"},
				{"aof_last_rewrite_time_sec", "-1"}, {"aof_current_rewrite_time_sec", "-1"},
				{"aof_last_bgrewrite_status", "ok"}, {"aof_rewrites", "0"},
				{"aof_rewrites_consecutive_failures", "0"}, {"aof_last_write_status", "ok"},
				{"aof_last_cow_size", "0"},
			} {
				b.field(f[0], f[1])
			}
		}
		return
	}
	add := func(name, value string) { b.field(name, value) }
	if enabledBlock {
		e.aof.Info(func(string, string) {}, add)
	} else {
		e.aof.Info(add, func(string, string) {})
	}
}
