// The playground page: terminals on one engine, an inspector, themes.
// It builds its own DOM, so the same index.html works from the repository
// root (./playground/app.js) and from the Go server (./app.js).
import { WasmTransport } from './transport.js';
import { Terminal, History } from './terminal.js';
import { Inspector } from './inspector.js';

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
  const transport = new WasmTransport(new URL('./wasm/', import.meta.url));
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
  status.textContent = `GoRedis ${version.goredis} · Redis ${version.redis} compatible · in-page WebAssembly`;
  const history = new History(localStorage);
  const open = [];
  let counter = 0;
  const add = async () => {
    counter++;
    const box = el('div');
    terms.append(box);
    const t = new Terminal(box, {
      transport, commands, history, inspector, version: version.redis,
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
  window.goredisReadyMs = performance.now();
  document.documentElement.dataset.ready = 'true';
}

main();
