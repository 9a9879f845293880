// Store keeps the in-page engine's dump.rdb in the browser (IndexedDB), so
// a reload finds the keyspace it left. The engine decides when to save, as
// Redis does (SAVE, BGSAVE, its save points, FLUSHALL; wasm/persist.go);
// the page only keeps the latest image.
//
//   const store = await Store.open()   // throws where IndexedDB is missing or refused
//   await store.put(uint8Array)        // the latest dump.rdb
//   await store.get()                  // {bytes, savedAt} or null
//   store.onSaved(fn)                  // fn({bytes, savedAt} | {error}) after each put

const DB_NAME = 'goredis-playground';
const FILES = 'files';
const DUMP = 'dump.rdb';

function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error || new Error('IndexedDB request failed'));
  });
}

export class Store {
  constructor(db) {
    this.db = db;
    this.listeners = [];
  }

  static async open() {
    if (!globalThis.indexedDB) throw new Error('this browser has no IndexedDB');
    const r = indexedDB.open(DB_NAME, 1);
    r.onupgradeneeded = () => r.result.createObjectStore(FILES);
    const db = await request(r);
    return new Store(db);
  }

  async get() {
    const tx = this.db.transaction(FILES, 'readonly');
    const v = await request(tx.objectStore(FILES).get(DUMP));
    return v && v.bytes instanceof Uint8Array ? v : null;
  }

  // put stores bytes once the transaction has committed (a reload right
  // after finds them).
  put(bytes) {
    const rec = { bytes, savedAt: Date.now() };
    const done = new Promise((resolve, reject) => {
      let tx;
      try {
        tx = this.db.transaction(FILES, 'readwrite');
        tx.objectStore(FILES).put(rec, DUMP);
      } catch (e) {
        reject(e);
        return;
      }
      tx.oncomplete = () => resolve();
      tx.onabort = tx.onerror = () => reject(tx.error || new Error('the browser refused to store the dump'));
    });
    done.then(() => this.tell(rec), (e) => this.tell({ error: e }));
    return done;
  }

  onSaved(fn) {
    this.listeners.push(fn);
  }

  tell(ev) {
    for (const fn of this.listeners) fn(ev);
  }
}
