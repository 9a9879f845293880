// Node test of the wasm build's JS API (wasm/main.go), on the files
// `make wasm` writes to playground/wasm/. Run: node playground/test/wasm_test.mjs
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
const g = globalThis.goredis;
const te = new TextEncoder();
const str = (b) => new TextDecoder().decode(b);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const has = (name) => g.commands().some((c) => c.name === name);

let failed = 0;
async function check(name, fn) {
  try {
    await fn();
  } catch (e) {
    failed++;
    console.error(`FAIL ${name}: ${e.stack}`);
  }
}

await check('version and commands', () => {
  assert.deepEqual(g.version(), { goredis: g.version().goredis, redis: '7.0.15' });
  const set = g.commands().find((c) => c.name === 'SET');
  assert.equal(set.arity, -3);
  assert.equal(set.group, 'string');
  assert.match(set.params, /^key value \[NX\|XX\]/);
});

const a = g.newSession();
const b = g.newSession();

await check('exec a line and raw bytes', async () => {
  assert.equal(str(await g.exec(a, 'SET k "a b"')), '+OK\r\n');
  assert.equal(str(await g.exec(a, te.encode('*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n'))), '$3\r\na b\r\n+PONG\r\n');
  assert.equal(str(await g.exec(b, 'GET k')), '$3\r\na b\r\n', 'sessions share the keyspace');
});

await check('call runs at once, and returns a Promise when it blocks', async () => {
  assert.equal(str(g.call(a, 'SET c 1')), '+OK\r\n');
  assert.equal(str(g.call(a, te.encode('*2\r\n$4\r\nINCR\r\n$1\r\nc\r\nGET c\r\n'))), ':2\r\n$1\r\n2\r\n');
  if (!has('BLPOP')) return;
  const p = g.call(a, 'BLPOP callq 5');
  assert.ok(p instanceof Promise, 'a blocked call is a Promise');
  assert.equal(str(g.call(b, 'RPUSH callq x')), ':1\r\n');
  assert.equal(str(await p), '*2\r\n$5\r\ncallq\r\n$1\r\nx\r\n');
});

await check('a command split over two calls', async () => {
  assert.equal(str(await g.exec(a, te.encode('*1\r\n$4\r\nPI'))), '');
  assert.equal(str(await g.exec(a, te.encode('NG\r\n'))), '+PONG\r\n');
});

await check('batch', async () => {
  const r = await g.batch(a, ['DEL n', 'SET n 1', 'GET n', 'NOSUCH x']);
  assert.deepEqual(r.map(str), [':0\r\n', '+OK\r\n', '$1\r\n1\r\n', "-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n"]);
});

await check('calls keep their order', async () => {
  const ps = [];
  for (let i = 0; i < 50; i++) ps.push(g.exec(a, `SET o ${i}`));
  ps.push(g.exec(a, 'GET o'));
  const r = await Promise.all(ps);
  assert.equal(str(r[50]), '$2\r\n49\r\n');
});

await check('protocol error', async () => {
  assert.equal(str(await g.exec(a, te.encode('*x\r\n'))), '-ERR Protocol error: invalid multibulk length\r\n');
  assert.equal(str(await g.exec(a, 'PING')), '+PONG\r\n');
});

await check('RESP3 per session', async () => {
  const c = g.newSession();
  assert.match(str(await g.exec(c, 'HELLO 3')), /^%7\r\n/);
  assert.equal(str(await g.exec(c, 'GET nokey')), '_\r\n');
  assert.equal(str(await g.exec(a, 'GET nokey')), '$-1\r\n');
  g.closeSession(c);
});

await check('active expiry runs on its own', async () => {
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

await check('blocking commands resolve later', async () => {
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

await check('pushes go to onPush', async () => {
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

await check('closing a session', async () => {
  const c = g.newSession();
  let pending = null;
  if (has('BLPOP')) pending = g.exec(c, 'BLPOP never 0');
  await sleep(10);
  assert.equal(g.closeSession(c), true);
  if (pending) await assert.rejects(pending, /session closed/);
  await assert.rejects(g.exec(c, 'PING'), /no such session/);
  assert.equal(g.closeSession(c), false);
});

await check('QUIT ends the session', async () => {
  const c = g.newSession();
  assert.equal(str(await g.exec(c, 'QUIT')), '+OK\r\n');
  await sleep(10);
  await assert.rejects(g.exec(c, 'PING'), /no such session/);
});

await check('bad arguments reject', async () => {
  await assert.rejects(g.exec('x', 'PING'), /session id must be a number/);
  await assert.rejects(g.exec(a, 42), /input must be/);
});

if (failed) {
  console.error(`${failed} failed`);
  process.exit(1);
}
console.log('ok');
process.exit(0);
