// Transports carry RESP bytes between a terminal and an engine. Both speak
// the same bytes; only where the engine runs differs.
//
//   interface Transport {
//     name: string
//     ready(): Promise<void>              // engine loaded / reachable
//     version(): Promise<{goredis, redis}>
//     commands(): Promise<CommandHint[]>  // the engine's command table
//     connect(onPush): Promise<Connection> // onPush(Uint8Array): output no request produced
//   }
//   interface Connection {
//     send(bytes: Uint8Array): Promise<Uint8Array> // every reply to the commands in bytes
//     close(): void
//   }
//
// WasmTransport runs the engine in this page (wasm/main.go). A WebSocket
// transport for the server's bridge will implement the same interface.

export class WasmTransport {
  // base is the URL of the folder holding goredis.wasm and wasm_exec.js.
  constructor(base) {
    this.name = 'wasm';
    this.base = base;
    this._ready = null;
  }

  ready() {
    if (!this._ready) this._ready = this._load();
    return this._ready;
  }

  async _load() {
    if (!globalThis.Go) {
      await new Promise((resolve, reject) => {
        const s = document.createElement('script');
        s.src = new URL('wasm_exec.js', this.base).href;
        s.onload = resolve;
        s.onerror = () => reject(new Error('could not load wasm_exec.js'));
        document.head.appendChild(s);
      });
    }
    const go = new globalThis.Go();
    const url = new URL('goredis.wasm', this.base).href;
    const started = new Promise((resolve) => {
      globalThis.onGoRedisReady = resolve;
    });
    let instance;
    if (WebAssembly.instantiateStreaming) {
      try {
        ({ instance } = await WebAssembly.instantiateStreaming(fetch(url), go.importObject));
      } catch (e) {
        // A static server without the application/wasm type: compile from bytes.
        instance = null;
      }
    }
    if (!instance) {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`${url}: ${res.status} ${res.statusText}`);
      ({ instance } = await WebAssembly.instantiate(await res.arrayBuffer(), go.importObject));
    }
    go.run(instance);
    await started;
    this.api = globalThis.goredis;
  }

  async version() {
    await this.ready();
    return unwrap(this.api.version());
  }

  async commands() {
    await this.ready();
    return unwrap(this.api.commands());
  }

  async connect(onPush) {
    await this.ready();
    const api = this.api;
    const id = unwrap(api.newSession((bytes) => onPush && onPush(bytes)));
    return {
      send: (bytes) => api.exec(id, bytes),
      batch: (lines) => api.batch(id, lines),
      close: () => api.closeSession(id),
    };
  }
}

// unwrap turns the Error object a Go function returns after a panic into
// an exception.
function unwrap(v) {
  if (v instanceof Error) throw v;
  return v;
}
