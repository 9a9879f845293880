//go:build js && wasm

// Command wasm runs the GoRedis engine inside a web page. It only converts
// types and delegates: requests go through the same RESP reader as the
// TCP server (netserver/resp.Reader) into the same engine sessions.
//
// It defines one global object, goredis:
//
//	const id = goredis.newSession(onPush)  // onPush(Uint8Array): output no request of ours produced
//	const reply = await goredis.exec(id, "SET k v")            // a command line, or
//	const reply2 = await goredis.exec(id, uint8ArrayOfRESP)    // raw bytes (any number of commands)
//	const replies = await goredis.batch(id, ["INCR n", "INCR n"]) // one Uint8Array per command
//	const r = goredis.call(id, "GET k")  // at once: a Uint8Array, or a Promise if it blocks
//	goredis.closeSession(id)
//	goredis.version()  // {goredis, redis}
//	goredis.commands() // [{name, arity, group, since, complexity, summary, flags, params, subcommands}]
//	goredis.dumpRDB()  // the keyspace as a dump.rdb (Uint8Array) redis-server loads
//	goredis.loadRDB(u8) // replace the keyspace with a dump.rdb: {keys, expired, version, redisVersion}
//	goredis.persistTo(save, "1 1") // SAVE, BGSAVE and save points store through save(u8) -> Promise
//	goredis.flush()    // SAVE now if anything changed (the page is hidden or closing)
//
// Calls through js.FuncOf cost tens of microseconds each; a page that has
// the WebAssembly instance wraps the global with withDirectCalls
// (playground/goredis_api.js), which answers call and exec through plain
// wasm exports (export.go) whenever the engine can answer at once:
//
//	const api = withDirectCalls(goredis, instance)
//
// exec resolves once every complete command in the input has replied, so a
// blocking command (BLPOP) resolves when another session feeds its key or
// its timeout passes. A sync function that panics returns an Error object;
// a Promise rejects with one.
package main

import (
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall/js"
	"time"

	"github.com/goredis-dev/goredis/engine"
	"github.com/goredis-dev/goredis/netserver/resp"
)

// expireEvery is how often the active expiry cycle runs (Redis's hz 10).
const expireEvery = 100 * time.Millisecond

// theHost is the page's engine and sessions. The direct exports (//go:wasmexport
// functions, see export.go) cannot be methods or closures, so they reach it
// through this variable; it is set once, before the page can call anything.
var theHost *host

func main() {
	h := &host{eng: engine.New(engine.Options{Config: map[string]string{
		// A tab has far less memory than a server: past this, writes get
		// Redis's -OOM error instead of the tab running out of memory.
		"maxmemory": wasmMaxMemory,
	}}), conns: map[int]*conn{}}
	theHost = h
	go h.cron()
	ns := js.Global().Get("Object").New()
	export := func(name string, fn func(args []js.Value) any) {
		ns.Set(name, js.FuncOf(func(_ js.Value, args []js.Value) (res any) {
			defer func() {
				if r := recover(); r != nil {
					res = jsError(panicText(r))
				}
			}()
			return fn(args)
		}))
	}
	export("newSession", h.newSession)
	export("closeSession", h.closeSession)
	export("exec", h.exec)
	export("batch", h.batch)
	export("call", h.call)
	export("resume", h.resume)
	export("poke", func([]js.Value) any { return nil })
	export("version", func([]js.Value) any {
		return map[string]any{"goredis": engine.GoRedisVersion, "redis": engine.Version}
	})
	export("commands", func([]js.Value) any { return hintsToJS(h.eng.CommandHints()) })
	export("dumpRDB", h.dumpRDB)
	export("loadRDB", h.loadRDB)
	export("persistTo", h.persistTo)
	export("flush", h.flush)
	js.Global().Set("goredis", ns)
	if f := js.Global().Get("onGoRedisReady"); f.Type() == js.TypeFunction {
		f.Invoke()
	}
	select {}
}

// host owns the engine and the sessions the page opened.
type host struct {
	eng    *engine.Engine
	mu     sync.Mutex
	conns  map[int]*conn
	nextID int

	// The direct call path (export.go): the page writes a request into in
	// and reads the reply from out, both in the module's memory.
	in, out []byte
	// woke is set when a goroutine may have become runnable (a session
	// signalled or dropped). Goroutines run only while Go has control, and
	// a direct export does not give it; the page then pokes Go.
	woke atomic.Bool
}

// conn is one page-side client: its engine session, its request reader
// and one worker goroutine that runs its requests in order, as a TCP peer
// runs them.
type conn struct {
	h      *host
	id     int
	once   sync.Once
	sess   *engine.Session
	rd     *resp.Reader
	reqs   chan request
	wake   chan struct{} // the engine has output for us, or a wait may be over
	quit   chan struct{}
	onPush js.Value
	// busy is set while a request is being served (by the worker or a
	// blocked call): call then queues instead of running at once. Go runs
	// on one thread in the browser, so no lock is needed.
	busy bool
	// blockedOut is the output of a call whose command blocked, before
	// resumeLater hands it to the worker; resumable says one waits.
	blockedOut []byte
	resumable  bool
}

// request is one exec or batch call waiting for its turn.
type request struct {
	input   []byte
	split   bool // batch: one reply buffer per command
	resolve func(replies [][]byte)
	reject  func(err error)
	// resume is a call() whose command blocked: its input is already in
	// the reader and input holds the output produced before the wait.
	resume bool
}

// feed hands input to the request reader under the limits CONFIG SET may
// have changed (proto-max-bulk-len, client-query-buffer-limit), as the
// TCP server applies them before each read.
func (c *conn) feed(input []byte) {
	c.rd.MaxBulkLen = c.h.eng.ConfigInt("proto-max-bulk-len")
	c.rd.QueryBufferLimit = int(c.h.eng.ConfigInt("client-query-buffer-limit"))
	c.rd.Feed(input)
}

func (h *host) cron() {
	t := time.NewTicker(expireEvery)
	defer t.Stop()
	for range t.C {
		h.eng.ActiveExpireCycle()
		// Save points, once the page gave the engine storage (persist.go).
		h.eng.PersistenceCron()
	}
}

func (h *host) newSession(args []js.Value) any {
	c := &conn{
		h:    h,
		rd:   resp.NewReader(),
		reqs: make(chan request, 64),
		wake: make(chan struct{}, 1),
		quit: make(chan struct{}),
	}
	if len(args) > 0 && args[0].Type() == js.TypeFunction {
		c.onPush = args[0]
	}
	h.mu.Lock()
	h.nextID++
	c.id = h.nextID
	h.mu.Unlock()
	c.sess = h.eng.NewSession(engine.ClientInfo{
		// In-page clients have no sockets. Each gets an address of its
		// own, as TCP clients do, so CLIENT LIST tells them apart and
		// CLIENT KILL ADDR picks one: the port is the session id mapped
		// into the ephemeral range.
		Addr:  "127.0.0.1:" + strconv.Itoa(49152+(c.id-1)%16384),
		LAddr: "127.0.0.1:6379",
		Kind:  "wasm",
		// Called with engine locks held: only signal.
		Notify: c.signal,
		Close:  c.signal,
	})
	c.rd.Authenticated = c.sess.Authenticated
	h.mu.Lock()
	h.conns[c.id] = c
	h.mu.Unlock()
	go c.run()
	return c.id
}

func (c *conn) signal() {
	c.h.woke.Store(true)
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (h *host) conn(v js.Value) (*conn, int, error) {
	if v.Type() != js.TypeNumber {
		return nil, 0, errors.New("session id must be a number")
	}
	id := v.Int()
	h.mu.Lock()
	c := h.conns[id]
	h.mu.Unlock()
	if c == nil {
		return nil, id, errors.New("no such session " + strconv.Itoa(id))
	}
	return c, id, nil
}

func (h *host) closeSession(args []js.Value) any {
	if len(args) < 1 {
		return jsError("closeSession(id)")
	}
	c, _, err := h.conn(args[0])
	if err != nil {
		return false
	}
	c.drop()
	return true
}

// drop ends the session: the page closed it, or the engine did (QUIT,
// CLIENT KILL). Later calls with its id fail with "no such session".
func (c *conn) drop() {
	c.once.Do(func() {
		c.h.mu.Lock()
		delete(c.h.conns, c.id)
		c.h.mu.Unlock()
		close(c.quit)
		c.h.woke.Store(true)
		c.sess.Close()
	})
}

// exec(id, line | Uint8Array) -> Promise<Uint8Array>
func (h *host) exec(args []js.Value) any {
	return h.enqueue(args, false)
}

// batch(id, [line, ...] | Uint8Array) -> Promise<Uint8Array[]>: many
// commands in one call (a pipeline), one reply buffer per command.
func (h *host) batch(args []js.Value) any {
	return h.enqueue(args, true)
}

func (h *host) enqueue(args []js.Value, split bool) any {
	return newPromise(func(resolve func(any), reject func(error)) {
		if len(args) < 2 {
			reject(errors.New("expected (id, input)"))
			return
		}
		c, _, err := h.conn(args[0])
		if err != nil {
			reject(err)
			return
		}
		input, err := inputBytes(args[1])
		if err != nil {
			reject(err)
			return
		}
		req := request{input: input, split: split, reject: reject}
		req.resolve = func(replies [][]byte) {
			if !split {
				resolve(toUint8Array(replies[0]))
				return
			}
			out := make([]any, len(replies))
			for i, r := range replies {
				out[i] = toUint8Array(r)
			}
			resolve(out)
		}
		// Queue without waiting, so calls keep the order the page made
		// them in; only a full queue needs a goroutine.
		select {
		case c.reqs <- req:
		default:
			go func() {
				select {
				case c.reqs <- req:
				case <-c.quit:
					reject(errors.New("session closed"))
				}
			}()
		}
	})
}

// wasmMaxMemory is the playground engine's default maxmemory (CONFIG SET
// changes it): well under what a browser gives a wasm module.
const wasmMaxMemory = "256mb"

// inputBytes turns a command line (CRLF added when missing), an array of
// command lines, or a Uint8Array into request bytes.
func inputBytes(v js.Value) ([]byte, error) {
	switch {
	case v.Type() == js.TypeString:
		return lineBytes(nil, v.String()), nil
	case v.InstanceOf(jsUint8Array):
		b := make([]byte, v.Get("length").Int())
		js.CopyBytesToGo(b, v)
		return b, nil
	case js.Global().Get("Array").Call("isArray", v).Bool():
		var b []byte
		for i, n := 0, v.Length(); i < n; i++ {
			item := v.Index(i)
			if item.Type() != js.TypeString {
				return nil, errors.New("batch items must be strings")
			}
			b = lineBytes(b, item.String())
		}
		return b, nil
	}
	return nil, errors.New("input must be a string, an array of strings or a Uint8Array")
}

func lineBytes(dst []byte, line string) []byte {
	dst = append(dst, line...)
	if len(line) < 2 || line[len(line)-2:] != "\r\n" {
		dst = append(dst, '\r', '\n')
	}
	return dst
}

// run is the session's worker: requests one at a time, and in between,
// output other sessions produced for us (pub/sub messages) to onPush.
func (c *conn) run() {
	for {
		select {
		case <-c.quit:
			c.drainRejected()
			return
		case req := <-c.reqs:
			c.serve(req)
		case <-c.wake:
			// While a blocked call() waits for its turn, its reply must
			// not be taken for a push.
			if !c.busy {
				c.push()
			}
		}
		if c.sess.ShouldClose() {
			c.drop()
		}
	}
}

func (c *conn) drainRejected() {
	for {
		select {
		case req := <-c.reqs:
			req.reject(errors.New("session closed"))
		default:
			return
		}
	}
}

// push hands output that no request of ours produced to the page.
func (c *conn) push() {
	out := c.sess.TakeOutput(nil)
	if len(out) > 0 && c.onPush.Type() == js.TypeFunction {
		c.onPush.Invoke(toUint8Array(out))
	}
}

// serve runs every complete command of one request, waiting where a
// command blocks, and resolves with the replies.
func (c *conn) serve(req request) {
	c.busy = true
	defer func() {
		c.busy = false
		if r := recover(); r != nil {
			req.reject(errors.New(panicText(r)))
		}
	}()
	var replies [][]byte
	blocked := false
	if req.resume {
		replies = append(replies, req.input)
		blocked = true
	} else {
		// Output that arrived before this request (a message published
		// to us) belongs to the page, not to this reply.
		c.push()
		c.feed(req.input)
	}
	for {
		if blocked {
			if !c.waitBlocked() {
				req.reject(errors.New("session closed"))
				return
			}
			if req.split {
				replies = append(replies, c.sess.TakeOutput(nil))
			}
		}
		out, b, done := c.step(req.split, nil)
		replies = append(replies, out...)
		if done {
			break
		}
		blocked = b
	}
	if !req.split {
		var all []byte
		for _, r := range replies {
			all = append(all, r...)
		}
		replies = [][]byte{all}
	} else if replies == nil {
		replies = [][]byte{}
	}
	req.resolve(replies)
}

// step runs the commands buffered in the reader until the input is used
// up, a command blocks, or the session must close; done is true unless it
// stopped on a blocked command. Without split it runs them under one engine
// lock (ExecBatch) and returns their output as one buffer (in spare's
// storage when it is big enough); with split it runs one command and
// returns its reply (none if it blocked: the caller takes it after the
// wait).
func (c *conn) step(split bool, spare []byte) (out [][]byte, blocked, done bool) {
	var rdErr error
	next := func() [][]byte {
		args, err := c.rd.Next()
		if err != nil {
			rdErr = err
			return nil
		}
		return args
	}
	var st engine.Status
	if split {
		args := next()
		if args != nil {
			st = c.sess.Exec(args)
			if st&engine.StatusBlocked != 0 {
				return nil, true, false
			}
			out = [][]byte{c.sess.TakeOutput(nil)}
			return out, false, st&engine.StatusClose != 0 || c.sess.ShouldClose()
		}
	} else {
		_, st = c.sess.ExecBatch(next)
		out = [][]byte{c.sess.TakeOutput(spare)}
		if st&engine.StatusBlocked != 0 {
			return out, true, false
		}
	}
	if rdErr != nil {
		// Redis answers a protocol error and drops the connection; the
		// page keeps its session but starts a fresh request stream.
		var pe *resp.ProtocolError
		msg := []byte("-ERR " + rdErr.Error() + "\r\n")
		if errors.As(rdErr, &pe) {
			msg = pe.Reply()
		}
		if split {
			out = append(out, msg)
		} else {
			out[0] = append(out[0], msg...)
		}
		c.rd = resp.NewReader()
		c.rd.Authenticated = c.sess.Authenticated
	}
	return out, false, true
}

// call(id, line | Uint8Array) -> Uint8Array, or a Promise of one when a
// command blocks or earlier requests of the session are still running. It
// runs in the caller's turn of the event loop, with no goroutine hand-off,
// so a page sending commands one by one is not slowed by scheduling.
func (h *host) call(args []js.Value) any {
	if len(args) < 2 {
		return jsError("expected (id, input)")
	}
	c, _, err := h.conn(args[0])
	if err != nil {
		return jsError(err.Error())
	}
	if c.busy || len(c.reqs) > 0 {
		return h.enqueue(args, false)
	}
	input, err := inputBytes(args[1])
	if err != nil {
		return jsError(err.Error())
	}
	c.push()
	c.feed(input)
	out, blocked, _ := c.step(false, nil)
	if !blocked {
		if c.sess.ShouldClose() {
			c.drop()
		}
		return toUint8Array(out[0])
	}
	c.blockedOut, c.resumable = out[0], true
	c.busy = true
	return c.resumeLater()
}

// resume(id) -> Promise<Uint8Array>: the reply of a direct call whose
// command blocked (export.go answered callBlocked).
func (h *host) resume(args []js.Value) any {
	if len(args) < 1 {
		return jsError("resume(id)")
	}
	c, _, err := h.conn(args[0])
	if err != nil {
		return jsError(err.Error())
	}
	if !c.resumable {
		return jsError("no blocked call to resume")
	}
	return c.resumeLater()
}

// resumeLater hands a call whose command blocked to the session's worker,
// which waits and finishes it; until then later calls queue behind it. It
// returns the Promise of the whole reply (what ran before the wait is in
// c.blockedOut).
func (c *conn) resumeLater() js.Value {
	input := c.blockedOut
	c.blockedOut, c.resumable = nil, false
	return newPromise(func(resolve func(any), reject func(error)) {
		req := request{input: input, resume: true, reject: reject}
		req.resolve = func(replies [][]byte) {
			var all []byte
			for _, r := range replies {
				all = append(all, r...)
			}
			resolve(toUint8Array(all))
		}
		c.reqs <- req // the queue is empty: this never waits
	})
}

// waitBlocked waits until the blocked command is served or times out; it
// returns false when the session is closed meanwhile.
func (c *conn) waitBlocked() bool {
	for c.sess.Blocked() {
		var timeout <-chan time.Time
		var timer *time.Timer
		if dl, ok := c.sess.BlockDeadline(); ok {
			timer = time.NewTimer(time.Until(dl))
			timeout = timer.C
		}
		select {
		case <-c.quit:
			stopTimer(timer)
			return false
		case <-c.wake:
		case <-timeout:
			c.sess.CheckTimeout()
		}
		stopTimer(timer)
	}
	return true
}

func stopTimer(t *time.Timer) {
	if t != nil {
		t.Stop()
	}
}

// newPromise returns a JS Promise settled by fn, which must not block: it
// hands its work to a goroutine that calls resolve or reject later.
func newPromise(fn func(resolve func(any), reject func(error))) js.Value {
	var executor js.Func
	executor = js.FuncOf(func(_ js.Value, args []js.Value) any {
		executor.Release()
		res, rej := args[0], args[1]
		defer func() {
			if r := recover(); r != nil {
				rej.Invoke(jsError(panicText(r)))
			}
		}()
		fn(func(v any) { res.Invoke(v) }, func(err error) { rej.Invoke(jsError(err.Error())) })
		return nil
	})
	return js.Global().Get("Promise").New(executor)
}

// jsUint8Array is looked up once: every lookup is a call into JS, and
// call() pays for each on every command.
var jsUint8Array = js.Global().Get("Uint8Array")

func toUint8Array(b []byte) js.Value {
	a := jsUint8Array.New(len(b))
	js.CopyBytesToJS(a, b)
	return a
}

func jsError(msg string) js.Value {
	return js.Global().Get("Error").New("goredis: " + msg)
}

func panicText(r any) string {
	switch v := r.(type) {
	case error:
		return "panic: " + v.Error()
	case string:
		return "panic: " + v
	}
	return "panic"
}

func hintsToJS(hints []engine.CommandHint) []any {
	out := make([]any, len(hints))
	for i, h := range hints {
		flags := make([]any, len(h.Flags))
		for j, f := range h.Flags {
			flags[j] = f
		}
		out[i] = map[string]any{
			"name":        h.Name,
			"arity":       h.Arity,
			"group":       h.Group,
			"since":       h.Since,
			"complexity":  h.Complexity,
			"summary":     h.Summary,
			"flags":       flags,
			"params":      h.Params,
			"subcommands": hintsToJS(h.Subcommands),
		}
	}
	return out
}
