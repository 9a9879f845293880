// The Keyspace pane: every key of the terminal's database with its type,
// TTL, encoding and size, a picture of the selected value, and actions
// that run their command in the terminal.
//
// Its queries go on connections of its own, both named keyspace-explorer
// (CLIENT LIST and MONITOR say so), so they never reach the learner's
// terminal, history or inspector. It follows writes as they happen:
// keyspace notifications (notify-keyspace-events gains "KA" when it lacks
// them) on a subscribed connection; where CONFIG is refused (a sandbox),
// CLIENT TRACKING in broadcast mode instead. It never polls the keyspace:
// keys come by SCAN pages as the list scrolls (the list is virtualised:
// only the rows on screen exist), details only for the rows on screen.
//
// host = {
//   transport()       the transport the terminals use
//   db()              the database terminal 1 has selected
//   run(line)         type a line into terminal 1 and run it
//   onActivity(fn)    after every reply shown in any terminal
//   onSwitch(fn)      after the terminals moved to another transport
// }
import * as resp from './resp.js';
import { pictures } from './pictures/index.js';
import { explain } from './encoding.js';
import * as share from './share.js';

const ROW = 30; // px per row of the virtualised list
const OVERSCAN = 6;
const SCAN_COUNT = 200;
const FLUSH_MS = 16; // notifications are coalesced this long (a frame)
const MAX_DETAIL_KEYS = 40; // keys refreshed per flush, at most
const MAX_NEW_KEYS = 200; // new keys added one by one per flush; past it, a rescan
const RESCAN_MS = 2000; // a write storm rescans the first page at most this often
// While the scan is incomplete (a large keyspace), keys heard of are added
// only up to MAX_HELD keys, or where they would show on screen: past it,
// the others come by SCAN as the list scrolls.
const MAX_HELD = 5000;
const TYPES = ['string', 'list', 'hash', 'set', 'zset', 'stream'];
const EXPLORER = 'keyspace-explorer';

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined) e.setAttribute(k, v);
  }
  e.append(...kids);
  return e;
}

// glob compiles a Redis glob (stringmatchlen: * ? [abc] [^a-z] \x) into a
// RegExp over the key's text.
export function glob(pattern) {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '\\' && i + 1 < pattern.length) re += '\\' + pattern[++i].replace(/[^\w]/, (m) => m);
    else if (c === '[') {
      let j = i + 1;
      let cls = '[';
      if (pattern[j] === '^') {
        cls += '^';
        j++;
      }
      for (; j < pattern.length && pattern[j] !== ']'; j++) {
        const d = pattern[j];
        if (d === '\\' && j + 1 < pattern.length) cls += '\\' + pattern[++j];
        else cls += d === '-' ? '-' : d.replace(/[\]\\^]/g, '\\$&');
      }
      if (j >= pattern.length) re += '\\[';
      else {
        re += cls + ']';
        i = j;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  try {
    return new RegExp(re + '$');
  } catch {
    return /^$/;
  }
}

// Query runs commands on one connection: one write, their replies parsed.
class Query {
  constructor(conn, stats) {
    this.conn = conn;
    this.stats = stats;
  }
  async run(cmds) {
    const bytes = resp.concat(cmds.map((c) => resp.encodeCommand(c)));
    this.stats.commands += cmds.length;
    const reply = await this.conn.send(bytes);
    const { replies } = resp.parseReplies(reply);
    return replies;
  }
  async one(...args) {
    const [r] = await this.run([args]);
    if (r.type === '-') throw new Error(r.value);
    return r;
  }
}

const bytesOf = (r) => (typeof r.value === 'string' ? new TextEncoder().encode(r.value) : r.value);
const textOf = (r) => (r.value === null ? null : typeof r.value === 'string' ? r.value : resp.text(r.value));

export class KeyspacePane {
  constructor(root, host) {
    this.root = root;
    this.host = host;
    this.stats = { commands: 0, updates: 0 }; // what the pane sent, and rows refreshed
    this.keys = []; // {name, bytes, type, ttlAt, encoding, size, loaded, stale} sorted by name
    this.byName = new Map();
    this.cursor = '0';
    this.complete = false;
    this.db = 0;
    this.pattern = '*';
    this.type = '';
    this.selected = -1;
    this.dirty = new Map(); // name -> event
    this.flushTimer = null;
    this.gen = 0; // bumped when the connections close: their pushes are stale
    this.scanGen = 0; // bumped by every reload: its scan stops
    this.configCache = new Map();
    this.build();
    host.onActivity(() => {
      if (host.db() !== this.db && !this.root.hidden) this.setDb(host.db());
    });
    host.onSwitch(() => {
      if (!this.root.hidden) this.start();
    });
  }

  build() {
    const r = this.root;
    r.classList.add('pg-keyspace');
    r.setAttribute('role', 'region');
    r.setAttribute('aria-label', 'Keyspace');
    this.dbLabel = el('span', { class: 'ks-db' });
    this.count = el('span', { class: 'ks-count', 'aria-live': 'polite' });
    this.live = el('span', { class: 'ks-live', title: 'how the pane hears of writes' });
    this.filter = el('input', { class: 'ks-filter', type: 'search', value: '*', 'aria-label': 'Filter keys by glob pattern', spellcheck: 'false', placeholder: 'pattern, e.g. user:*' });
    this.typeSel = el('select', { class: 'ks-type', 'aria-label': 'Filter keys by type' },
      el('option', { value: '', text: 'all types' }), ...TYPES.map((t) => el('option', { value: t, text: t })));
    this.shareBtn = el('button', { type: 'button', class: 'ks-share', text: 'Share', title: 'Put a link that rebuilds this keyspace in the address bar' });
    this.list = el('div', { class: 'ks-list', role: 'listbox', tabindex: '0', 'aria-label': 'Keys' });
    this.spacer = el('div', { class: 'ks-spacer' });
    this.list.append(this.spacer);
    this.notice = el('p', { class: 'ks-notice', role: 'status', 'aria-live': 'polite' });
    this.detail = el('section', { class: 'ks-detail', 'aria-label': 'Selected key' });
    r.replaceChildren(
      el('h2', {}, 'Keyspace ', this.dbLabel, ' ', this.count, ' ', this.live),
      el('div', { class: 'ks-filters' }, this.filter, this.typeSel, this.shareBtn),
      el('div', { class: 'ks-head', 'aria-hidden': 'true' },
        el('span', { text: 'key' }), el('span', { text: 'type' }), el('span', { text: 'TTL' }), el('span', { text: 'encoding' }), el('span', { text: 'size' })),
      this.list, this.notice, this.detail);
    let t = null;
    this.filter.addEventListener('input', () => {
      clearTimeout(t);
      t = setTimeout(() => this.setFilter(this.filter.value || '*', this.type), 200);
    });
    this.typeSel.addEventListener('change', () => this.setFilter(this.pattern, this.typeSel.value));
    this.list.addEventListener('scroll', () => this.render());
    this.list.addEventListener('keydown', (e) => this.onKey(e));
    this.shareBtn.addEventListener('click', () => this.share());
    new ResizeObserver(() => this.render()).observe(this.list);
    // TTLs count down between updates; only rows on screen are redrawn.
    this.ticker = setInterval(() => this.tick(), 1000);
  }

  show(on) {
    this.root.hidden = !on;
    if (on) this.start();
    else this.stop();
  }

  stop() {
    this.gen++;
    this.q?.conn.close();
    this.sub?.close();
    this.q = null;
    this.sub = null;
  }

  // start opens the pane's two connections on the current transport and
  // loads the first page.
  async start() {
    this.stop();
    const gen = this.gen;
    const transport = this.host.transport();
    try {
      const conn = await transport.connect(null, () => {});
      const q = new Query(conn, this.stats);
      const sub = await transport.connect((bytes) => this.onPush(bytes, gen), () => {});
      if (gen !== this.gen) {
        conn.close();
        sub.close();
        return;
      }
      this.q = q;
      this.sub = sub;
      const subQ = new Query(sub, this.stats);
      await subQ.run([['CLIENT', 'SETNAME', EXPLORER]]);
      await q.run([['CLIENT', 'SETNAME', EXPLORER]]);
      const subId = textOf((await subQ.run([['CLIENT', 'ID']]))[0]);
      this.db = this.host.db();
      await q.run([['SELECT', String(this.db)]]);
      this.mode = await this.listen(q, subQ, subId);
      this.live.textContent = this.mode === 'notifications' ? '● live (keyspace notifications)' : '● live (client tracking)';
      await this.reload();
    } catch (e) {
      if (gen === this.gen) this.live.textContent = `not connected: ${e.message}`;
    }
  }

  // listen subscribes to the database's keyspace notifications, turning
  // them on (K and A) if needed; where CONFIG is refused it asks for
  // broadcast tracking, redirected to the subscribed connection.
  async listen(q, subQ, subId) {
    try {
      const [got] = await q.run([['CONFIG', 'GET', 'notify-keyspace-events']]);
      if (got.type === '-') throw new Error(got.value);
      const flags = textOf(got.children[1]) || '';
      if (!flags.includes('K') || !(flags.includes('A') || ['g', '$', 'l', 's', 'h', 'z', 'x', 'e'].every((c) => flags.includes(c)))) {
        await q.one('CONFIG', 'SET', 'notify-keyspace-events', flags + 'KA');
        // (a message already shown, such as a refused share link, stays)
        if (!this.notice.textContent) this.say(`Turned on keyspace notifications (CONFIG SET notify-keyspace-events ${flags}KA) so this pane hears of every write.`);
      }
      await subQ.run([['PSUBSCRIBE', `__keyspace@${this.db}__:*`]]);
      return 'notifications';
    } catch {
      await subQ.run([['SUBSCRIBE', '__redis__:invalidate']]);
      await q.one('CLIENT', 'TRACKING', 'ON', 'BCAST', 'REDIRECT', subId);
      return 'tracking';
    }
  }

  async setDb(db) {
    this.db = db;
    await this.start();
  }

  setFilter(pattern, type) {
    this.pattern = pattern;
    this.type = type;
    this.reload();
  }

  // reload forgets the keys and scans again from cursor 0.
  async reload() {
    const gen = ++this.scanGen;
    this.keys = [];
    this.byName.clear();
    this.cursor = '0';
    this.complete = false;
    this.selected = -1;
    this.dbLabel.textContent = `db ${this.db}`;
    this.matcher = glob(this.pattern);
    this.detail.replaceChildren();
    this.render();
    await this.scanMore(gen);
  }

  // scanMore reads SCAN pages until a screenful of new keys came or the
  // scan is complete.
  async scanMore(gen = this.scanGen) {
    if (this.complete || this.scanning || !this.q) return;
    this.scanning = true;
    try {
      let added = 0;
      for (let i = 0; i < 20 && added < 60 && !this.complete; i++) {
        const args = ['SCAN', this.cursor, 'MATCH', this.pattern, 'COUNT', String(SCAN_COUNT)];
        if (this.type) args.push('TYPE', this.type);
        const cmds = [args];
        if (i === 0) cmds.push(['DBSIZE']);
        const [page, size] = await this.q.run(cmds);
        if (gen !== this.scanGen) return;
        if (size) this.dbsize = Number(size.value);
        const [cur, names] = page.children;
        this.cursor = textOf(cur);
        this.complete = this.cursor === '0';
        for (const n of names.children) if (this.add(bytesOf(n), this.type || '')) added++;
      }
    } finally {
      this.scanning = false;
    }
    // A reload came during this scan: the new scan starts now.
    if (gen !== this.scanGen) this.scanMore();
    else this.render();
  }

  // place is where name goes in the sorted list.
  place(name) {
    let lo = 0, hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.keys[mid].name < name) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // add puts a key in the sorted list; false when it was there already.
  add(bytes, type) {
    const name = resp.text(bytes);
    if (this.byName.has(name)) return false;
    const k = { name, bytes, type, ttlAt: null, encoding: '', size: null, loaded: false, stale: true };
    const lo = this.place(name);
    this.keys.splice(lo, 0, k);
    this.byName.set(name, k);
    if (this.selected >= lo) this.selected++;
    return true;
  }

  remove(name) {
    const k = this.byName.get(name);
    if (!k) return;
    const i = this.keys.indexOf(k);
    this.keys.splice(i, 1);
    this.byName.delete(name);
    if (this.selected === i) {
      this.selected = Math.min(i, this.keys.length - 1);
      this.detail.replaceChildren(el('p', { class: 'pic-note', text: `"${name}" is gone.` }));
      this.shownKey = null;
    } else if (this.selected > i) this.selected--;
  }

  // onPush hears of a write: a keyspace notification (pmessage) or a
  // tracking invalidation (message on __redis__:invalidate).
  onPush(bytes, gen) {
    if (gen !== this.gen) return;
    let replies;
    try {
      ({ replies } = resp.parseReplies(bytes));
    } catch {
      return;
    }
    for (const r of replies) {
      const parts = r.children || [];
      const kind = parts[0] ? textOf(parts[0]) : '';
      if (kind === 'pmessage') {
        const channel = textOf(parts[2]);
        const at = channel.indexOf('__:');
        this.mark(channel.slice(at + 3), textOf(parts[3]));
      } else if (kind === 'message' && textOf(parts[1]) === '__redis__:invalidate') {
        if (!parts[2].children) this.mark(null, 'flushdb');
        else for (const k of parts[2].children) this.mark(textOf(k), '');
      }
    }
  }

  mark(name, event) {
    if (name === null || event === 'flushdb' || event === 'flushall') {
      this.dirty.clear();
      this.reload();
      return;
    }
    this.dirty.set(name, event);
    if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), FLUSH_MS);
  }

  // flush applies the writes heard since the last flush: deleted keys
  // leave, new matching keys join, and the rows on screen (and the
  // selected key) are refreshed with one pipelined request.
  async flush() {
    this.flushTimer = null;
    const events = [...this.dirty];
    this.dirty.clear();
    const gone = new Set(['del', 'expired', 'evicted', 'rename_from', 'move_from']);
    let fresh = 0;
    for (const [name, event] of events) {
      if (gone.has(event)) {
        this.remove(name);
        continue;
      }
      let k = this.byName.get(name);
      if (!k && this.matcher.test(name) && (this.complete || this.keys.length < MAX_HELD || this.place(name) < this.visibleRange()[1])) {
        // A storm of new keys (a bulk load) is not added key by key: the
        // list rescans its first page instead, at most every RESCAN_MS.
        if (++fresh > MAX_NEW_KEYS) continue;
        this.add(new TextEncoder().encode(name), '');
        k = this.byName.get(name);
      }
      if (k) k.stale = true;
    }
    if (fresh > MAX_NEW_KEYS) this.rescanSoon();
    await this.refreshVisible();
    if (this.shownKey && events.some(([n]) => n === this.shownKey.name)) this.showDetail(false);
  }

  rescanSoon() {
    if (this.rescanTimer) return;
    const wait = Math.max(0, (this.lastRescan || 0) + RESCAN_MS - Date.now());
    this.rescanTimer = setTimeout(() => {
      this.rescanTimer = null;
      this.lastRescan = Date.now();
      this.reload();
    }, wait);
  }

  // refreshVisible loads type, TTL, encoding and size for the rows on
  // screen that are new or changed.
  async refreshVisible() {
    if (!this.q) return;
    const [from, to] = this.visibleRange();
    const want = [];
    for (let i = from; i < to && want.length < MAX_DETAIL_KEYS; i++) if (this.keys[i].stale) want.push(this.keys[i]);
    const sel = this.keys[this.selected];
    if (sel?.stale && !want.includes(sel)) want.push(sel);
    if (!want.length) {
      this.render();
      return;
    }
    for (const k of want) k.stale = false;
    const cmds = [];
    for (const k of want) cmds.push(['TYPE', k.bytes], ['PTTL', k.bytes], ['OBJECT', 'ENCODING', k.bytes], ['MEMORY', 'USAGE', k.bytes]);
    let replies;
    try {
      replies = await this.q.run(cmds);
    } catch {
      return;
    }
    const now = Date.now();
    want.forEach((k, i) => {
      const [type, pttl, encoding, size] = replies.slice(i * 4, i * 4 + 4);
      const t = textOf(type);
      if (t === 'none' || (this.type && t !== this.type)) {
        this.remove(k.name);
        return;
      }
      const before = k.loaded ? { type: k.type, encoding: k.encoding } : null;
      k.type = t;
      const ms = Number(pttl.value);
      k.ttlAt = ms >= 0 ? now + ms : null;
      k.encoding = encoding.type === '-' ? '' : textOf(encoding);
      k.size = size.type === '-' ? null : Number(size.value);
      k.loaded = true;
      this.stats.updates++;
      if (before && before.type === t && before.encoding !== k.encoding) this.teach(k, before.encoding);
    });
    this.render();
  }

  // teach says why a key's encoding changed, with the limit it crossed.
  async teach(k, from) {
    const sizeCmd = { hash: 'HLEN', zset: 'ZCARD', set: 'SCARD', string: 'STRLEN', list: 'LLEN', stream: 'XLEN' }[k.type];
    let size = 0;
    try {
      size = Number((await this.q.one(sizeCmd, k.bytes)).value);
    } catch {
      // gone meanwhile
    }
    const text = await explain({ type: k.type, key: k.name, from, to: k.encoding, size, config: (name) => this.config(name) });
    if (text) this.say(text, 'ks-teach');
  }

  async config(name) {
    if (!this.configCache.has(name)) {
      try {
        const r = await this.q.one('CONFIG', 'GET', name);
        this.configCache.set(name, textOf(r.children[1]));
      } catch {
        this.configCache.set(name, '?');
      }
    }
    return this.configCache.get(name);
  }

  say(text, cls = '') {
    this.notice.textContent = text;
    this.notice.className = `ks-notice ${cls}`;
  }

  visibleRange() {
    const top = this.list.scrollTop;
    const h = this.list.clientHeight || 300;
    const from = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
    const to = Math.min(this.keys.length, Math.ceil((top + h) / ROW) + OVERSCAN);
    return [from, to];
  }

  // render draws the rows on screen only (the list may hold millions).
  render() {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.draw();
    });
  }

  draw() {
    this.spacer.style.height = `${this.keys.length * ROW}px`;
    const [from, to] = this.visibleRange();
    const rows = [];
    let stale = false;
    for (let i = from; i < to; i++) {
      const k = this.keys[i];
      if (k.stale) stale = true;
      const row = el('div', {
        class: 'ks-row' + (i === this.selected ? ' selected' : ''), role: 'option', id: `ks-row-${i}`,
        'aria-selected': String(i === this.selected), 'data-key': k.name, style: `top:${i * ROW}px`,
        // The row may be stale by the time it is clicked (keys inserted
        // above it shift indexes), so find the key's index now.
        onclick: () => { const at = this.keys.indexOf(k); if (at >= 0) this.select(at); },
      },
      el('span', { class: 'ks-name', text: k.name, title: k.name }),
      el('span', { class: `ks-type-badge t-${k.type || 'unknown'}`, text: k.type || '…' }),
      el('span', { class: 'ks-ttl', text: this.ttlText(k) }),
      el('span', { class: 'ks-enc', text: k.encoding }),
      el('span', { class: 'ks-size', text: k.size === null ? '' : formatBytes(k.size) }));
      rows.push(row);
    }
    this.list.replaceChildren(this.spacer, ...rows);
    if (this.selected >= 0) this.list.setAttribute('aria-activedescendant', `ks-row-${this.selected}`);
    else this.list.removeAttribute('aria-activedescendant');
    const total = this.dbsize ?? this.keys.length;
    this.count.textContent = this.complete ? `${this.keys.length} key${this.keys.length === 1 ? '' : 's'}` : `${this.keys.length} of ${total} keys loaded`;
    if (stale) this.refreshVisible();
    if (!this.complete && to >= this.keys.length - OVERSCAN) this.scanMore();
  }

  ttlText(k) {
    if (!k.loaded) return '';
    if (k.ttlAt === null) return '∞';
    const ms = Math.max(0, k.ttlAt - Date.now());
    return ms >= 10000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
  }

  tick() {
    if (this.root.hidden) return;
    for (const row of this.list.querySelectorAll('.ks-row')) {
      const k = this.byName.get(row.dataset.key);
      if (k?.ttlAt) row.querySelector('.ks-ttl').textContent = this.ttlText(k);
    }
    if (this.shownKey?.ttlAt) this.detailTTL.textContent = this.ttlText(this.shownKey);
  }

  onKey(e) {
    const n = this.keys.length;
    if (!n) return;
    const page = Math.max(1, Math.floor(this.list.clientHeight / ROW) - 1);
    const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -n, End: n };
    if (e.key in moves) {
      e.preventDefault();
      this.select(Math.min(n - 1, Math.max(0, (this.selected < 0 ? -1 : this.selected) + moves[e.key])));
    } else if (e.key === 'Delete' && this.selected >= 0) {
      e.preventDefault();
      this.act(['DEL', this.keys[this.selected].bytes]);
    }
  }

  select(i) {
    this.selected = i;
    const top = i * ROW;
    if (top < this.list.scrollTop) this.list.scrollTop = top;
    else if (top + ROW > this.list.scrollTop + this.list.clientHeight) this.list.scrollTop = top + ROW - this.list.clientHeight;
    this.render();
    this.showDetail(true);
  }

  // showDetail draws the selected key: facts, actions, picture.
  async showDetail(fresh) {
    const k = this.keys[this.selected];
    if (!k) return;
    this.shownKey = k;
    if (fresh) this.page = undefined;
    if (!k.loaded) await this.refreshVisible();
    const mod = pictures[k.type];
    let picture;
    try {
      if (!mod) picture = el('p', { class: 'pic-note', text: `No picture for ${k.type} values yet.` });
      else {
        const data = await mod.load(this.q, k.bytes, this.page);
        if (this.shownKey !== k) return;
        const more = mod.next ? () => {
          this.page = mod.next(data);
          this.showDetail(false);
        } : null;
        picture = mod.draw(data, more, k.type === 'hash' ? (f, v) => this.editField(k, f, v) : null);
      }
    } catch (e) {
      picture = el('p', { class: 'pic-note', text: `(could not read the value: ${e.message})` });
    }
    if (this.shownKey !== k) return;
    this.detailTTL = el('dd', { text: this.ttlText(k) });
    const name = k.name;
    this.detail.replaceChildren(
      el('h3', { text: name }),
      el('dl', { class: 'ks-facts' },
        el('dt', { text: 'type' }), el('dd', { text: k.type }),
        el('dt', { text: 'TTL' }), this.detailTTL,
        el('dt', { text: 'encoding' }), el('dd', { text: k.encoding }),
        el('dt', { text: 'size' }), el('dd', { text: k.size === null ? '' : formatBytes(k.size) })),
      this.actions(k),
      picture);
    // A key just picked: bring its picture into the pane's view.
    if (fresh) picture.scrollIntoView?.({ block: 'nearest' });
  }

  actions(k) {
    const ttl = el('input', { class: 'ks-ttl-in', type: 'number', min: '1', placeholder: 'seconds', 'aria-label': `TTL in seconds for ${k.name}` });
    const rename = el('input', { class: 'ks-rename-in', type: 'text', placeholder: 'new name', 'aria-label': `New name for ${k.name}`, spellcheck: 'false' });
    const box = el('div', { class: 'ks-actions' },
      el('button', { type: 'button', class: 'ks-del', text: 'Delete', onclick: () => this.act(['DEL', k.bytes]) }),
      el('form', { class: 'ks-form', onsubmit: (e) => {
        e.preventDefault();
        if (rename.value) this.act(['RENAME', k.bytes, rename.value]);
      } }, rename, el('button', { type: 'submit', text: 'Rename' })),
      el('form', { class: 'ks-form', onsubmit: (e) => {
        e.preventDefault();
        if (ttl.value) this.act(['EXPIRE', k.bytes, ttl.value]);
      } }, ttl, el('button', { type: 'submit', text: 'Set TTL' })),
      el('button', { type: 'button', class: 'ks-persist', text: 'Persist', onclick: () => this.act(['PERSIST', k.bytes]) }));
    if (k.type === 'string') {
      const v = el('input', { class: 'ks-value-in', type: 'text', placeholder: 'new value', 'aria-label': `New value for ${k.name}`, spellcheck: 'false' });
      box.append(el('form', { class: 'ks-form', onsubmit: (e) => {
        e.preventDefault();
        this.act(['SET', k.bytes, v.value]);
      } }, v, el('button', { type: 'submit', text: 'Set value' })));
    }
    return box;
  }

  editField(k, field, value) {
    const v = prompt(`New value for field ${resp.text(field)} of ${k.name}`, resp.text(value));
    if (v !== null) this.act(['HSET', k.bytes, field, v]);
  }

  // act runs an action as the command a learner would type: it appears
  // in terminal 1 and runs there, so the click teaches the command.
  act(args) {
    return this.host.run(resp.commandLine(args));
  }

  // share puts a link that rebuilds this database in the address bar and
  // copies it; past the bounds it says why instead.
  async share() {
    try {
      const entries = [];
      let cursor = '0';
      do {
        const [page] = await this.q.run([['SCAN', cursor, 'COUNT', '1000']]);
        cursor = textOf(page.children[0]);
        for (const n of page.children[1].children) {
          entries.push({ key: bytesOf(n) });
          if (entries.length > share.MAX_COMMANDS / 2) throw new share.ShareError(`too many keys to share (more than ${share.MAX_COMMANDS / 2})`);
        }
      } while (cursor !== '0');
      entries.sort((a, b) => (resp.text(a.key) < resp.text(b.key) ? -1 : 1));
      for (const e of entries) await this.readForShare(e);
      const frag = await share.encode(share.commandsFor(entries));
      const url = location.href.replace(/#.*$/, '') + frag;
      history.replaceState(null, '', frag);
      let copied = false;
      try {
        await navigator.clipboard.writeText(url);
        copied = true;
      } catch {
        // no clipboard permission: the address bar has it
      }
      this.say(`Share link ready (${frag.length} characters)${copied ? ', copied' : ''}: it is in the address bar. Opened anywhere, it rebuilds these ${entries.length} keys in the in-page engine.`, 'ks-ok');
    } catch (e) {
      this.say(e instanceof share.ShareError ? `Cannot share: ${e.message}` : `Cannot share: ${e.message}`, 'ks-error');
    }
  }

  // readForShare reads one whole value (bounded by the link's limits).
  async readForShare(e) {
    const [type, pttl] = await this.q.run([['TYPE', e.key], ['PTTL', e.key]]);
    e.type = textOf(type);
    e.pttl = Number(pttl.value);
    if (e.type === 'stream') {
      e.value = await this.readStreamForShare(e.key);
      return;
    }
    const lenCmd = { string: 'STRLEN', list: 'LLEN', hash: 'HLEN', set: 'SCARD', zset: 'ZCARD' }[e.type];
    if (!lenCmd) throw new share.ShareError(`a ${e.type} key (${resp.text(e.key)}) cannot be shared yet`);
    const len = Number((await this.q.one(lenCmd, e.key)).value);
    if ((e.type === 'string' && len > share.MAX_TEXT) || (e.type !== 'string' && len > share.MAX_COMMANDS)) {
      throw new share.ShareError(`"${resp.text(e.key)}" is too large to share (${len} ${e.type === 'string' ? 'bytes' : 'elements'})`);
    }
    const read = { string: ['GET'], list: ['LRANGE', '0', '-1'], hash: ['HGETALL'], set: ['SMEMBERS'], zset: ['ZRANGE', '0', '-1', 'WITHSCORES'] }[e.type];
    const r = await this.q.one(read[0], e.key, ...read.slice(1));
    if (e.type === 'string') e.value = bytesOf(r);
    else if (e.type === 'list' || e.type === 'set') e.value = r.children.map(bytesOf);
    else {
      const flat = r.type === '%' || (r.children[0] && r.children[0].children) ? r.children.flatMap((c) => (c.children ? c.children : [c])) : r.children;
      e.value = [];
      for (let i = 0; i + 1 < flat.length; i += 2) e.value.push(e.type === 'zset' ? [bytesOf(flat[i]), textOf(flat[i + 1])] : [bytesOf(flat[i]), bytesOf(flat[i + 1])]);
    }
  }

  // readStreamForShare reads a stream whole: its entries, the ID counters
  // XINFO STREAM reports, and each consumer group with its consumers and
  // pending entries (bounded by the link's limits).
  async readStreamForShare(key) {
    const name = resp.text(key);
    const len = Number((await this.q.one('XLEN', key)).value);
    if (len > share.MAX_COMMANDS) throw new share.ShareError(`"${name}" is too large to share (${len} entries)`);
    const fields = (r) => {
      const flat = r.children || [];
      const o = {};
      for (let i = 0; i + 1 < flat.length; i += 2) o[textOf(flat[i])] = flat[i + 1];
      return o;
    };
    const [entries, info, groups] = await this.q.run([['XRANGE', key, '-', '+'], ['XINFO', 'STREAM', key], ['XINFO', 'GROUPS', key]]);
    const st = fields(info);
    const v = {
      entries: (entries.children || []).map((en) => [textOf(en.children[0]), (en.children[1].children || []).map(bytesOf)]),
      lastId: textOf(st['last-generated-id']),
      maxDeletedId: textOf(st['max-deleted-entry-id']),
      entriesAdded: textOf(st['entries-added']),
      groups: [],
    };
    for (const g of groups.children || []) {
      const gi = fields(g);
      const group = { name: bytesOf(gi.name), lastDelivered: textOf(gi['last-delivered-id']), entriesRead: textOf(gi['entries-read']), consumers: [], pending: [] };
      const pending = Number(gi.pending.value);
      if (pending > share.MAX_COMMANDS) throw new share.ShareError(`"${name}" has too many pending entries to share (${pending})`);
      const [consumers, pel] = await this.q.run([['XINFO', 'CONSUMERS', key, group.name], ['XPENDING', key, group.name, '-', '+', String(Math.max(1, pending))]]);
      for (const c of consumers.children || []) group.consumers.push(bytesOf(fields(c).name));
      for (const p of pel.children || []) group.pending.push([textOf(p.children[0]), bytesOf(p.children[1]), textOf(p.children[2]), textOf(p.children[3])]);
      v.groups.push(group);
    }
    return v;
  }
}

function formatBytes(n) {
  return n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1048576).toFixed(1)} MB`;
}
