//go:build js && wasm

package main

// The direct call path. A js.FuncOf call costs tens of microseconds: JS
// resumes the Go scheduler, which runs the callback on an event goroutine.
// A //go:wasmexport function is a plain WebAssembly export, called like any
// other wasm function, so a command answered at once costs little more than
// the engine's work. playground/goredis_api.js wraps these exports behind
// the same call and exec as the goredis global:
//
//	p := goredisInput(n)     // room for n request bytes at p in memory
//	r := goredisCall(id, n)  // r >= 0: r reply bytes at goredisOutput()
//	goredisWoke()            // 1: call goredis.poke() soon
//
// Whatever the direct path cannot answer at once it declines (callDecline)
// before touching the session, and the page uses goredis.call or exec;
// a command that blocks answers callBlocked and goredis.resume(id) gives its
// Promise.

import "unsafe"

const (
	callDecline = -1 // use the goredis.call / exec functions instead
	callBlocked = -2 // the command blocked: goredis.resume(id) is its Promise
	callPanic   = -3 // the engine panicked: the message is the output
)

// goredisInput returns the address of a buffer of at least n bytes for the
// next goredisCall's request; it stays valid until the next goredisInput.
//
//go:wasmexport goredisInput
func goredisInput(n int32) uint32 {
	h := theHost
	if int(n) > cap(h.in) {
		h.in = make([]byte, n)
	}
	h.in = h.in[:cap(h.in)]
	return bufferAddr(h.in)
}

// goredisCall runs the n request bytes in the input buffer on session id.
//
//go:wasmexport goredisCall
func goredisCall(id, n int32) int32 {
	return theHost.directCall(int(id), int(n))
}

// goredisOutput returns the address of the last goredisCall's output.
//
//go:wasmexport goredisOutput
func goredisOutput() uint32 {
	return bufferAddr(theHost.out)
}

// goredisOutputLen returns the length of the last goredisCall's output
// (its result already says it, except after a panic).
//
//go:wasmexport goredisOutputLen
func goredisOutputLen() int32 {
	return int32(len(theHost.out))
}

// goredisWoke reports (1) whether a goroutine may be waiting to run since
// the last time it was asked, and forgets it.
//
//go:wasmexport goredisWoke
func goredisWoke() int32 {
	if theHost.woke.Swap(false) {
		return 1
	}
	return 0
}

// bufferAddr is the address of b's storage in the module's linear memory
// (the Go heap does not move objects, and h keeps b alive).
func bufferAddr(b []byte) uint32 {
	if cap(b) == 0 {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(b))))
}

// directCall is call() for the direct export: it answers when the session
// is idle and has no pushed output waiting for the page, else it declines
// before touching anything.
func (h *host) directCall(id, n int) (res int32) {
	defer func() {
		if r := recover(); r != nil {
			// A fresh buffer: the old one may be the session's now.
			h.out = []byte(panicText(r))
			res = callPanic
		}
	}()
	h.mu.Lock()
	c := h.conns[id]
	h.mu.Unlock()
	if c == nil || c.busy || len(c.reqs) > 0 || n < 0 || n > len(h.in) || c.sess.HasOutput() {
		return callDecline
	}
	if cap(h.out) > 1<<20 {
		// Do not keep a huge reply's buffer for the small ones after it.
		h.out = nil
	}
	c.feed(h.in[:n])
	out, blocked, _ := c.step(false, h.out[:0])
	// The spare given to step is the session's buffer from now on; what
	// step returns is ours.
	h.out = nil
	if blocked {
		c.blockedOut, c.resumable = out[0], true
		c.busy = true
		return callBlocked
	}
	if c.sess.ShouldClose() {
		c.drop()
	}
	h.out = out[0]
	return int32(len(h.out))
}
