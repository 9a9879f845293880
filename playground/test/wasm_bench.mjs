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
const { withDirectCalls } = await import(path.join(dir, '..', 'goredis_api.js'));
const raw = globalThis.goredis;
const g = withDirectCalls(raw, instance);
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

// One call per command: exec (a Promise each) and call (synchronous),
// through the direct exports and, for comparison, the Go functions alone.
const M = 20000;
async function perExec(api) {
  const t = performance.now();
  for (let i = 0; i < M; i++) await api.exec(id, 'INCR counter');
  return M / ((performance.now() - t) / 1000);
}
function perCall(api, m) {
  const get = te.encode('*2\r\n$3\r\nGET\r\n$7\r\ncounter\r\n');
  const t = performance.now();
  for (let i = 0; i < m; i++) api.call(id, get);
  return m / ((performance.now() - t) / 1000);
}
const execDirect = await perExec(g);
const execRaw = await perExec(raw);
const callDirect = Math.max(perCall(g, 10 * M), perCall(g, 10 * M));
const callRaw = perCall(raw, 2 * M);

const fmt = (x) => Math.round(x).toLocaleString('en-US');
console.log('| wasm JS API | commands/s | target |');
console.log('|---|--:|---|');
console.log(`| pipelined batch (${N} SET/GET per exec call) | ${fmt(best)} | ≥ 1,000,000 |`);
console.log(`| one command per call() (synchronous, direct export) | ${fmt(callDirect)} | ≥ 50,000 |`);
console.log(`| one command per exec() (a Promise each, direct export) | ${fmt(execDirect)} | |`);
console.log(`| one command per call() through js.FuncOf only | ${fmt(callRaw)} | |`);
console.log(`| one command per exec() through js.FuncOf only | ${fmt(execRaw)} | |`);
process.exit(0);
