// Streams through two Node clients, ioredis and node-redis: the Go test
// TestNodeClientStreams starts the server and passes its port in GOREDIS_PORT.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import Redis from "ioredis";
import { createClient } from "redis";

const port = Number(process.env.GOREDIS_PORT);
const io = new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 1 });
const ioWorker = new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 1 });
const nr = createClient({ socket: { port, host: "127.0.0.1" } });
const nrWorker = createClient({ socket: { port, host: "127.0.0.1" } });
await nr.connect();
await nrWorker.connect();
// node-redis builds its field maps without a prototype; compare them as plain data.
const same = (actual, expected) => assert.deepEqual(JSON.parse(JSON.stringify(actual)), expected);
after(async () => {
  io.disconnect();
  ioWorker.disconnect();
  await nr.quit();
  await nrWorker.quit();
});

test("ioredis: XADD, XRANGE, XREADGROUP BLOCK served by another connection, XACK, XPENDING, XINFO", async () => {
  await io.del("io:s");
  assert.equal(await io.xadd("io:s", "1-1", "user", "ann", "action", "login"), "1-1");
  assert.equal(await io.xadd("io:s", "1-2", "user", "bob", "action", "buy"), "1-2");
  await assert.rejects(io.xadd("io:s", "1-1", "f", "v"),
    /ERR The ID specified in XADD is equal or smaller than the target stream top item/);
  assert.deepEqual(await io.xrange("io:s", "-", "+"), [
    ["1-1", ["user", "ann", "action", "login"]],
    ["1-2", ["user", "bob", "action", "buy"]],
  ]);
  assert.deepEqual(await io.xrevrange("io:s", "+", "-", "COUNT", 1), [["1-2", ["user", "bob", "action", "buy"]]]);

  assert.equal(await io.xgroup("CREATE", "io:s", "workers", "$"), "OK");
  await assert.rejects(io.xgroup("CREATE", "io:s", "workers", "$"), /BUSYGROUP Consumer Group name already exists/);
  // The worker blocks; the entry added on the other connection wakes it.
  const waiting = ioWorker.xreadgroup("GROUP", "workers", "w1", "COUNT", 10, "BLOCK", 0, "STREAMS", "io:s", ">");
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(await io.xadd("io:s", "2-1", "user", "cy", "action", "login"), "2-1");
  assert.deepEqual(await waiting, [["io:s", [["2-1", ["user", "cy", "action", "login"]]]]]);

  assert.deepEqual(await io.xpending("io:s", "workers"), [1, "2-1", "2-1", [["w1", "1"]]]);
  const [[id, consumer, , deliveries]] = await io.xpending("io:s", "workers", "-", "+", 10);
  assert.deepEqual([id, consumer, deliveries], ["2-1", "w1", 1]);
  assert.equal(await io.xack("io:s", "workers", "2-1"), 1);
  assert.equal(await io.xack("io:s", "workers", "2-1"), 0);
  assert.deepEqual(await io.xpending("io:s", "workers"), [0, null, null, null]);

  const info = await io.xinfo("STREAM", "io:s");
  const field = (k) => info[info.indexOf(k) + 1];
  assert.equal(field("length"), 3);
  assert.equal(field("groups"), 1);
  assert.equal(field("last-generated-id"), "2-1");
  assert.deepEqual(field("first-entry"), ["1-1", ["user", "ann", "action", "login"]]);
  const [group] = await io.xinfo("GROUPS", "io:s");
  assert.deepEqual(group.slice(0, 8), ["name", "workers", "consumers", 1, "pending", 0, "last-delivered-id", "2-1"]);
  const [c] = await io.xinfo("CONSUMERS", "io:s", "workers");
  assert.deepEqual(c.slice(0, 4), ["name", "w1", "pending", 0]);
});

test("node-redis: XADD, XRANGE, XREADGROUP BLOCK served by another connection, XACK, XPENDING, XINFO", async () => {
  await nr.del("nr:s");
  assert.equal(await nr.xAdd("nr:s", "1-1", { user: "ann", action: "login" }), "1-1");
  assert.equal(await nr.xAdd("nr:s", "1-2", { user: "bob", action: "buy" }), "1-2");
  same(await nr.xRange("nr:s", "-", "+", { COUNT: 1 }), [
    { id: "1-1", message: { user: "ann", action: "login" } },
  ]);
  assert.equal(await nr.xGroupCreate("nr:s", "workers", "0"), "OK");
  same(await nr.xReadGroup("workers", "w1", { key: "nr:s", id: ">" }, { COUNT: 1 }), [
    { name: "nr:s", messages: [{ id: "1-1", message: { user: "ann", action: "login" } }] },
  ]);

  // w2 takes 1-2 at once, then blocks until another connection adds 2-1.
  same(await nrWorker.xReadGroup("workers", "w2", { key: "nr:s", id: ">" }, { COUNT: 5, BLOCK: 0 }), [
    { name: "nr:s", messages: [{ id: "1-2", message: { user: "bob", action: "buy" } }] },
  ]);
  const waiting = nrWorker.xReadGroup("workers", "w2", { key: "nr:s", id: ">" }, { COUNT: 5, BLOCK: 0 });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(await nr.xAdd("nr:s", "2-1", { user: "cy", action: "login" }), "2-1");
  same(await waiting, [
    { name: "nr:s", messages: [{ id: "2-1", message: { user: "cy", action: "login" } }] },
  ]);

  same(await nr.xPending("nr:s", "workers"), {
    pending: 3, firstId: "1-1", lastId: "2-1",
    consumers: [{ name: "w1", deliveriesCounter: 1 }, { name: "w2", deliveriesCounter: 2 }],
  });
  assert.equal(await nr.xAck("nr:s", "workers", ["1-1", "1-2"]), 2);
  const claimed = await nr.xAutoClaim("nr:s", "workers", "w1", 0, "0-0");
  same(claimed, { nextId: "0-0", messages: [{ id: "2-1", message: { user: "cy", action: "login" } }] });
  assert.equal(await nr.xAck("nr:s", "workers", "2-1"), 1);

  const info = await nr.xInfoStream("nr:s");
  assert.equal(info.length, 3);
  assert.equal(info.groups, 1);
  assert.equal(info.lastGeneratedId, "2-1");
  same(info.lastEntry, { id: "2-1", message: { user: "cy", action: "login" } });
  same(await nr.xInfoGroups("nr:s"), [{ name: "workers", consumers: 2, pending: 0, lastDeliveredId: "2-1" }]);
  const consumers = await nr.xInfoConsumers("nr:s", "workers");
  same(consumers.map((c) => [c.name, c.pending]), [["w1", 0], ["w2", 0]]);
});
