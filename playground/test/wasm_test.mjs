// Node test of the wasm build's JS API (wasm/main.go), on the files
// `make wasm` writes to playground/wasm/, both as the goredis global and
// through withDirectCalls (playground/goredis_api.js). Run: node playground/test/wasm_test.mjs
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'wasm');
await import(path.join(dir, 'wasm_exec.js'));
const go = new globalThis.Go();
const ready = new Promise((r) => { globalThis.onGoRedisReady = r; });
const { instance } = await WebAssembly.instantiate(fs.readFileSync(path.join(dir, 'goredis.wasm')), go.importObject);
go.run(instance);
await ready;
const { withDirectCalls } = await import(path.join(dir, '..', 'goredis_api.js'));
const te = new TextEncoder();
const str = (b) => new TextDecoder().decode(b);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
  } catch (e) {
    failed++;
    console.error(`FAIL ${name}: ${e.stack}`);
  }
}

// suite runs every check on one form of the API: the goredis global as Go
// defines it, and the same wrapped by withDirectCalls (direct exports).
async function suite(g, label) {
  const has = (name) => g.commands().some((c) => c.name === name);
  await check(label + 'version and commands', () => {
    assert.deepEqual(g.version(), { goredis: g.version().goredis, redis: '7.0.15' });
    const set = g.commands().find((c) => c.name === 'SET');
    assert.equal(set.arity, -3);
    assert.equal(set.group, 'string');
    assert.match(set.params, /^key value \[NX\|XX\]/);
  });

  const a = g.newSession();
  const b = g.newSession();

  await check(label + 'exec a line and raw bytes', async () => {
    assert.equal(str(await g.exec(a, 'SET k "a b"')), '+OK\r\n');
    assert.equal(str(await g.exec(a, te.encode('*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n'))), '$3\r\na b\r\n+PONG\r\n');
    assert.equal(str(await g.exec(b, 'GET k')), '$3\r\na b\r\n', 'sessions share the keyspace');
  });

  await check(label + 'call runs at once, and returns a Promise when it blocks', async () => {
    assert.equal(str(g.call(a, 'SET c 1')), '+OK\r\n');
    assert.equal(str(g.call(a, te.encode('*2\r\n$4\r\nINCR\r\n$1\r\nc\r\nGET c\r\n'))), ':2\r\n$1\r\n2\r\n');
    if (!has('BLPOP')) return;
    const p = g.call(a, 'BLPOP callq 5');
    assert.ok(p instanceof Promise, 'a blocked call is a Promise');
    assert.equal(str(g.call(b, 'RPUSH callq x')), ':1\r\n');
    assert.equal(str(await p), '*2\r\n$5\r\ncallq\r\n$1\r\nx\r\n');
  });

  await check(label + 'a command split over two calls', async () => {
    assert.equal(str(await g.exec(a, te.encode('*1\r\n$4\r\nPI'))), '');
    assert.equal(str(await g.exec(a, te.encode('NG\r\n'))), '+PONG\r\n');
  });

  await check(label + 'batch', async () => {
    await g.exec(a, 'DEL n');
    const r = await g.batch(a, ['DEL n', 'SET n 1', 'GET n', 'NOSUCH x']);
    assert.deepEqual(r.map(str), [':0\r\n', '+OK\r\n', '$1\r\n1\r\n', "-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n"]);
  });

  await check(label + 'calls keep their order', async () => {
    const ps = [];
    for (let i = 0; i < 50; i++) ps.push(g.exec(a, `SET o ${i}`));
    ps.push(g.exec(a, 'GET o'));
    const r = await Promise.all(ps);
    assert.equal(str(r[50]), '$2\r\n49\r\n');
  });

  await check(label + 'protocol error', async () => {
    assert.equal(str(await g.exec(a, te.encode('*x\r\n'))), '-ERR Protocol error: invalid multibulk length\r\n');
    assert.equal(str(await g.exec(a, 'PING')), '+PONG\r\n');
  });

  await check(label + 'RESP3 per session', async () => {
    const c = g.newSession();
    assert.match(str(await g.exec(c, 'HELLO 3')), /^%7\r\n/);
    assert.equal(str(await g.exec(c, 'GET nokey')), '_\r\n');
    assert.equal(str(await g.exec(a, 'GET nokey')), '$-1\r\n');
    g.closeSession(c);
  });

  await check(label + 'active expiry runs on its own', async () => {
    const c = g.newSession();
    await g.exec(c, 'SELECT 9');
    await g.exec(c, 'SET e 1 PX 20');
    assert.equal(str(await g.exec(c, 'DBSIZE')), ':1\r\n');
    // The cycle runs every 100 ms; a loaded machine may delay it.
    let n = '';
    for (let i = 0; i < 100 && n !== ':0\r\n'; i++) {
      await sleep(100);
      n = str(await g.exec(c, 'DBSIZE'));
    }
    assert.equal(n, ':0\r\n');
    g.closeSession(c);
  });

  await check(label + 'blocking commands resolve later', async () => {
    if (!has('BLPOP')) {
      console.log('skip: BLPOP not in this build');
      return;
    }
    let done = false;
    const p = g.exec(b, 'BLPOP q 0').then((r) => { done = true; return r; });
    await sleep(50);
    assert.equal(done, false, 'BLPOP waits');
    assert.equal(str(await g.exec(a, 'LPUSH q hello')), ':1\r\n');
    assert.equal(str(await p), '*2\r\n$1\r\nq\r\n$5\r\nhello\r\n');
    const t0 = Date.now();
    assert.equal(str(await g.exec(b, 'BLPOP q 0.2')), '*-1\r\n');
    assert.ok(Date.now() - t0 >= 150, 'timeout honoured');
  });

  await check(label + 'pushes go to onPush', async () => {
    if (!has('SUBSCRIBE') || !has('PUBLISH')) {
      console.log('skip: SUBSCRIBE/PUBLISH not in this build');
      return;
    }
    const got = [];
    const c = g.newSession((bytes) => got.push(str(bytes)));
    assert.equal(str(await g.exec(c, 'SUBSCRIBE ch')), '*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n');
    assert.equal(str(await g.exec(a, 'PUBLISH ch hi')), ':1\r\n');
    await sleep(20);
    assert.deepEqual(got, ['*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n']);
    g.closeSession(c);
  });

  await check(label + 'closing a session', async () => {
    const c = g.newSession();
    let pending = null;
    if (has('BLPOP')) pending = g.exec(c, 'BLPOP never 0');
    await sleep(10);
    assert.equal(g.closeSession(c), true);
    if (pending) await assert.rejects(pending, /session closed/);
    await assert.rejects(g.exec(c, 'PING'), /no such session/);
    assert.equal(g.closeSession(c), false);
  });

  await check(label + 'QUIT ends the session', async () => {
    const c = g.newSession();
    assert.equal(str(await g.exec(c, 'QUIT')), '+OK\r\n');
    await sleep(10);
    await assert.rejects(g.exec(c, 'PING'), /no such session/);
  });

  await check(label + 'bad arguments reject', async () => {
    await assert.rejects(g.exec('x', 'PING'), /session id must be a number/);
    await assert.rejects(g.exec(a, 42), /input must be/);
  });
}

await suite(globalThis.goredis, '');
const d = withDirectCalls(globalThis.goredis, instance);
await suite(d, 'direct: ');

await check('each session has an address of its own', async () => {
  const s1 = d.newSession();
  const s2 = d.newSession();
  const addr = (s) => /addr=(\S+)/.exec(str(d.call(s, 'CLIENT INFO')))[1];
  const a1 = addr(s1);
  const a2 = addr(s2);
  assert.match(a1, /^127\.0\.0\.1:\d+$/);
  assert.notEqual(a1, a2);
  assert.equal(str(d.call(s1, `CLIENT KILL ${a2}`)), '+OK\r\n');
  await sleep(10);
  assert.ok(d.call(s2, 'PING') instanceof Error, 'the killed session is gone');
  assert.equal(str(d.call(s1, 'PING')), '+PONG\r\n');
  d.closeSession(s1);
});

// What only the direct path has to get right.
await check('direct: answers in the caller\'s turn, with no Promise', () => {
  const s = d.newSession();
  assert.equal(str(d.call(s, 'SET "uni ☃" "x y"')), '+OK\r\n');
  assert.equal(str(d.call(s, 'GET "uni ☃"\r\n')), '$3\r\nx y\r\n', 'a line may end in CR LF already');
  assert.equal(str(d.call(s, te.encode('*1\r\n$4\r\nPING\r\n'))), '+PONG\r\n');
  assert.equal(str(d.call(s, '')), '', 'an empty line is no command');
  d.closeSession(s);
});

await check('direct: a big reply, then small ones', () => {
  const s = d.newSession();
  const big = 'v'.repeat(3 << 20);
  assert.equal(str(d.call(s, te.encode(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${big.length}\r\n${big}\r\n`))), '+OK\r\n');
  const r = d.call(s, 'GET big');
  assert.equal(r.length, big.length + 12);
  assert.equal(str(r.subarray(0, 10)), '$3145728\r\n');
  assert.equal(str(d.call(s, 'STRLEN big')), ':3145728\r\n');
  d.call(s, 'DEL big');
  d.closeSession(s);
});

await check('direct: a blocked call, then calls queue behind it', async () => {
  const s = d.newSession();
  const o = d.newSession();
  const p = d.call(s, 'BLPOP dq 0');
  assert.ok(p instanceof Promise);
  const later = d.call(s, 'PING');
  assert.ok(later instanceof Promise, 'a call behind a blocked one waits its turn');
  assert.equal(str(d.call(o, 'RPUSH dq a')), ':1\r\n');
  assert.equal(str(await p), '*2\r\n$2\r\ndq\r\n$1\r\na\r\n');
  assert.equal(str(await later), '+PONG\r\n');
  assert.equal(str(d.call(s, 'PING')), '+PONG\r\n', 'idle again: answered at once');
  d.closeSession(s);
  d.closeSession(o);
});

await check('direct: a blocked session is woken without the page yielding to timers', async () => {
  const s = d.newSession();
  const o = d.newSession();
  let got = null;
  d.exec(s, 'BLPOP wq 0').then((r) => { got = str(r); });
  await null;
  d.call(o, 'LPUSH wq z');
  // Only microtasks in between: the poke must have run the waiting session.
  for (let i = 0; i < 20 && got === null; i++) await null;
  assert.equal(got, '*2\r\n$2\r\nwq\r\n$1\r\nz\r\n');
  d.closeSession(s);
  d.closeSession(o);
});

await check('direct: a push waiting for the page goes to onPush before the next reply', async () => {
  const got = [];
  const sub = d.newSession((bytes) => got.push(str(bytes)));
  const pub = d.newSession();
  assert.equal(str(d.call(sub, 'SUBSCRIBE dch')), '*3\r\n$9\r\nsubscribe\r\n$3\r\ndch\r\n:1\r\n');
  assert.equal(str(d.call(pub, 'PUBLISH dch m1')), ':1\r\n');
  // Before Go ran sub's worker, the message waits in sub's output.
  assert.equal(str(d.call(sub, 'PING')), '*2\r\n$4\r\npong\r\n$0\r\n\r\n');
  assert.deepEqual(got, ['*3\r\n$7\r\nmessage\r\n$3\r\ndch\r\n$2\r\nm1\r\n']);
  d.closeSession(sub);
  d.closeSession(pub);
});

await check('direct: QUIT and closed sessions', async () => {
  const s = d.newSession();
  assert.equal(str(d.call(s, 'QUIT')), '+OK\r\n');
  assert.ok(d.call(s, 'PING') instanceof Error, 'no such session');
  await assert.rejects(d.exec(s, 'PING'), /no such session/);
});

// The browser's persistence (wasm/persist.go): dump.rdb out and in, and
// SAVE/BGSAVE/save points through the page's storage function.
await check('dumpRDB and loadRDB: a round trip, and bad files change nothing', async () => {
  const s = d.newSession();
  d.call(s, 'FLUSHALL');
  d.call(s, 'RPUSH l a b c');
  d.call(s, 'HSET h f v');
  d.call(s, 'SET n 42 PX 100000');
  d.call(s, 'SELECT 3');
  d.call(s, 'ZADD z 1.5 m');
  const img = d.dumpRDB();
  assert.equal(str(img.subarray(0, 9)), 'REDIS0010', 'an RDB version 10 file, as Redis 7.0 writes');
  d.call(s, 'FLUSHALL');
  const r = d.loadRDB(img);
  assert.deepEqual({ keys: r.keys, expired: r.expired, version: r.version, redisVersion: r.redisVersion }, { keys: 4, expired: 0, version: 10, redisVersion: '7.0.15' });
  assert.equal(str(d.call(s, 'ZSCORE z m')), '$3\r\n1.5\r\n');
  d.call(s, 'SELECT 0');
  assert.equal(str(d.call(s, 'LRANGE l 0 -1')), '*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n');
  const pttl = Number(str(d.call(s, 'PTTL n')).slice(1));
  assert.ok(pttl > 50000 && pttl <= 100000, `the deadline came back (PTTL ${pttl})`);
  // Bad files: Redis's words, and the keyspace untouched.
  const bad = [
    [te.encode('hello world, not a dump'), /Wrong signature trying to load DB from file/],
    [te.encode('REDIS0011\xff'), /Can't handle RDB format version 11/],
    [img.subarray(0, img.length - 20), /Unexpected EOF reading RDB file|Bad/],
  ];
  const flipped = img.slice();
  flipped[flipped.length - 3] ^= 0xff;
  bad.push([flipped, /checksum|Wrong RDB checksum/i]);
  for (const [b, want] of bad) {
    const e = d.loadRDB(b);
    assert.ok(e instanceof Error, `refused: ${want}`);
    assert.match(e.message, want);
    assert.equal(str(d.call(s, 'DBSIZE')), ':3\r\n', 'nothing changed');
  }
  d.call(s, 'FLUSHALL');
  d.closeSession(s);
});

await check('persistTo: SAVE, BGSAVE and save points store through the page', async () => {
  const s = d.newSession();
  const saved = [];
  let fail = false;
  // No save points first, so that none starts a save of its own meanwhile.
  d.persistTo((bytes) => {
    saved.push(bytes);
    return fail ? Promise.reject(new Error('QuotaExceededError')) : Promise.resolve();
  }, '');
  assert.equal(str(d.call(s, 'CONFIG GET save')), '*2\r\n$4\r\nsave\r\n$0\r\n\r\n');
  assert.equal(str(d.call(s, 'BGREWRITEAOF')), '-ERR GoRedis has no append-only file here: it saves RDB snapshots only (SAVE, BGSAVE)\r\n');
  d.call(s, 'SET a 1');
  assert.equal(str(d.call(s, 'SAVE')), '+OK\r\n');
  assert.equal(saved.length, 1);
  assert.equal(str(saved[0].subarray(0, 5)), 'REDIS');
  assert.equal(d.flush(), false, 'nothing changed since the save');
  d.call(s, 'SET b 2');
  assert.equal(d.flush(), true);
  assert.equal(saved.length, 2);
  assert.equal(str(d.call(s, 'BGSAVE')), '+Background saving started\r\n');
  const status = async (want) => {
    for (let i = 0; i < 200; i++) {
      const info = str(await d.exec(s, 'INFO persistence'));
      if (info.includes('rdb_bgsave_in_progress:0') && info.includes(want)) return info;
      await sleep(5);
    }
    assert.fail(`INFO persistence never said ${want}`);
  };
  await status('rdb_last_bgsave_status:ok');
  assert.equal(saved.length, 3);
  // A save point (1 change in 1 second) saves on its own within ~2 s.
  const before = saved.length;
  assert.equal(str(d.call(s, 'CONFIG SET save "1 1"')), '+OK\r\n');
  d.call(s, 'SET e 5');
  for (let i = 0; i < 400 && saved.length === before; i++) await sleep(10);
  assert.ok(saved.length > before, 'the save point saved');
  await status('rdb_last_bgsave_status:ok');
  // The page's storage fails: the save fails as a full disk would, and
  // writes get MISCONF until a save succeeds.
  fail = true;
  d.call(s, 'SET c 3');
  // (the save point may have started one already)
  assert.match(str(d.call(s, 'BGSAVE')), /^(\+Background saving started|-ERR Background save already in progress)\r\n$/);
  await status('rdb_last_bgsave_status:err');
  assert.match(str(d.call(s, 'SET d 4')), /^-MISCONF /);
  fail = false;
  assert.equal(str(d.call(s, 'SAVE')), '+OK\r\n');
  assert.equal(str(d.call(s, 'SET d 4')), '+OK\r\n');
  // FLUSHALL saves the empty keyspace at once, as Redis does with save
  // points (one that does not come round during the test).
  d.call(s, 'CONFIG SET save "3600 1"');
  await status('rdb_bgsave_in_progress:0');
  const n = saved.length;
  d.call(s, 'FLUSHALL');
  assert.equal(saved.length, n + 1);
  d.call(s, 'CONFIG SET save ""');
  d.closeSession(s);
});

if (failed) {
  console.error(`${failed} failed`);
  process.exit(1);
}
console.log('ok');
process.exit(0);
