// Node tests for share.js: a keyspace survives a share link, and damaged,
// oversized or hostile links are refused whole with a clear message.
// Run: node playground/test/share_test.mjs
import assert from 'node:assert/strict';
import * as share from '../share.js';

const enc = new TextEncoder();
const b = (s) => enc.encode(s);
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
  } catch (e) {
    failed++;
    console.error(`FAIL ${name}: ${e.stack}`);
  }
}

// fragment packs raw command text the way encode does, so tests can build
// links encode would never write.
async function fragment(textOrBytes) {
  const bytes = typeof textOrBytes === 'string' ? b(textOrBytes) : textOrBytes;
  const s = new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  const packed = new Uint8Array(await new Response(s).arrayBuffer());
  return share.SHARE_PREFIX + Buffer.from(packed).toString('base64url');
}

async function refused(frag, words) {
  await assert.rejects(share.decode(frag), (e) => {
    assert.ok(e instanceof share.ShareError, `a ShareError, got ${e}`);
    assert.match(e.message, words);
    return true;
  });
}

await check('round trip of every type, binary and quoted values', async () => {
  const entries = [
    { key: 'greeting', type: 'string', value: b('hello world'), pttl: -1 },
    { key: 'bin', type: 'string', value: Uint8Array.of(0, 255, 10, 34, 92), pttl: 5000 },
    { key: 'queue', type: 'list', value: [b('a'), b('b c')], pttl: -1 },
    { key: 'user:1', type: 'hash', value: [[b('name'), b('Ada')], [b('age'), b('36')]], pttl: -1 },
    { key: 'tags', type: 'set', value: [b('x'), b("it's")], pttl: -1 },
    { key: 'board', type: 'zset', value: [[b('ada'), '1.5'], [b('linus'), '-inf']], pttl: -1 },
  ];
  const cmds = share.commandsFor(entries);
  const frag = await share.encode(cmds);
  assert.ok(frag.startsWith('#share='));
  const { lines, cmds: back } = await share.decode(frag);
  assert.equal(lines[0], 'SET greeting "hello world"');
  assert.equal(lines[2], 'PEXPIRE bin 5000');
  assert.deepEqual(back.map((a) => a.map((x) => Array.from(x))), cmds.map((a) => a.map((x) => Array.from(typeof x === 'string' ? b(x) : x))));
});

await check('a stream with groups, consumers and pending entries', async () => {
  const stream = {
    entries: [['1-1', [b('temp'), b('20')]], ['5-0', [b('temp'), b('21'), b('unit'), b('C')]]],
    lastId: '9-0', maxDeletedId: '3-0', entriesAdded: '4',
    groups: [
      { name: b('g1'), lastDelivered: '5-0', entriesRead: '4', consumers: [b('alice'), b('bob')],
        pending: [['1-1', b('alice'), '5000', '2'], ['2-0', b('bob'), '10', '1']] },
      { name: b('g2'), lastDelivered: '0-0', entriesRead: null, consumers: [], pending: [] },
    ],
  };
  const cmds = share.commandsFor([{ key: 'temps', type: 'stream', value: stream, pttl: -1 }]);
  const { lines } = await share.decode(await share.encode(cmds));
  assert.deepEqual(lines, [
    'XADD temps 1-1 temp 20',
    'XADD temps 5-0 temp 21 unit C',
    'XSETID temps 9-0 ENTRIESADDED 4 MAXDELETEDID 3-0',
    'XGROUP CREATE temps g1 5-0 ENTRIESREAD 4',
    'XGROUP CREATECONSUMER temps g1 alice',
    'XGROUP CREATECONSUMER temps g1 bob',
    // 2-0 was deleted from the stream: its pending entry cannot be rebuilt
    'XCLAIM temps g1 alice 0 1-1 IDLE 5000 RETRYCOUNT 2 FORCE JUSTID',
    'XGROUP CREATE temps g2 0-0',
  ]);
  const empty = share.commandsFor([{ key: 'e', type: 'stream', value: { entries: [], lastId: '0-0', maxDeletedId: '0-0', entriesAdded: '0', groups: [] }, pttl: -1 }]);
  assert.deepEqual((await share.decode(await share.encode(empty))).lines, ['XADD e MAXLEN 0 0-1 x x', 'XSETID e 0-0 ENTRIESADDED 0 MAXDELETEDID 0-0']);
});

await check('a keyspace too big for a link says so', async () => {
  const big = [];
  for (let i = 0; i < 3000; i++) big.push({ key: `k${i}`, type: 'string', value: b(Math.random().toString(36).repeat(3)), pttl: -1 });
  await assert.rejects(share.encode(share.commandsFor(big)), /too much to share: the link would be \d+ characters, the limit is/);
});

await check('damaged links', async () => {
  await refused('#share=!!!', /damaged: it holds characters/);
  await refused('#share=AAAA', /damaged: its data does not inflate/);
  await refused('#share=' + 'A'.repeat(share.MAX_LINK), /too long/);
  await refused(await fragment('SET "unbalanced v'), /line 1 is not a command/);
  await refused(await fragment(Uint8Array.of(83, 69, 84, 32, 0, 32, 1)), /not plain text/);
});

await check('hostile links are refused whole', async () => {
  await refused(await fragment('SET a 1\nFLUSHALL'), /line 2 runs FLUSHALL/);
  await refused(await fragment('CONFIG SET maxmemory 1'), /runs CONFIG/);
  await refused(await fragment('BLPOP q 0'), /runs BLPOP/);
  await refused(await fragment('SET a 1 GET'), /line 1 \(SET\) has the wrong arguments/);
  await refused(await fragment('ZADD z nope m'), /ZADD\) has the wrong arguments/);
  await refused(await fragment('PEXPIRE a -5'), /PEXPIRE\) has the wrong arguments/);
  await refused(await fragment('XADD s * f v'), /XADD\) has the wrong arguments/);
  await refused(await fragment('XADD s MAXLEN 5 1-1 f v'), /XADD\) has the wrong arguments/);
  await refused(await fragment('XGROUP DESTROY s g'), /XGROUP\) has the wrong arguments/);
  await refused(await fragment('XGROUP CREATE s g $ MKSTREAM'), /XGROUP\) has the wrong arguments/);
  await refused(await fragment('XCLAIM s g c 0 1-1'), /XCLAIM\) has the wrong arguments/);
  await refused(await fragment('XREADGROUP GROUP g c STREAMS s >'), /runs XREADGROUP/);
  await refused(await fragment('SET a 1\n'.repeat(share.MAX_COMMANDS + 1)), /at most \d+ are run/);
  // a deflate bomb: small link, huge text
  await refused(await fragment('SET a ' + 'x'.repeat(share.MAX_TEXT * 4)), /inflates past/);
});

if (failed) {
  console.error(`${failed} failed`);
  process.exit(1);
}
console.log('ok');
