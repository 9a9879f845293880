// Node tests for resp.js: redis-cli formatting against golden files
// captured from redis-server 7.0 and redis-cli 7.0 (golden/caseN.resp is
// the raw reply, caseN.cli what redis-cli printed on a terminal), and
// redis-cli's argument splitting. Run: node playground/test/resp_test.mjs
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import * as resp from '../resp.js';

const here = path.dirname(fileURLToPath(import.meta.url));
let failed = 0;
function check(name, fn) {
  try {
    fn();
  } catch (e) {
    failed++;
    console.error(`FAIL ${name}: ${e.message}`);
  }
}

const golden = path.join(here, 'golden');
for (const f of fs.readdirSync(golden).filter((f) => f.endsWith('.resp')).sort()) {
  const base = f.slice(0, -5);
  const cmd = fs.readFileSync(path.join(golden, base + '.cmd'), 'utf8');
  check(`${base} (${cmd})`, () => {
    const bytes = new Uint8Array(fs.readFileSync(path.join(golden, f)));
    const want = fs.readFileSync(path.join(golden, base + '.cli'), 'utf8');
    const { replies, rest } = resp.parseReplies(bytes);
    assert.equal(rest, bytes.length, 'whole reply parsed');
    assert.equal(replies.length, 1);
    const raw = resp.rawOutput(cmd.trim().split(/\s+/));
    assert.equal(raw ? resp.formatReplyRaw(replies[0]) : resp.formatReply(replies[0]), want);
    // every byte of the reply is explained exactly once, in order
    const rows = resp.explainReply(replies[0]);
    let o = 0;
    for (const r of rows) {
      assert.equal(r.start, o, `row "${r.text}" starts where the last ended`);
      o = r.end;
    }
    assert.equal(o, bytes.length);
  });
}

const b = (s) => new TextEncoder().encode(s);
const split = (s) => {
  const a = resp.splitArgs(s);
  return a && a.map((x) => Array.from(x));
};
check('splitArgs', () => {
  assert.deepEqual(split('set k v'), [b('set'), b('k'), b('v')].map((x) => Array.from(x)));
  assert.deepEqual(split('  set "a b"  \'c d\' '), ['set', 'a b', 'c d'].map((x) => Array.from(b(x))));
  assert.deepEqual(split('"\\x00\\xff\\n\\"q"'), [[0, 255, 10, 34, 113]]);
  assert.deepEqual(split("'it\\'s'"), [Array.from(b("it's"))]);
  assert.deepEqual(split('""'), [[]]);
  assert.equal(split('"abc'), null);
  assert.equal(split('"a"b'), null);
  assert.deepEqual(split('a"b c"'), [Array.from(b('ab c'))]);
  assert.deepEqual(split('é'), [[0xc3, 0xa9]]);
});

check('encodeCommand', () => {
  assert.equal(new TextDecoder().decode(resp.encodeCommand([b('GET'), b('k')])), '*2\r\n$3\r\nGET\r\n$1\r\nk\r\n');
});

check('decodeEscapes', () => {
  assert.deepEqual(Array.from(resp.decodeEscapes('*1\\r\\n\\x41\\\\')), [42, 49, 13, 10, 65, 92]);
});

check('explainRequest', () => {
  const rows = resp.explainRequest(b('*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n'));
  assert.deepEqual(rows.map((r) => [r.start, r.end]), [[0, 4], [4, 8], [8, 13], [13, 17], [17, 20], [20, 26]]);
  assert.match(rows[0].text, /Array of 2/);
  assert.match(rows[5].text, /Inline/);
});

check('formatReply RESP3 scalars', () => {
  const f = (s) => resp.formatReply(resp.parseReply(b(s)));
  assert.equal(f('#t\r\n'), '(true)\n');
  assert.equal(f(',inf\r\n'), '(double) inf\n');
  assert.equal(f('_\r\n'), '(nil)\n');
  assert.equal(f('*-1\r\n'), '(nil)\n');
  assert.equal(f('=15\r\ntxt:Some string\r\n'), 'Some string\n');
  assert.equal(f('>3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$2\r\nhi\r\n'), '1) "message"\n2) "c"\n3) "hi"\n');
  assert.equal(f('-ERR x\r\n'), '(error) ERR x\n');
  // ten elements: indexes are right-aligned and nested prefixes grow
  let arr = '*10\r\n';
  for (let i = 0; i < 9; i++) arr += ':1\r\n';
  arr += '*2\r\n:1\r\n:2\r\n';
  assert.equal(f(arr).split('\n').slice(8).join('\n'), ' 9) (integer) 1\n10) 1) (integer) 1\n    2) (integer) 2\n');
});

check('explainRequest points at a protocol error', () => {
  const te = new TextEncoder();
  const bad = resp.explainRequest(te.encode('*1\r\n$x\r\n'));
  const last = bad[bad.length - 1];
  assert.equal(last.start, 4, 'the element starts at the bad header');
  assert.match(last.text, /Protocol error here: .*invalid bulk length/);
  assert.match(resp.explainRequest(te.encode('*x\r\n'))[0].text, /invalid multibulk length/);
});

if (failed) {
  console.error(`${failed} failed`);
  process.exit(1);
}
console.log('ok');
