// ioredis against GoRedis: the Go test TestIORedis starts the server and
// passes its port in GOREDIS_PORT.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import Redis from "ioredis";

const port = Number(process.env.GOREDIS_PORT);
const redis = new Redis({ port, host: "127.0.0.1", lazyConnect: false, maxRetriesPerRequest: 1 });
after(() => redis.disconnect());

test("strings", async () => {
  assert.equal(await redis.set("io:a", "1"), "OK");
  assert.equal(await redis.get("io:a"), "1");
  assert.equal(await redis.incr("io:a"), 2);
  assert.equal(await redis.get("io:missing"), null);
});

test("pipeline keeps order", async () => {
  const res = await redis.pipeline().set("io:p", "x").get("io:p").del("io:p").exec();
  assert.deepEqual(res, [[null, "OK"], [null, "x"], [null, 1]]);
});

test("errors are rejected with Redis's words", async () => {
  await redis.set("io:s", "text");
  await assert.rejects(redis.incr("io:s"), /ERR value is not an integer or out of range/);
});

test("transaction", async () => {
  const res = await redis.multi().set("io:t", "1").incr("io:t").exec();
  assert.deepEqual(res, [[null, "OK"], [null, 2]]);
});

test("hash and list", async () => {
  await redis.del("io:h", "io:l");
  await redis.hset("io:h", { a: "1", b: "2" });
  assert.deepEqual(await redis.hgetall("io:h"), { a: "1", b: "2" });
  await redis.rpush("io:l", "x", "y");
  assert.deepEqual(await redis.lrange("io:l", 0, -1), ["x", "y"]);
});

test("pub/sub", async () => {
  const sub = new Redis({ port, host: "127.0.0.1" });
  try {
    const got = new Promise((resolve) => sub.on("message", (ch, msg) => resolve([ch, msg])));
    await sub.subscribe("io:news");
    assert.equal(await redis.publish("io:news", "hi"), 1);
    assert.deepEqual(await got, ["io:news", "hi"]);
  } finally {
    sub.disconnect();
  }
});
