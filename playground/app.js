// The playground page: terminals on one engine, an inspector, themes.
// It builds its own DOM, so the same index.html works from the repository
// root (./playground/app.js) and from the Go server (./app.js).
import { WasmTransport, WebSocketTransport } from './transport.js';
import { Terminal, History } from './terminal.js';
import { Inspector } from './inspector.js';
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

// mountTutorial shows the lessons (tutorial.js, lessons/) beside the
// terminals when they are part of this build, through the host interface
// tutorial.js documents.
async function mountTutorial(main, { transport, open, add, activity }) {
  let mod;
  try {
    mod = await import('./tutorial.js');
  } catch {
    return; // no tutorial in this build
  }
  let quiet = null; // a connection of its own for checks and seeding
  const host = {
    async run(term, line) {
      while (open.length < term) await add();
      await open[term - 1].submit(line);
    },
    async query(line) {
      quiet ??= await transport.connect();
      const args = resp.splitArgs(line) || [];
      return quiet.send(resp.encodeCommand(args));
    },
    last() {
      const t = open[0];
      return { typed: t.lastTyped || '', reply: t.lastReply ? mod.plain(t.lastReply)[0] : '', busy: !!t.running };
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
  const themeBtn = el('button', { type: 'button', class: 'theme-toggle', 'aria-label': 'Switch between dark and light theme', text: theme === 'dark' ? '☀ Light' : '☾ Dark' });
  const header = el('header', { class: 'pg-header' },
    el('h1', { text: 'GoRedis playground' }),
    status,
    el('nav', { class: 'pg-controls', 'aria-label': 'Playground controls' },
      newClient,
      el('label', { for: 'raw-mode' }, rawBox, ' Raw RESP'),
      el('label', { for: 'show-inspector' }, inspBox, ' Inspector'),
      themeBtn));
  const terms = el('section', { class: 'pg-terms', 'aria-label': 'Terminals' });
  const inspRoot = el('aside', { class: 'pg-inspector' });
  const main = el('main', { class: 'pg-main' }, terms, inspRoot);
  root.replaceChildren(header, main);

  themeBtn.addEventListener('click', () => {
    const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    themeBtn.textContent = next === 'dark' ? '☀ Light' : '☾ Dark';
    localStorage.setItem(THEME_KEY, next);
  });
  inspBox.addEventListener('change', () => {
    inspRoot.hidden = !inspBox.checked;
  });

  const inspector = new Inspector(inspRoot);
  const params = new URLSearchParams(location.search);
  let transport;
  if (params.has('ws')) {
    const u = new URL(params.get('ws') || './ws', location.href);
    u.protocol = u.protocol === 'https:' ? 'wss:' : u.protocol === 'http:' ? 'ws:' : u.protocol;
    transport = new WebSocketTransport(u.href);
  } else {
    transport = new WasmTransport(new URL('./wasm/', import.meta.url));
  }
  let version, commands;
  try {
    await transport.ready();
    version = await transport.version();
    commands = flatten(await transport.commands());
  } catch (e) {
    status.textContent = `Could not start the engine: ${e.message}`;
    status.classList.add('error');
    throw e;
  }
  status.textContent = transport.name === 'wasm'
    ? `GoRedis ${version.goredis} · Redis ${version.redis} compatible · in-page WebAssembly`
    : `GoRedis (Redis ${version.redis} compatible) · over WebSocket: ${transport.url}`;
  const history = new History(localStorage);
  const activity = [];
  const open = [];
  let counter = 0;
  const add = async () => {
    counter++;
    const box = el('div');
    terms.append(box);
    const t = new Terminal(box, {
      transport, commands, history, inspector, version: version.redis,
      onActivity: () => activity.forEach((fn) => fn()),
      title: `client ${counter}`,
      onClose: counter > 1 ? (term) => {
        term.close();
        box.remove();
        open.splice(open.indexOf(term), 1);
        newClient.disabled = open.length >= MAX_TERMINALS;
      } : null,
    });
    await t.connect();
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
  await mountTutorial(main, { transport, open, add, activity });
  window.goredisReadyMs = performance.now();
  document.documentElement.dataset.ready = 'true';
}

main();
