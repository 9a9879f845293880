// The playground page: terminals on one engine, an inspector, themes.
// It builds its own DOM, so the same index.html works from the repository
// root (./playground/app.js) and from the Go server (./app.js).
import { WasmTransport, WebSocketTransport } from './transport.js';
import { Terminal, History } from './terminal.js';
import { Inspector } from './inspector.js';
import { PipelineDemo } from './pipeline.js';
import { KeyspacePane } from './keyspace.js';
import { DataControls, restore } from './data.js';
import * as share from './share.js';
import * as resp from './resp.js';

const THEME_KEY = 'goredis.theme';
const MAX_TERMINALS = 4;

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  e.append(...kids);
  return e;
}

// flatten lists containers and their subcommands ("CLIENT LIST") in one
// list, as redis-cli's help table does.
function flatten(hints) {
  const out = [];
  for (const h of hints) {
    out.push(h);
    for (const s of h.subcommands || []) out.push(s);
  }
  return out;
}

// Reconnection backoff after a remote connection drops: doubling from
// BACKOFF_MIN up to BACKOFF_MAX between attempts.
const BACKOFF_MIN = 500;
const BACKOFF_MAX = 10000;

// defaultRemote is the bridge of the server that served this page: its
// origin with /ws, in ws: or wss:; '' when the page is not served over HTTP.
function defaultRemote() {
  if (location.protocol !== 'http:' && location.protocol !== 'https:') return '';
  return wsURL('/ws');
}

// wsURL resolves url against the page and turns http(s) into ws(s).
function wsURL(url) {
  const u = new URL(url, location.href);
  u.protocol = u.protocol === 'https:' ? 'wss:' : u.protocol === 'http:' ? 'ws:' : u.protocol;
  return u.href;
}

// mountTutorial shows the lessons (tutorial.js, lessons/) beside the
// terminals when they are part of this build, through the host interface
// tutorial.js documents.
async function mountTutorial(main, { link, open, add, activity }) {
  let mod;
  try {
    mod = await import('./tutorial.js');
  } catch {
    return; // no tutorial in this build
  }
  // Checks run in the learner's session (terminal 1), as the lessons' Go
  // test does, unless it is busy: in MULTI, subscribed or waiting. Then a
  // connection of its own serves them.
  let quiet = null; // {transport, conn}
  link.onSwitch(() => {
    quiet?.conn.close();
    quiet = null;
  });
  const quietConn = async () => {
    const transport = link.current;
    if (quiet?.transport !== transport) {
      quiet?.conn.close();
      const q = { transport, conn: null };
      q.conn = await transport.connect(null, () => {
        if (quiet === q) quiet = null;
      });
      quiet = q;
    }
    return quiet.conn;
  };
  const host = {
    async run(term, line) {
      while (open.length < term) await add();
      await open[term - 1].submit(line);
    },
    async query(line) {
      const bytes = resp.encodeCommand(resp.splitArgs(line) || []);
      const t = open[0];
      if (t?.conn && t.opts.transport === link.current && !t.busy && !t.inMulti && !t.listening) {
        try {
          return await t.conn.send(bytes);
        } catch {
          // the learner's connection just closed: use the quiet one
        }
      }
      return (await quietConn()).send(bytes);
    },
    last() {
      const t = open[0];
      return { typed: t.lastTyped || '', reply: t.lastReply ? mod.plain(t.lastReply)[0] : '', busy: !!t.busy };
    },
    onActivity(fn) {
      activity.push(fn);
    },
    async openTerminal2() {
      while (open.length < 2) await add();
    },
  };
  const panel = el('aside', { class: 'pg-tutorial', 'aria-label': 'Tutorial' });
  main.prepend(panel);
  const tut = new mod.Tutorial(panel, host, new URL('./lessons/', import.meta.url).href);
  await tut.load();
}

// Link is the connection control: it shows where the terminals are
// connected, switches them between the in-page engine and a remote server
// without reloading, and reconnects dropped remote connections with
// exponential backoff. One terminal class, two transports.
class Link {
  constructor({ wasm, open, onEngine }) {
    this.wasm = wasm;
    this.open = open; // the terminals
    this.onEngine = onEngine; // (transport, info) after a successful attach
    this.current = null;
    this.info = new Map(); // transport -> {version, commands}
    this.gen = 0; // bumped by every switch: stale retries stop
    this.timer = null;
    this.dropped = new Set();
    this.switchFns = [];
    this.remote = null; // the last WebSocketTransport, reused for its URL

    this.state = el('span', { class: 'conn-status', role: 'status', 'aria-live': 'polite' });
    this.localBtn = el('button', { type: 'button', class: 'conn-local', text: 'In-page engine' });
    this.url = el('input', { type: 'url', class: 'conn-url', id: 'conn-url', 'aria-label': 'Remote server WebSocket URL', placeholder: 'ws://host:port/ws', value: defaultRemote(), spellcheck: 'false' });
    this.remoteBtn = el('button', { type: 'submit', class: 'conn-remote', text: 'Connect' });
    this.form = el('form', { class: 'pg-conn', 'aria-label': 'Connection' },
      el('span', { class: 'conn-label', text: 'Connected to' }), this.state, this.localBtn, this.url, this.remoteBtn);
    this.localBtn.addEventListener('click', () => this.switchTo(this.wasm));
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.connectRemote(this.url.value.trim());
    });
  }

  onSwitch(fn) {
    this.switchFns.push(fn);
  }

  connectRemote(url) {
    if (!url) {
      this.show('error', 'enter the ws:// address of a GoRedis server');
      return;
    }
    let href;
    try {
      href = wsURL(url);
    } catch (e) {
      this.show('error', `bad address: ${e.message}`);
      return;
    }
    this.url.value = href;
    if (!this.remote || this.remote.url !== href) this.remote = new WebSocketTransport(href);
    return this.switchTo(this.remote);
  }

  // show renders the state: connecting, connected, reconnecting, error.
  show(state, detail) {
    const where = this.current ? this.current.where : '';
    this.state.dataset.state = state;
    this.state.dataset.where = where;
    this.state.textContent = detail ? `${where} · ${detail}` : state === 'connected' ? where : `${where} · ${state}…`;
    this.state.className = `conn-status ${state}`;
    const remote = this.current && this.current !== this.wasm;
    this.localBtn.setAttribute('aria-pressed', String(!remote));
    this.remoteBtn.textContent = remote ? 'Reconnect' : 'Connect';
  }

  switchTo(transport) {
    this.gen++;
    clearTimeout(this.timer);
    this.timer = null;
    this.dropped.clear();
    this.current = transport;
    for (const fn of this.switchFns) fn(transport);
    return this.attach(transport, 0);
  }

  // drop hears that terminal t lost its connection (remote only).
  drop(t) {
    if (t.opts.transport !== this.current) return;
    this.dropped.add(t);
    if (this.timer || this.attaching) return;
    this.retry(this.current, 0, 'connection lost');
  }

  retry(transport, attempt, why) {
    const delay = Math.min(BACKOFF_MIN * 2 ** attempt, BACKOFF_MAX);
    this.show('reconnecting', `${why}; retrying in ${(delay / 1000).toFixed(1)} s (attempt ${attempt + 1})`);
    const gen = this.gen;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (gen === this.gen) this.attach(transport, attempt + 1);
    }, delay);
  }

  // attach connects every terminal to transport; on failure it retries
  // with backoff until it succeeds or the user switches elsewhere.
  async attach(transport, attempt) {
    const gen = this.gen;
    this.attaching = true;
    this.show(attempt ? 'reconnecting' : 'connecting', attempt ? `attempt ${attempt + 1}` : '');
    try {
      await transport.ready();
      if (!this.info.has(transport)) {
        const version = await transport.version();
        const commands = flatten(await transport.commands());
        this.info.set(transport, { version, commands });
      }
      const info = this.info.get(transport);
      for (const t of [...this.open]) {
        if (gen !== this.gen) return;
        if (t.opts.transport !== transport || !t.conn) {
          await t.setTransport(transport, info.commands, info.version.redis);
          t.print(`(connected to ${transport.where})`, 'term-note');
        } else if (this.dropped.has(t)) {
          await t.reconnect();
          t.print(`(connection lost; reconnected to ${transport.where})`, 'term-note');
        }
        this.dropped.delete(t);
      }
      if (gen !== this.gen) return;
      this.show('connected');
      this.onEngine(transport, info);
    } catch (e) {
      if (gen !== this.gen) return;
      if (transport === this.wasm) {
        this.show('error', `could not start the engine: ${e.message}`);
        return;
      }
      this.retry(transport, attempt, e.message);
    } finally {
      if (gen === this.gen) this.attaching = false;
    }
    // A connection may have dropped while attaching.
    if (gen === this.gen && this.dropped.size && !this.timer) this.retry(transport, 0, 'connection lost');
  }
}

// openShared rebuilds the keyspace a share link holds in the in-page
// engine, running its commands in terminal 1 so the learner sees them.
// A damaged or hostile link is refused whole: nothing runs.
async function openShared(fragment, term, link, pane) {
  let shared;
  try {
    shared = await share.decode(fragment);
  } catch (e) {
    const msg = e instanceof share.ShareError ? e.message : `the share link could not be read: ${e.message}`;
    term.print(`(share link refused: ${msg}; nothing was run)`, 'term-error');
    pane.say(`Share link refused: ${msg}. Nothing was run.`, 'ks-error');
    return;
  }
  if (link.current !== link.wasm) await link.switchTo(link.wasm);
  // The keyspace this browser kept would mix with the shared one.
  const api = link.wasm.api;
  const id = api.newSession();
  const dbs = new TextDecoder().decode(api.call(id, 'INFO keyspace')).match(/^db\d+:/gm);
  api.closeSession(id);
  if (dbs) {
    term.print(`(a shared keyspace replaces the keys this browser kept in ${dbs.length} database${dbs.length === 1 ? '' : 's'})`, 'term-note');
    await term.submit('FLUSHALL');
  }
  term.print(`(a shared keyspace: running its ${shared.lines.length} commands in the in-page engine)`, 'term-note');
  for (const line of shared.lines) await term.submit(line);
}

async function main() {
  const root = document.getElementById('goredis-playground') || document.body.appendChild(el('div', { id: 'goredis-playground' }));
  const saved = localStorage.getItem(THEME_KEY);
  const theme = saved || (matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark');
  document.documentElement.dataset.theme = theme;

  const status = el('span', { class: 'status', role: 'status', text: 'Loading the engine…' });
  const newClient = el('button', { type: 'button', class: 'new-client', text: 'New client' });
  const rawBox = el('input', { type: 'checkbox', id: 'raw-mode' });
  const inspBox = el('input', { type: 'checkbox', id: 'show-inspector' });
  inspBox.checked = true;
  const ksBox = el('input', { type: 'checkbox', id: 'show-keyspace' });
  ksBox.checked = true;
  const pipeBtn = el('button', { type: 'button', class: 'pipeline-toggle', 'aria-expanded': 'false', text: 'Pipelining' });
  const themeBtn = el('button', { type: 'button', class: 'theme-toggle', 'aria-label': 'Switch between dark and light theme', text: theme === 'dark' ? '☀ Light' : '☾ Dark' });
  const history = new History(localStorage);
  const activity = [];
  const open = [];
  const inspRoot = el('aside', { class: 'pg-inspector' });
  const inspector = new Inspector(inspRoot);
  const link = new Link({
    // The in-page engine starts with the keyspace this browser saved.
    wasm: new WasmTransport(new URL('./wasm/', import.meta.url), restore),
    open,
    onEngine: (transport, { version }) => {
      status.classList.remove('error');
      status.textContent = transport.name === 'wasm'
        ? `GoRedis ${version.goredis} · Redis ${version.redis} compatible · in-page WebAssembly`
        : `GoRedis (Redis ${version.redis} compatible) · over WebSocket`;
    },
  });
  let controls;
  const header = el('header', { class: 'pg-header' },
    el('h1', { text: 'GoRedis playground' }),
    status,
    link.form,
    controls = el('nav', { class: 'pg-controls', 'aria-label': 'Playground controls' },
      newClient,
      pipeBtn,
      el('label', { for: 'raw-mode' }, rawBox, ' Raw RESP'),
      el('label', { for: 'show-keyspace' }, ksBox, ' Keyspace'),
      el('label', { for: 'show-inspector' }, inspBox, ' Inspector'),
      themeBtn));
  const terms = el('section', { class: 'pg-terms', 'aria-label': 'Terminals' });
  const ksRoot = el('section', { class: 'pg-keyspace' });
  const side = el('div', { class: 'pg-side' }, ksRoot, inspRoot);
  const main = el('main', { class: 'pg-main' }, terms, side);
  const demo = new PipelineDemo(el, {
    connect: () => link.current.connect(null, () => {}),
    where: () => link.current.where,
  });
  root.replaceChildren(header, demo.panel, main);
  pipeBtn.addEventListener('click', () => pipeBtn.setAttribute('aria-expanded', String(demo.toggle())));

  themeBtn.addEventListener('click', () => {
    const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    themeBtn.textContent = next === 'dark' ? '☀ Light' : '☾ Dark';
    localStorage.setItem(THEME_KEY, next);
  });
  const sideShown = () => {
    side.hidden = !inspBox.checked && !ksBox.checked;
  };
  inspBox.addEventListener('change', () => {
    inspRoot.hidden = !inspBox.checked;
    sideShown();
  });

  // ?ws starts on the remote server that served the page, ?ws=<url> on
  // another; the control switches at any time. A remote server that does
  // not answer yet leaves the terminal unconnected while the link retries.
  const params = new URLSearchParams(location.search);
  if (params.has('ws')) await link.connectRemote(params.get('ws') || '/ws');
  else await link.switchTo(link.wasm);
  if (link.state.dataset.state === 'error') {
    status.textContent = link.state.textContent;
    status.classList.add('error');
    return;
  }

  let counter = 0;
  const add = async () => {
    counter++;
    const box = el('div');
    terms.append(box);
    const info = link.info.get(link.current);
    const t = new Terminal(box, {
      transport: link.current, commands: info ? info.commands : [], history, inspector, version: info ? info.version.redis : '7.0',
      onActivity: () => activity.forEach((fn) => fn()),
      onDrop: (term) => link.drop(term),
      title: `client ${counter}`,
      onClose: counter > 1 ? (term) => {
        term.close();
        box.remove();
        open.splice(open.indexOf(term), 1);
        newClient.disabled = open.length >= MAX_TERMINALS;
      } : null,
    });
    try {
      await t.connect();
    } catch (e) {
      t.print(`(not connected: ${e.message})`, 'term-error');
    }
    t.setRaw(rawBox.checked);
    open.push(t);
    newClient.disabled = open.length >= MAX_TERMINALS;
    t.focus();
    return t;
  };
  newClient.addEventListener('click', () => add());
  rawBox.addEventListener('change', () => open.forEach((t) => t.setRaw(rawBox.checked)));
  const first = await add();
  first.print('Type HELP for help, TAB completes command names, Ctrl-R searches the history.\n', 'term-note');
  const pane = new KeyspacePane(ksRoot, {
    transport: () => link.current,
    db: () => open[0]?.db ?? 0,
    run: (line) => open[0].submit(line),
    onActivity: (fn) => activity.push(fn),
    onSwitch: (fn) => link.onSwitch(fn),
  });
  window.goredisKeyspace = pane; // for the benchmark and curious learners
  // The in-page engine's data controls, once its saved keyspace is back
  // (the engine starts when the page opens on it, or on the first switch
  // to it: a page opened on a remote server does not fetch it).
  let data = null;
  const mountData = () => {
    if (data || link.current !== link.wasm) return;
    data = link.wasm.ready().then(() => {
      controls.append(new DataControls({
        api: () => link.wasm.api,
        local: () => link.current === link.wasm,
        onSwitch: (fn) => link.onSwitch(fn),
        print: (text, cls) => open[0]?.print(text, cls),
        run: (line) => open[0].submit(line),
        loaded: () => pane.reload(),
      }, link.wasm.started).root);
    }, () => {
      data = null;
    });
  };
  mountData();
  link.onSwitch(mountData);
  ksBox.addEventListener('change', () => {
    pane.show(ksBox.checked);
    sideShown();
  });
  if (location.hash.startsWith(share.SHARE_PREFIX)) await openShared(location.hash, first, link, pane);
  pane.show(ksBox.checked);
  await mountTutorial(main, { link, open, add, activity });
  window.goredisReadyMs = performance.now();
  document.documentElement.dataset.ready = 'true';
}

main();
