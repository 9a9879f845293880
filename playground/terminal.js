// Terminal: one redis-cli-like client on a Connection. It splits input with
// redis-cli's rules, sends RESP, prints replies as redis-cli prints them,
// and keeps redis-cli's prompt (db number, (TX) in a transaction).
import * as resp from './resp.js';

const HISTORY_KEY = 'goredis.history';
const HISTORY_MAX = 500;

// History is shared by every terminal of the page and kept in localStorage,
// as redis-cli keeps ~/.rediscli_history.
export class History {
  constructor(storage) {
    this.storage = storage;
    try {
      this.lines = JSON.parse(storage?.getItem(HISTORY_KEY) || '[]');
    } catch {
      this.lines = [];
    }
  }
  add(line) {
    if (!line.trim() || this.lines[this.lines.length - 1] === line) return;
    this.lines.push(line);
    if (this.lines.length > HISTORY_MAX) this.lines.splice(0, this.lines.length - HISTORY_MAX);
    try {
      this.storage?.setItem(HISTORY_KEY, JSON.stringify(this.lines));
    } catch {
      // storage full or disabled: history lives for this page only
    }
  }
  // search finds the newest line before index `from` containing query.
  search(query, from) {
    for (let i = Math.min(from, this.lines.length) - 1; i >= 0; i--) {
      if (this.lines[i].includes(query)) return i;
    }
    return -1;
  }
}

const HELP_INTRO = (version) => `redis-cli ${version} (GoRedis playground)
To get help about Redis commands type:
      "help @<group>" to get a list of commands in <group>
      "help <command>" for help on <command>
      "help <tab>" to get a list of possible help topics
      "clear" to clear the screen

Raw RESP mode sends what you type as bytes: \\r \\n \\xHH are escapes.
Enter ends the line with \\r\\n (unless it already ends so); Shift+Enter
sends exactly what you typed.
`;

export class Terminal {
  // opts: {transport, commands, history, inspector, title, version, onClose}
  constructor(root, opts) {
    this.opts = opts;
    this.commands = opts.commands; // [{name, params, group, ...}] incl. "CLIENT LIST"
    this.history = opts.history;
    this.db = 0;
    this.inMulti = false;
    this.preMultiDb = 0;
    this.raw = false;
    this.busy = false;
    this.queue = [];
    this.histPos = -1;
    this.saved = '';
    this.search = null; // {query, index}
    this.completion = null; // {matches, i, base}
    this.build(root);
  }

  build(root) {
    const id = this.opts.title.replace(/\W+/g, '-').toLowerCase();
    root.classList.add('term');
    root.setAttribute('role', 'region');
    root.setAttribute('aria-label', `Terminal ${this.opts.title}`);
    root.innerHTML = '';
    const bar = el('div', 'term-bar');
    const title = el('span', 'term-title', this.opts.title);
    bar.append(title);
    if (this.opts.onClose) {
      const x = el('button', 'term-close', '×');
      x.type = 'button';
      x.setAttribute('aria-label', `Close ${this.opts.title}`);
      x.addEventListener('click', () => this.opts.onClose(this));
      bar.append(x);
    }
    this.out = el('div', 'term-out');
    this.out.setAttribute('role', 'log');
    this.out.setAttribute('aria-live', 'polite');
    this.out.setAttribute('aria-label', `Output of ${this.opts.title}`);
    this.out.tabIndex = 0;
    const line = el('div', 'term-line');
    this.promptEl = el('label', 'term-prompt');
    this.promptEl.htmlFor = `${id}-input`;
    const wrap = el('div', 'term-input-wrap');
    this.input = document.createElement('input');
    this.input.id = `${id}-input`;
    this.input.className = 'term-input';
    this.input.autocomplete = 'off';
    this.input.spellcheck = false;
    this.input.setAttribute('autocapitalize', 'off');
    this.input.setAttribute('aria-label', `Command for ${this.opts.title}`);
    this.hintEl = el('span', 'term-hint');
    this.hintEl.setAttribute('aria-hidden', 'true');
    wrap.append(this.input, this.hintEl);
    line.append(this.promptEl, wrap);
    // Raw RESP mode: how a line ends, and a way to send it without CR LF.
    this.rawBar = el('div', 'term-rawbar');
    this.rawBar.hidden = true;
    const note = el('span', 'term-rawnote', 'Raw RESP: Enter sends the line + \\r\\n · Shift+Enter sends it as typed');
    this.noCrlfBtn = el('button', 'term-send-raw', 'Send without \\r\\n');
    this.noCrlfBtn.type = 'button';
    this.noCrlfBtn.addEventListener('click', () => {
      this.sendLine(false);
      this.input.focus();
    });
    this.rawBar.append(note, this.noCrlfBtn);
    root.append(bar, this.out, line, this.rawBar);
    this.root = root;
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.input.addEventListener('input', () => this.onInput());
    // In Ctrl-R search the keys edit the query, never the line itself.
    this.input.addEventListener('beforeinput', (e) => {
      if (this.search) e.preventDefault();
    });
    this.input.addEventListener('paste', (e) => this.onPaste(e));
    this.out.addEventListener('click', () => {
      if (!window.getSelection().toString()) this.input.focus();
    });
    this.updatePrompt();
  }

  // connect opens a connection on the current transport. When that
  // connection drops without close() (server gone, network), opts.onDrop
  // hears of it; the app decides when to connect again.
  async connect() {
    let conn = null;
    conn = await this.opts.transport.connect((bytes) => this.onPush(bytes), () => {
      if (conn && this.conn === conn) this.opts.onDrop?.(this);
    });
    this.conn = conn;
    this.listening = false;
  }

  // setTransport moves the terminal to another engine (in-page or remote)
  // without reloading: the old connection is closed, a new one opened.
  async setTransport(transport, commands, version) {
    // A command still waiting (BLPOP ...) is given up, as on Ctrl-C; it
    // must not run again on the other engine.
    if (this.busy) {
      this.interrupted = true;
      this.print('(the waiting command was given up: switching engines)', 'term-note');
    }
    for (const item of this.queue.splice(0)) item.resolve();
    const old = this.conn;
    this.conn = null;
    old?.close();
    this.opts.transport = transport;
    if (commands) this.commands = commands;
    if (version) this.opts.version = version;
    this.db = 0;
    this.inMulti = false;
    this.updatePrompt();
    await this.connect();
  }

  // prompt is redis-cli's with where the commands go in place of its
  // host:port: "in-page" for the engine in this tab, the bridge's
  // host:port for a remote server.
  prompt() {
    if (this.search) return `(reverse-i-search)\`${this.search.query}': `;
    let p = this.opts.transport?.promptName || 'in-page';
    if (this.db) p += `[${this.db}]`;
    if (this.inMulti) p += '(TX)';
    return p + (this.raw ? ' RESP> ' : '> ');
  }

  updatePrompt() {
    this.promptEl.textContent = this.prompt();
    this.promptEl.title = this.search ? '' : `commands go to the ${this.opts.transport?.where || 'in-page engine'}`;
  }

  print(text, cls) {
    const div = el('div', cls ? `term-text ${cls}` : 'term-text', text.endsWith('\n') ? text.slice(0, -1) : text);
    this.out.append(div);
    while (this.out.childElementCount > 2000) this.out.firstElementChild.remove();
    this.out.scrollTop = this.out.scrollHeight;
    return div;
  }

  // echo shows a line as typed; added is what raw mode appended to it.
  echo(line, added = '') {
    const div = el('div', 'term-echo');
    div.append(el('span', 'term-echo-prompt', this.prompt()), el('span', 'term-echo-cmd', line));
    if (added) div.append(el('span', 'term-echo-added', added));
    this.out.append(div);
    this.out.scrollTop = this.out.scrollHeight;
  }

  clear() {
    this.out.innerHTML = '';
  }

  // submit runs one line, or queues it while a command is running.
  // It resolves when the line has run.
  // In raw mode crlf says whether the line gets its \r\n end (Enter) or
  // goes as typed (Shift+Enter, the Send without button).
  submit(line, crlf = true) {
    return new Promise((resolve) => {
      this.queue.push({ line, crlf, resolve });
      if (!this.running) this.next();
    });
  }

  next() {
    const item = this.queue.shift();
    if (!item) return;
    this.running = true;
    this.run(item.line, item.crlf).finally(() => {
      this.running = false;
      item.resolve();
      this.next();
    });
  }

  async run(line, crlf = true) {
    this.history.add(line);
    this.histPos = -1;
    if (this.raw) {
      let bytes = resp.decodeEscapes(line);
      const ended = bytes.length >= 2 && bytes[bytes.length - 2] === 13 && bytes[bytes.length - 1] === 10;
      const add = crlf && !ended;
      if (add) bytes = resp.concat([bytes, new Uint8Array([13, 10])]);
      this.echo(line, add ? '\\r\\n' : '');
      await this.send(bytes, null);
      return;
    }
    this.echo(line);
    const args = resp.splitArgs(line);
    if (args === null) {
      this.print('Invalid argument(s)');
      return;
    }
    if (args.length === 0) return;
    const words = args.map((a) => resp.text(a));
    const cmd = words[0].toLowerCase();
    if (cmd === 'help' || cmd === '?') {
      this.print(this.help(words.slice(1)), 'term-help');
      return;
    }
    if (cmd === 'clear') {
      this.clear();
      return;
    }
    // redis-cli: a leading number repeats the command.
    let repeat = 1;
    if (args.length > 1 && /^[0-9]+$/.test(words[0])) {
      repeat = Math.min(parseInt(words[0], 10), 1000);
      args.shift();
      words.shift();
    }
    for (let i = 0; i < repeat; i++) await this.send(resp.encodeCommand(args), words);
  }

  async send(bytes, words) {
    this.busy = true;
    this.root.classList.add('busy');
    this.input.setAttribute('aria-busy', 'true');
    let reply;
    try {
      try {
        if (!this.conn) throw new Error('no such session: not connected');
        reply = await this.conn.send(bytes);
      } catch (e) {
        if (this.interrupted || !/no such session/.test(e.message)) throw e;
        // The server closed the connection (QUIT, CLIENT KILL): like
        // redis-cli, connect again and send the command on the new one.
        await this.reconnect();
        reply = await this.conn.send(bytes);
      }
    } catch (e) {
      if (!this.interrupted) this.print(`(error) ${e.message}`, 'term-error');
      this.interrupted = false;
      return;
    } finally {
      this.busy = false;
      this.root.classList.remove('busy');
      this.input.removeAttribute('aria-busy');
    }
    this.opts.inspector?.show(this.opts.title, bytes, reply);
    let parsed;
    try {
      parsed = resp.parseReplies(reply);
    } catch (e) {
      this.print(`(unparsable reply: ${e.message})`, 'term-error');
      return;
    }
    // redis-cli prints INFO, CLIENT LIST and the like raw (as text), every
    // other reply in its TTY form.
    const raw = words && resp.rawOutput(words);
    for (const r of parsed.replies) {
      const text = raw ? resp.formatReplyRaw(r).replace(/\r\n/g, '\n') : resp.formatReply(r);
      if (text) this.print(text, r.type === '-' ? 'term-error' : raw ? 'term-raw' : '');
    }
    if (parsed.replies.length) {
      const r = parsed.replies[parsed.replies.length - 1];
      this.lastTyped = words ? words[0].toUpperCase() : typedIn(bytes);
      this.lastReply = reply.subarray(r.start, r.end);
    }
    if (this.raw && parsed.replies.length === 0) this.print('(no complete command yet: the server keeps the bytes and waits for the rest)', 'term-note');
    if (words && parsed.replies.length) this.track(words, parsed.replies[parsed.replies.length - 1]);
    this.updatePrompt();
    this.opts.onActivity?.(this);
  }

  // track follows the connection state redis-cli shows in its prompt.
  track(words, reply) {
    const cmd = words[0].toLowerCase();
    const ok = reply.type !== '-';
    if (cmd === 'select' && words.length === 2 && ok) {
      this.db = parseInt(words[1], 10) || 0;
    } else if (cmd === 'multi' && words.length === 1 && ok) {
      this.inMulti = true;
      this.preMultiDb = this.db;
    } else if ((cmd === 'exec' || cmd === 'discard') && words.length === 1 && this.inMulti) {
      this.inMulti = false;
      if (cmd === 'discard' || !ok || reply.value === null || reply.children === null) this.db = this.preMultiDb;
    } else if (cmd === 'reset' && words.length === 1 && ok) {
      this.inMulti = false;
      this.db = 0;
      this.listening = false;
    } else if (/^[ps]?subscribe$/.test(cmd) && ok) {
      this.listening = true;
    } else if (/^[ps]?unsubscribe$/.test(cmd) && ok && reply.children) {
      // The last confirmation counts the subscriptions left.
      this.listening = reply.children[2]?.value !== '0';
    }
  }

  // onPush shows output no request of this terminal asked for (pub/sub
  // messages, invalidations). It is the terminal's latest reply and counts
  // as activity, as a reply does: a lesson step waiting for a message sees
  // it arrive.
  onPush(bytes) {
    try {
      const { replies } = resp.parseReplies(bytes);
      for (const r of replies) this.print(resp.formatReply(r), 'term-push');
      if (replies.length) {
        const r = replies[replies.length - 1];
        this.lastReply = bytes.subarray(r.start, r.end);
      }
    } catch (e) {
      this.print(`(unparsable push: ${e.message})`, 'term-error');
    }
    this.opts.inspector?.show(`${this.opts.title} (push)`, new Uint8Array(), bytes);
    this.opts.onActivity?.(this);
  }

  // help answers HELP as redis-cli does, from the engine's command table.
  help(topic) {
    if (topic.length === 0) return HELP_INTRO(this.opts.version);
    const entry = (c, withGroup) => {
      let s = `\n  ${c.name} ${c.params}\n  summary: ${c.summary || '-'}\n  since: ${c.since}\n`;
      if (withGroup) s += `  group: ${c.group}\n`;
      return s;
    };
    if (topic[0].startsWith('@')) {
      const g = topic[0].slice(1).toLowerCase();
      const list = this.commands.filter((c) => c.group === g);
      return list.map((c) => entry(c, false)).join('') + (list.length ? '\n' : '');
    }
    const name = topic.join(' ').toUpperCase();
    const list = this.commands.filter((c) => c.name === name || c.name.startsWith(name + ' '));
    return list.map((c) => entry(c, true)).join('') + (list.length ? '\n' : '');
  }

  // hint is redis-cli's: the synopsis minus the arguments already typed.
  hint(line) {
    if (this.raw || this.search || !line) return '';
    const args = resp.splitArgs(line);
    if (!args || !args.length) return '';
    const words = args.map((a) => resp.text(a).toUpperCase());
    let c = null;
    let used = 1;
    if (words.length >= 2) {
      c = this.commands.find((x) => x.name === `${words[0]} ${words[1]}`);
      if (c) used = 2;
    }
    if (!c) c = this.commands.find((x) => x.name === words[0]);
    if (!c || !c.params) return '';
    let h = c.params;
    let toRemove = args.length - used;
    while (toRemove > 0 && h.length) {
      if (h[0] === '[') break;
      if (h[0] === ' ') toRemove--;
      h = h.slice(1);
    }
    if (toRemove > 0) return '';
    return /\s$/.test(line) ? h : ' ' + h;
  }

  onInput() {
    this.completion = null;
    this.hintEl.textContent = this.hint(this.input.value);
    this.hintEl.style.left = `${this.input.value.length}ch`;
  }

  setLine(s) {
    this.input.value = s;
    this.input.setSelectionRange(s.length, s.length);
    this.onInput();
  }

  complete() {
    if (!this.completion) {
      const base = this.input.value;
      const lower = base.length > 0 && base[0] === base[0].toLowerCase() && base[0] !== base[0].toUpperCase();
      let names;
      if (/^help\s/i.test(base)) {
        const groups = [...new Set(this.commands.map((c) => '@' + c.group))].sort();
        names = [...groups, ...this.commands.map((c) => c.name)].map((n) => base.replace(/\s.*$/, ' ') + n);
      } else {
        names = this.commands.map((c) => c.name);
      }
      const matches = names.filter((n) => n.toLowerCase().startsWith(base.toLowerCase())).map((n) => (lower ? n.toLowerCase() : n));
      if (!matches.length) return;
      this.completion = { matches, i: -1, base };
    }
    const c = this.completion;
    c.i = (c.i + 1) % (c.matches.length + 1);
    const value = c.i === c.matches.length ? c.base : c.matches[c.i];
    const keep = this.completion;
    this.setLine(value);
    this.completion = keep;
  }

  onKey(e) {
    if (this.search) {
      this.searchKey(e);
      return;
    }
    switch (e.key) {
      case 'Enter': {
        e.preventDefault();
        this.sendLine(!(this.raw && e.shiftKey));
        return;
      }
      case 'Tab':
        if (e.shiftKey || e.altKey || e.ctrlKey) return;
        e.preventDefault();
        this.complete();
        return;
      case 'ArrowUp':
      case 'ArrowDown': {
        e.preventDefault();
        const lines = this.history.lines;
        if (this.histPos === -1) {
          if (e.key === 'ArrowDown') return;
          this.saved = this.input.value;
          this.histPos = lines.length;
        }
        this.histPos += e.key === 'ArrowUp' ? -1 : 1;
        if (this.histPos < 0) this.histPos = 0;
        if (this.histPos >= lines.length) {
          this.histPos = -1;
          this.setLine(this.saved);
        } else {
          this.setLine(lines[this.histPos]);
        }
        return;
      }
    }
    if (e.ctrlKey && !e.altKey && !e.metaKey) {
      switch (e.key) {
        case 'r':
          e.preventDefault();
          this.search = { query: '', index: this.history.lines.length, saved: this.input.value };
          this.updatePrompt();
          return;
        case 'l':
          e.preventDefault();
          this.clear();
          return;
        case 'c':
          if (this.input.selectionStart !== this.input.selectionEnd) return;
          e.preventDefault();
          if (this.busy) {
            this.interrupt();
            return;
          }
          this.echo(this.input.value + '^C');
          this.setLine('');
          return;
      }
    }
  }

  // searchKey drives Ctrl-R reverse history search.
  searchKey(e) {
    const s = this.search;
    const find = (from) => {
      const i = this.history.search(s.query, from);
      if (i >= 0) {
        s.index = i;
        this.setLine(this.history.lines[i]);
      }
      this.updatePrompt();
    };
    if (e.key === 'Enter' || e.key === 'Escape' || e.key === 'ArrowLeft' || e.key === 'ArrowRight' || (e.ctrlKey && e.key === 'g')) {
      const accepted = e.key !== 'Escape' && !(e.ctrlKey && e.key === 'g');
      this.search = null;
      this.updatePrompt();
      if (!accepted) this.setLine(s.saved);
      if (e.key === 'Enter' || !accepted) e.preventDefault();
      if (e.key === 'Enter') {
        const line = this.input.value;
        this.setLine('');
        this.submit(line);
      }
      return;
    }
    e.preventDefault();
    if (e.ctrlKey && e.key === 'r') {
      find(s.index);
    } else if (e.key === 'Backspace') {
      s.query = s.query.slice(0, -1);
      find(this.history.lines.length);
    } else if (e.key.length === 1 && !e.ctrlKey && !e.metaKey) {
      s.query += e.key;
      find(s.index + 1);
    }
  }

  // onPaste runs pasted lines one by one, the last one stays editable
  // unless it ends with a newline.
  onPaste(e) {
    const data = e.clipboardData?.getData('text');
    if (!data || !/[\r\n]/.test(data)) return;
    e.preventDefault();
    const lines = (this.input.value + data).split(/\r?\n/);
    const last = lines.pop();
    this.setLine(last);
    for (const l of lines) this.submit(l);
  }

  // interrupt gives up on a command that waits (BLPOP ...): like redis-cli
  // on Ctrl-C it drops the connection; the terminal opens a new one.
  async interrupt() {
    for (const item of this.queue.splice(0)) item.resolve();
    this.interrupted = true;
    this.conn.close();
    this.print('^C (connection closed; a new client connection was opened)', 'term-note');
    await this.reconnect();
  }

  // reconnect opens a new connection; concurrent calls share one attempt.
  reconnect() {
    this._reconnecting ??= (async () => {
      try {
        this.db = 0;
        this.inMulti = false;
        const old = this.conn;
        this.conn = null;
        old?.close();
        await this.connect();
        this.updatePrompt();
      } finally {
        this._reconnecting = null;
      }
    })();
    return this._reconnecting;
  }

  // sendLine runs what is typed; crlf false sends a raw line as typed.
  sendLine(crlf) {
    const line = this.input.value;
    this.setLine('');
    this.submit(line, crlf);
  }

  setRaw(on) {
    this.raw = on;
    this.rawBar.hidden = !on;
    this.updatePrompt();
    this.onInput();
  }

  focus() {
    this.input.focus();
  }

  close() {
    this.conn?.close();
  }
}

// typedIn names the last command in raw request bytes ('' when none is
// complete), as words[0] names a typed one.
function typedIn(bytes) {
  try {
    const cmds = resp.parseRequests(bytes);
    return cmds.length ? resp.text(cmds[cmds.length - 1][0]).toUpperCase() : '';
  } catch {
    return '';
  }
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
