// ioredis over TLS against GoRedis: the Go test TestIORedisTLS starts the
// server with certificates it made and passes the TLS port and the files.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import Redis from "ioredis";

const env = process.env;
const tls = {
  ca: readFileSync(env.GOREDIS_TLS_CA),
  cert: readFileSync(env.GOREDIS_TLS_CERT),
  key: readFileSync(env.GOREDIS_TLS_KEY),
  servername: "localhost",
};
const port = Number(env.GOREDIS_TLS_PORT);
const redis = new Redis({ port, host: "127.0.0.1", tls, maxRetriesPerRequest: 1 });
after(() => redis.disconnect());

test("commands over TLS", async () => {
  assert.equal(await redis.set("tls:a", "1"), "OK");
  assert.equal(await redis.incr("tls:a"), 2);
  const big = "x".repeat(1 << 20);
  assert.equal(await redis.set("tls:big", big), "OK");
  assert.equal(await redis.get("tls:big"), big);
});

test("pipeline over TLS keeps order", async () => {
  const p = redis.pipeline();
  for (let i = 0; i < 500; i++) p.incr("tls:n");
  const res = await p.exec();
  assert.deepEqual(res.at(-1), [null, 500]);
});

test("pub/sub over TLS", async () => {
  const sub = new Redis({ port, host: "127.0.0.1", tls });
  try {
    await sub.subscribe("tls:news");
    const got = new Promise((resolve) => sub.on("message", (ch, msg) => resolve([ch, msg])));
    assert.equal(await redis.publish("tls:news", "hi"), 1);
    assert.deepEqual(await got, ["tls:news", "hi"]);
  } finally {
    sub.disconnect();
  }
});

test("a client without a certificate is refused", async () => {
  const bare = new Redis({
    port, host: "127.0.0.1", tls: { ca: tls.ca, servername: "localhost" },
    maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true,
  });
  bare.on("error", () => {});
  await assert.rejects(bare.connect().then(() => bare.ping()));
  bare.disconnect();
});
