// The in-page engine's data: kept in the browser across reloads (store.js),
// downloaded as a dump.rdb that redis-server loads, loaded from a dump.rdb
// that Redis wrote (a file picker, or a file dropped on the page), reset.
//
//   const saved = await restore(api)   // at engine start: reload the saved keyspace
//   new DataControls(host, saved)      // the buttons and their messages
//
// host = {
//   api()          the in-page engine's goredis API
//   local()        whether the terminals use the in-page engine
//   onSwitch(fn)   after the terminals moved to another transport
//   print(text, cls)  a note in terminal 1
//   run(line)      type a line into terminal 1 and run it
//   loaded()       after a dump replaced the keyspace (the keyspace pane reloads)
// }
import { Store } from './store.js';

// SAVE_POINTS are the engine's save points in the page: after a write it
// saves within a second or two (CONFIG SET save "" stops it, as in Redis).
export const SAVE_POINTS = '1 1';
// MAX_LOAD bounds a dump.rdb the page accepts: it is copied into the
// engine's memory and read twice (checked, then loaded).
export const MAX_LOAD = 128 << 20;

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

const clock = (t) => new Date(t).toLocaleTimeString();
const kb = (n) => (n < 1024 ? `${n} bytes` : n < 1048576 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1048576).toFixed(1)} MB`);
const keys = (n) => `${n} key${n === 1 ? '' : 's'}`;

// restore opens the browser's storage, loads the keyspace saved there and
// gives the engine the storage for its saves. It never throws: what went
// wrong is in the result ({store, restored, error}).
export async function restore(api) {
  const out = { store: null, restored: null, error: '' };
  try {
    out.store = await Store.open();
  } catch (e) {
    out.error = `this browser does not keep data for the page (${e.message}): the keyspace lives until the page closes`;
    return out;
  }
  try {
    const saved = await out.store.get();
    if (saved) {
      const r = api.loadRDB(saved.bytes);
      if (r instanceof Error) out.error = `the keyspace saved in this browser could not be loaded (${bare(r.message)}): starting empty, and the next save replaces it`;
      else out.restored = { keys: r.keys, savedAt: saved.savedAt, size: saved.bytes.length };
    }
  } catch (e) {
    out.error = `the keyspace saved in this browser could not be read (${e.message}): starting empty`;
  }
  const err = api.persistTo((bytes) => out.store.put(bytes), SAVE_POINTS);
  if (err instanceof Error) out.error = err.message;
  return out;
}

const bare = (msg) => msg.replace(/^goredis: /, '');

export class DataControls {
  constructor(host, saved) {
    this.host = host;
    this.saved = saved;
    this.saves = 0;
    this.download = el('button', { type: 'button', class: 'data-download', text: 'Download dump.rdb', title: 'The in-page keyspace as a dump.rdb file that redis-server loads' });
    this.file = el('input', { type: 'file', class: 'data-file', id: 'data-file', accept: '.rdb,application/octet-stream' });
    this.loadBtn = el('button', { type: 'button', class: 'data-load', text: 'Load dump.rdb…', title: 'Replace the in-page keyspace with a dump.rdb (Redis 7.0 or older); you can also drop the file on the page' });
    this.reset = el('button', { type: 'button', class: 'data-reset', text: 'Reset', title: 'Empty the in-page keyspace and what this browser saved (runs FLUSHALL)' });
    // status tells what the buttons did; saved, what the browser keeps.
    this.status = el('span', { class: 'data-status', role: 'status', 'aria-live': 'polite' });
    this.saved = el('span', { class: 'data-saved', 'aria-live': 'polite' });
    this.root = el('div', { class: 'pg-data', role: 'group', 'aria-label': 'In-page data' },
      this.download, this.loadBtn, this.file, this.reset, this.status, this.saved);
    this.dropZone = el('div', { class: 'data-drop', hidden: '', 'aria-hidden': 'true' }, el('p', { text: 'Drop a dump.rdb to load it into the in-page engine' }));
    document.body.append(this.dropZone);

    this.download.addEventListener('click', () => this.save());
    this.loadBtn.addEventListener('click', () => this.file.click());
    this.file.addEventListener('change', () => {
      const f = this.file.files[0];
      this.file.value = '';
      if (f) this.load(f);
    });
    this.reset.addEventListener('click', () => this.resetClicked());
    this.dragDepth = 0;
    const hasFiles = (e) => [...(e.dataTransfer?.types || [])].includes('Files');
    document.addEventListener('dragenter', (e) => {
      if (!hasFiles(e) || !this.host.local()) return;
      this.dragDepth++;
      this.dropZone.hidden = false;
    });
    document.addEventListener('dragleave', () => {
      if (this.dragDepth && --this.dragDepth === 0) this.dropZone.hidden = true;
    });
    document.addEventListener('dragover', (e) => {
      if (hasFiles(e)) e.preventDefault();
    });
    document.addEventListener('drop', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      this.dragDepth = 0;
      this.dropZone.hidden = true;
      const f = e.dataTransfer.files[0];
      if (!f) return;
      if (!this.host.local()) this.say('Connected to a remote server: dump.rdb files load into the in-page engine only. Switch to "In-page engine" first.', 'data-error');
      else this.load(f);
    });
    // Save what changed when the page is hidden or closed: the save
    // points may not have come round yet.
    const flush = () => {
      try {
        this.host.api()?.flush();
      } catch {
        // the engine is gone
      }
    };
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') flush();
    });
    addEventListener('pagehide', flush);

    saved.store?.onSaved((ev) => this.onSaved(ev));
    host.onSwitch(() => this.enable());
    this.enable();
    if (saved.error) this.keep(`Note: ${saved.error}.`, 'data-error');
    else if (saved.restored) {
      this.keep(`Restored ${keys(saved.restored.keys)} saved in this browser at ${clock(saved.restored.savedAt)}.`);
      host.print(`(restored ${keys(saved.restored.keys)} this browser saved at ${clock(saved.restored.savedAt)}; Reset empties them)`, 'term-note');
    } else this.keep('Kept in this browser as you go.');
  }

  // keep says what the browser keeps (of the in-page engine: while the
  // terminals use a remote server, it says so instead).
  keep(text, cls = '') {
    this.kept = { text, cls };
    this.showKept();
  }

  showKept() {
    if (!this.kept) return;
    const local = this.host.local();
    this.saved.textContent = local ? this.kept.text : 'These buttons act on the in-page engine.';
    this.saved.className = `data-saved ${local ? this.kept.cls : ''}`;
  }

  enable() {
    const local = this.host.local();
    for (const b of [this.download, this.loadBtn, this.reset]) b.disabled = !local;
    this.root.title = local ? '' : 'These act on the in-page engine: switch to it to use them';
    this.showKept();
  }

  say(text, cls = '') {
    this.status.textContent = text;
    this.status.className = `data-status ${cls}`;
  }

  onSaved(ev) {
    this.saves++;
    this.saved.dataset.saves = String(this.saves);
    if (ev.error) this.keep(`Could not save in this browser: ${ev.error.message}. With save points set, writes then get MISCONF, as on a full disk; CONFIG SET save "" stops saving.`, 'data-error');
    else this.keep(`Saved in this browser at ${clock(ev.savedAt)} (${kb(ev.bytes.length)}).`);
  }

  // save downloads the keyspace as dump.rdb.
  save() {
    const img = this.host.api().dumpRDB();
    if (img instanceof Error) {
      this.say(`Could not make dump.rdb: ${bare(img.message)}`, 'data-error');
      return;
    }
    const url = URL.createObjectURL(new Blob([img], { type: 'application/octet-stream' }));
    const a = el('a', { href: url, download: 'dump.rdb' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    this.say(`Downloaded dump.rdb (${kb(img.length)}): redis-server loads it from its dir at start.`);
  }

  // load replaces the keyspace with the dump in file, or says why not and
  // changes nothing.
  async load(file) {
    const name = file.name || 'the file';
    const refuse = (why) => {
      this.say(`${name} was not loaded: ${why}. The keyspace is unchanged.`, 'data-error');
      this.host.print(`(${name} was not loaded: ${why}; the keyspace is unchanged)`, 'term-error');
    };
    if (file.size > MAX_LOAD) {
      refuse(`it is ${kb(file.size)}, more than the in-page engine takes (${kb(MAX_LOAD)})`);
      return;
    }
    let bytes;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch (e) {
      refuse(`the browser could not read it (${e.message})`);
      return;
    }
    const r = this.host.api().loadRDB(bytes);
    if (r instanceof Error) {
      const msg = bare(r.message);
      let hint = '';
      if (/Wrong signature/.test(msg)) hint = ' (it is not an RDB file: a dump.rdb starts with REDIS)';
      else if (/Can't handle RDB format version/.test(msg)) hint = ' (made by a newer Redis than 7.0)';
      else if (/Unexpected EOF/.test(msg)) hint = ' (the file is cut short)';
      else if (/Bad RDB data|Internal error in RDB|checksum/i.test(msg)) hint = ' (the file is damaged or cut short)';
      refuse(msg + hint);
      return;
    }
    const made = r.redisVersion ? ` by Redis ${r.redisVersion}` : '';
    const expired = r.expired ? `, ${r.expired} already expired` : '';
    this.say(`Loaded ${name}: ${keys(r.keys)}${expired} (RDB version ${r.version}${made}).`, 'data-ok');
    this.host.print(`(loaded ${name} into the in-page engine: ${keys(r.keys)}${expired}, RDB version ${r.version}${made}; it replaced the keyspace)`, 'term-note');
    this.host.loaded();
  }

  // resetClicked asks once more, then runs FLUSHALL in terminal 1 (with
  // save points set, Redis saves the emptied keyspace at once).
  resetClicked() {
    if (!this.armed) {
      this.armed = true;
      this.reset.textContent = 'Really reset? (FLUSHALL)';
      this.reset.classList.add('armed');
      this.disarm = setTimeout(() => this.unarm(), 4000);
      return;
    }
    this.unarm();
    this.host.run('FLUSHALL');
  }

  unarm() {
    clearTimeout(this.disarm);
    this.armed = false;
    this.reset.textContent = 'Reset';
    this.reset.classList.remove('armed');
  }
}
