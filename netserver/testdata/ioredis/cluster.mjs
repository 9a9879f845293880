// Run by cmd/goredis's TestClusterNodeClients against a running cluster:
// ioredis's Cluster and node-redis's createCluster write keys (each
// client its own) until the file GOREDIS_STOP_FILE appears (the Go test
// reshards meanwhile), then every acknowledged write is read back through
// both clients. Exits non-zero on any mismatch.
import fs from 'node:fs';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { createCluster } from 'redis';

const ports = process.env.GOREDIS_CLUSTER_PORTS.split(',').map(Number);
const stopFile = process.env.GOREDIS_STOP_FILE;

const io = new Redis.Cluster(ports.map((port) => ({ host: '127.0.0.1', port })), {
  maxRedirections: 64,
  retryDelayOnMoved: 10,
  retryDelayOnTryAgain: 50,
});
const nr = createCluster({
  rootNodes: ports.map((port) => ({ url: `redis://127.0.0.1:${port}` })),
  maxCommandRedirections: 64,
});
nr.on('error', () => {});
await nr.connect();

async function load(name, set) {
  const acked = [];
  let errors = 0;
  for (let i = 0; !fs.existsSync(stopFile); i++) {
    try {
      await set(`${name}:${i}`, String(i));
      acked.push(i);
    } catch (e) {
      // not acknowledged: may or may not be there
      errors++;
    }
  }
  return { acked, errors };
}

const [ioRun, nrRun] = await Promise.all([
  load('io', (k, v) => io.set(k, v)),
  load('nr', (k, v) => nr.set(k, v)),
]);
assert.ok(ioRun.acked.length > 0, 'ioredis got acknowledgements');
assert.ok(nrRun.acked.length > 0, 'node-redis got acknowledgements');
for (const [name, run] of [['io', ioRun], ['nr', nrRun]]) {
  for (const i of run.acked) {
    assert.equal(await io.get(`${name}:${i}`), String(i), `ioredis reads ${name}:${i}`);
    assert.equal(await nr.get(`${name}:${i}`), String(i), `node-redis reads ${name}:${i}`);
  }
}
// Hash tags and a multi-key command in one slot, through both.
await io.mset('{user1}:a', '1', '{user1}:b', '2');
assert.deepEqual(await nr.mGet(['{user1}:a', '{user1}:b']), ['1', '2']);
console.log(`ioredis ${ioRun.acked.length} acked (${ioRun.errors} errors), node-redis ${nrRun.acked.length} acked (${nrRun.errors} errors)`);
await io.quit();
await nr.quit();
