// Throughput of the wasm build through its JS API (`make bench` runs it
// after `make wasm`): commands per second when a batch of pipelined RESP
// commands goes in one call, and when every command is its own call.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'wasm');
await import(path.join(dir, 'wasm_exec.js'));
const go = new globalThis.Go();
const ready = new Promise((r) => { globalThis.onGoRedisReady = r; });
const { instance } = await WebAssembly.instantiate(fs.readFileSync(path.join(dir, 'goredis.wasm')), go.importObject);
go.run(instance);
await ready;
const g = globalThis.goredis;
const id = g.newSession();
const te = new TextEncoder();

// One call carrying N pipelined commands (SET and GET alternating).
const N = 200000;
let req = '';
for (let i = 0; i < N; i++) {
  const k = 'key:' + (i % 1000);
  req += i % 2 ? `*2\r\n$3\r\nGET\r\n$${k.length}\r\n${k}\r\n` : `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$1\r\nv\r\n`;
}
const bytes = te.encode(req);
await g.exec(id, bytes.subarray(0, 1000)); // warm up
let best = 0;
for (let r = 0; r < 3; r++) {
  const t0 = performance.now();
  const out = await g.exec(id, bytes);
  const s = (performance.now() - t0) / 1000;
  if (out.length === 0) throw new Error('no reply');
  best = Math.max(best, N / s);
}

// One call per command: exec (a Promise each) and call (synchronous).
const M = 20000;
let t1 = performance.now();
for (let i = 0; i < M; i++) await g.exec(id, 'INCR counter');
const single = M / ((performance.now() - t1) / 1000);
const get = te.encode('*2\r\n$3\r\nGET\r\n$7\r\ncounter\r\n');
t1 = performance.now();
for (let i = 0; i < 5 * M; i++) g.call(id, get);
const sync = (5 * M) / ((performance.now() - t1) / 1000);

console.log('| wasm JS API | commands/s | target |');
console.log('|---|---|---|');
console.log(`| pipelined batch (${N} commands per call) | ${Math.round(best)} | ≥ 1,000,000 |`);
console.log(`| one command per exec() call (a Promise each) | ${Math.round(single)} | |`);
console.log(`| one command per call() (synchronous) | ${Math.round(sync)} | ≥ 50,000 |`);
process.exit(0);
