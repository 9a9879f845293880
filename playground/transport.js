import * as resp from './resp.js';
import { withDirectCalls } from './goredis_api.js';

// Transports carry RESP bytes between a terminal and an engine. Both speak
// the same bytes; only where the engine runs differs.
//
//   interface Transport {
//     name: string
//     ready(): Promise<void>              // engine loaded / reachable
//     version(): Promise<{goredis, redis}>
//     commands(): Promise<CommandHint[]>  // the engine's command table
//     where: string                       // shown to the user: "in-page engine", "ws://host/ws"
//     promptName: string                  // in the prompt: "in-page", "host:port"
//     connect(onPush, onDrop): Promise<Connection>
//       // onPush(Uint8Array): output no request produced;
//       // onDrop(): the connection ended without close() (remote only)
//   }
//   interface Connection {
//     send(bytes: Uint8Array): Promise<Uint8Array> // every reply to the commands in bytes
//     close(): void
//   }
//
// WasmTransport runs the engine in this page (wasm/main.go);
// WebSocketTransport reaches a GoRedis server through its WebSocket bridge.
// app.js starts on WebSocket with ?ws=<url> (or ?ws for /ws on the page's
// origin) and lets the user switch between the two without reloading.

export class WasmTransport {
  // base is the URL of the folder holding goredis.wasm and wasm_exec.js;
  // onStart(api), when given, runs once the engine has started and before
  // ready() resolves (the page restores its saved keyspace there).
  constructor(base, onStart) {
    this.onStart = onStart;
    this.name = 'wasm';
    this.where = 'in-page engine';
    this.promptName = 'in-page'; // the terminal's prompt: where commands go
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
    // call and exec through the module's direct exports when they can.
    this.api = withDirectCalls(globalThis.goredis, instance);
    if (this.onStart) this.started = await this.onStart(this.api);
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

// randomToken is 128 random bits in base64url (22 characters).
function randomToken() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// WebSocketTransport talks to a GoRedis server's WebSocket bridge: binary
// frames carry RESP both ways. Replies are matched to requests by counting
// the commands sent; output beyond that (pub/sub messages, RESP3 pushes)
// goes to onPush.
export class WebSocketTransport {
  // url: ws:// or wss:// address of the bridge.
  constructor(url) {
    this.name = 'websocket';
    this.where = url;
    this.url = url;
    this.promptName = new URL(url).host; // the bridge's host:port, as redis-cli's prompt
    // A server in sandbox mode gives each connection a private keyspace,
    // except connections that bring the same ?keyspace= token: this
    // page's terminals, keyspace explorer and tutorial share one. The
    // token is random, so no other visitor can join it.
    const u = new URL(url);
    u.searchParams.set('keyspace', randomToken());
    this.connectURL = u.href;
  }

  ready() {
    return Promise.resolve();
  }

  async _oneShot(args) {
    const c = await this.connect();
    try {
      const bytes = await c.send(resp.encodeCommand(args));
      return resp.parseReply(bytes);
    } finally {
      c.close();
    }
  }

  async version() {
    const r = resp.toJS(await this._oneShot(['HELLO', '3']));
    return { goredis: '', redis: r.version };
  }

  // commands builds the hints from COMMAND DOCS (RESP3: maps).
  async commands() {
    const c = await this.connect();
    try {
      await c.send(resp.encodeCommand(['HELLO', '3']));
      const docs = resp.toJS(resp.parseReply(await c.send(resp.encodeCommand(['COMMAND', 'DOCS']))));
      const hint = (name, d) => ({
        name: name.toUpperCase().replace('|', ' '),
        group: d.group, since: d.since, complexity: d.complexity, summary: d.summary,
        params: resp.argsSynopsis(d.arguments),
        subcommands: Object.entries(d.subcommands || {}).map(([n, s]) => hint(n, s)),
      });
      return Object.entries(docs).map(([n, d]) => hint(n, d)).sort((a, b) => (a.name < b.name ? -1 : 1));
    } finally {
      c.close();
    }
  }

  connect(onPush, onDrop) {
    return new Promise((resolve, reject) => {
      let ws;
      try {
        ws = new WebSocket(this.connectURL, 'resp');
      } catch (e) {
        reject(new Error(`cannot connect to ${this.url}: ${e.message}`));
        return;
      }
      ws.binaryType = 'arraybuffer';
      const pending = []; // {left, parts, resolve, reject, pushes}
      let buf = new Uint8Array(0);
      let opened = false;
      let closing = false; // close() was called: not a drop
      const fail = (err) => {
        for (const p of pending.splice(0)) p.reject(err);
      };
      ws.onopen = () => {
        opened = true;
        resolve({
          send: (bytes) => new Promise((res, rej) => {
            if (ws.readyState !== WebSocket.OPEN) {
              rej(new Error('no such session: the connection is closed'));
              return;
            }
            let left = 0;
            let pushes = false;
            for (const args of resp.parseRequests(bytes)) {
              const name = resp.text(args[0]).toLowerCase();
              // (P|S)SUBSCRIBE answers once per channel, in pushes in RESP3.
              if (/^[ps]?subscribe$/.test(name)) {
                left += args.length - 1;
                pushes = true;
              } else {
                left += 1;
                pushes ||= /^[ps]?unsubscribe$/.test(name);
              }
            }
            ws.send(bytes);
            if (left === 0) res(new Uint8Array(0));
            else pending.push({ left, parts: [], resolve: res, reject: rej, pushes });
          }),
          close: () => {
            closing = true;
            ws.close();
          },
        });
      };
      ws.onerror = () => {
        if (!opened) reject(new Error(`cannot connect to ${this.url}`));
      };
      ws.onclose = () => {
        fail(new Error('no such session: the server closed the connection'));
        if (!opened) reject(new Error(`cannot connect to ${this.url}`));
        else if (!closing && onDrop) onDrop();
      };
      ws.onmessage = (ev) => {
        buf = resp.concat([buf, new Uint8Array(ev.data)]);
        let o = 0;
        for (;;) {
          const r = resp.parseReply(buf, o);
          if (!r) break;
          const bytes = buf.slice(r.start, r.end);
          o = r.end;
          const head = pending[0];
          if (!head || (r.type === '>' && !head.pushes)) {
            if (onPush) onPush(bytes);
            continue;
          }
          head.parts.push(bytes);
          if (--head.left === 0) {
            pending.shift();
            head.resolve(resp.concat(head.parts));
          }
        }
        buf = buf.slice(o);
      };
    });
  }
}
