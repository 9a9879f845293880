package engine

// Exclusive runs fn with the engine locked, so that what fn does (switch
// the AOF's incr file and begin a snapshot) happens between two commands.
func (e *Engine) Exclusive(fn func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.tick()
	fn()
}
