// withDirectCalls returns the goredis API (the global the wasm module
// defines, see wasm/main.go) with call and exec answered through the
// module's direct exports (wasm/export.go) whenever the engine can answer
// at once: a plain WebAssembly call instead of a trip through the Go
// scheduler, which costs tens of microseconds per call. Anything the direct
// path declines (a busy session, output waiting for onPush, an array of
// lines) goes to the original functions, so the behaviour is the same.
//
//   const api = withDirectCalls(globalThis.goredis, instance);
//   api.call(id, 'INCR n')   // Uint8Array at once, or a Promise if it blocks
//   await api.exec(id, bytes)
//
// instance is the WebAssembly.Instance given to go.run.

const DECLINE = -1;
const BLOCKED = -2;
const PANIC = -3;

export function withDirectCalls(api, instance) {
  const ex = instance && instance.exports;
  if (!ex || typeof ex.goredisCall !== 'function') return api;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let pokeQueued = false;
  const poke = () => {
    pokeQueued = false;
    api.poke();
  };

  // direct runs input on session id; undefined means "declined".
  function direct(id, input) {
    if (typeof id !== 'number') return undefined;
    let n;
    if (typeof input === 'string') {
      // Room for the UTF-8 form and the CR LF a line may need.
      const room = input.length * 3 + 2;
      // goredisInput may grow the memory: take its buffer after the call.
      const at = ex.goredisInput(room);
      const view = new Uint8Array(ex.mem.buffer, at, room);
      n = encoder.encodeInto(input, view).written;
      if (n < 2 || view[n - 2] !== 13 || view[n - 1] !== 10) {
        view[n++] = 13;
        view[n++] = 10;
      }
    } else if (input instanceof Uint8Array) {
      n = input.length;
      const at = ex.goredisInput(n);
      new Uint8Array(ex.mem.buffer, at, n).set(input);
    } else {
      return undefined;
    }
    const r = ex.goredisCall(id, n);
    if (ex.goredisWoke() && !pokeQueued) {
      // Another session's goroutine may be ready (a blocked pop served, a
      // message published): Go runs it once it gets control.
      pokeQueued = true;
      queueMicrotask(poke);
    }
    if (r >= 0) {
      const at = ex.goredisOutput();
      return new Uint8Array(ex.mem.buffer, at, r).slice();
    }
    if (r === BLOCKED) return api.resume(id);
    if (r === PANIC) {
      const at = ex.goredisOutput();
      const len = ex.goredisOutputLen();
      return new Error('goredis: ' + decoder.decode(new Uint8Array(ex.mem.buffer, at, len)));
    }
    return undefined;
  }

  return Object.assign(Object.create(api), {
    call(id, input) {
      const r = direct(id, input);
      return r === undefined ? api.call(id, input) : r;
    },
    exec(id, input) {
      const r = direct(id, input);
      if (r === undefined) return api.exec(id, input);
      if (r instanceof Error) return Promise.reject(r);
      return r instanceof Promise ? r : Promise.resolve(r);
    },
  });
}
