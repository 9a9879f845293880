// Share links: a keyspace written as the commands that rebuild it, in
// redis-cli's syntax, deflated and base64url-encoded in the URL fragment
// (#share=...). The fragment never reaches a server, and the page opened
// from it (anywhere, offline too) runs the commands in its in-page engine.
//
// Both directions are bounded. A link is checked whole before anything
// runs: too long, not base64url, not deflate, inflating past MAX_TEXT, a
// line redis-cli could not split, or any command outside the few that
// build values (with their argument shapes checked) refuses the link with
// a ShareError and runs nothing. Pure functions: tested under Node
// (playground/test/share_test.mjs).
import { splitArgs, commandLine, text } from './resp.js';

export const SHARE_PREFIX = '#share=';
// MAX_LINK bounds the fragment: links stay pasteable into chats and mail,
// and every browser keeps URLs of this length.
export const MAX_LINK = 16000;
// MAX_TEXT bounds the command text a link inflates to (a deflate bomb
// stops here), MAX_COMMANDS the commands it may run.
export const MAX_TEXT = 512 * 1024;
export const MAX_COMMANDS = 5000;

export class ShareError extends Error {}

// shapes lists the commands a link may hold: only those that build a
// value, each with the argument count it must have (argc: exact, or
// min/pairs after the key), so no link flushes, configures or blocks.
const shapes = {
  SET: (a) => a.length === 3,
  RPUSH: (a) => a.length >= 3,
  HSET: (a) => a.length >= 4 && a.length % 2 === 0,
  SADD: (a) => a.length >= 3,
  ZADD: (a) => a.length >= 4 && a.length % 2 === 0 && a.slice(2).every((x, i) => i % 2 === 1 || isScore(text(x))),
  PEXPIRE: (a) => a.length === 3 && /^[1-9][0-9]{0,14}$/.test(text(a[2])),
  // a stream: its entries with their IDs (an empty stream is made by an
  // entry trimmed at once), its ID counters, groups, consumers and
  // pending entries
  XADD: (a) => (a.length >= 5 && (a.length - 3) % 2 === 0 && isStreamId(a[2]))
    || (a.length === 7 && word(a[2]) === 'MAXLEN' && text(a[3]) === '0' && isStreamId(a[4])),
  XSETID: (a) => a.length === 7 && isStreamId(a[2]) && word(a[3]) === 'ENTRIESADDED' && isCount(a[4])
    && word(a[5]) === 'MAXDELETEDID' && isStreamId(a[6]),
  XGROUP: (a) => (word(a[1]) === 'CREATE' && isStreamId(a[4]) && (a.length === 5 || (a.length === 7 && word(a[5]) === 'ENTRIESREAD' && isCount(a[6]))))
    || (word(a[1]) === 'CREATECONSUMER' && a.length === 5),
  XCLAIM: (a) => a.length === 12 && text(a[4]) === '0' && isStreamId(a[5]) && word(a[6]) === 'IDLE' && isCount(a[7])
    && word(a[8]) === 'RETRYCOUNT' && isCount(a[9]) && word(a[10]) === 'FORCE' && word(a[11]) === 'JUSTID',
};

const word = (x) => (x === undefined ? '' : text(x).toUpperCase());
const isStreamId = (x) => x !== undefined && /^[0-9]{1,20}-[0-9]{1,20}$/.test(text(x));
const isCount = (x) => x !== undefined && /^[0-9]{1,19}$/.test(text(x));

function isScore(s) {
  return /^(-?inf|\+?inf|[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)(e[-+]?[0-9]+)?)$/i.test(s);
}

// commandsFor writes the commands that rebuild the keys: entries are
// {key, type, value, pttl} with value bytes (string), a list of bytes
// (list, set), [field, value] pairs (hash), [member, score] pairs (zset)
// or a stream as streamCommands reads it.
export function commandsFor(entries) {
  const cmds = [];
  for (const e of entries) {
    switch (e.type) {
      case 'string': cmds.push(['SET', e.key, e.value]); break;
      case 'list': cmds.push(['RPUSH', e.key, ...e.value]); break;
      case 'set': cmds.push(['SADD', e.key, ...e.value]); break;
      case 'hash': cmds.push(['HSET', e.key, ...e.value.flat()]); break;
      case 'zset': cmds.push(['ZADD', e.key, ...e.value.flatMap(([m, s]) => [s, m])]); break;
      case 'stream': cmds.push(...streamCommands(e.key, e.value)); break;
      default: throw new ShareError(`a ${e.type} key (${e.key}) cannot be shared yet`);
    }
    if (e.pttl > 0) cmds.push(['PEXPIRE', e.key, String(e.pttl)]);
  }
  return cmds;
}

// streamCommands rebuilds a stream read by the keyspace pane: {entries:
// [[id, [field, value, ...]]], lastId, maxDeletedId, entriesAdded, groups:
// [{name, lastDelivered, entriesRead (null when unknown), consumers:
// [name], pending: [[id, consumer, idleMs, deliveries]]}]}. Pending
// entries come back with their owner, idle time and delivery count
// (XCLAIM ... FORCE); one whose entry was deleted cannot be rebuilt.
function streamCommands(key, v) {
  const cmds = [];
  if (v.entries.length === 0) {
    // XADD refuses 0-0; XSETID below sets the real last ID.
    cmds.push(['XADD', key, 'MAXLEN', '0', v.lastId === '0-0' ? '0-1' : v.lastId, 'x', 'x']);
  }
  for (const [id, fields] of v.entries) cmds.push(['XADD', key, id, ...fields]);
  cmds.push(['XSETID', key, v.lastId, 'ENTRIESADDED', v.entriesAdded, 'MAXDELETEDID', v.maxDeletedId]);
  const ids = new Set(v.entries.map(([id]) => id));
  for (const g of v.groups) {
    const create = ['XGROUP', 'CREATE', key, g.name, g.lastDelivered];
    if (g.entriesRead !== null) create.push('ENTRIESREAD', g.entriesRead);
    cmds.push(create);
    for (const c of g.consumers) cmds.push(['XGROUP', 'CREATECONSUMER', key, g.name, c]);
    for (const [id, consumer, idle, count] of g.pending) {
      if (ids.has(id)) cmds.push(['XCLAIM', key, g.name, consumer, '0', id, 'IDLE', idle, 'RETRYCOUNT', count, 'FORCE', 'JUSTID']);
    }
  }
  return cmds;
}

// encode turns commands into a #share= fragment, or throws a ShareError
// when the result would pass MAX_LINK.
export async function encode(cmds) {
  if (cmds.length > MAX_COMMANDS) throw new ShareError(`too much to share: ${cmds.length} commands (a link holds at most ${MAX_COMMANDS})`);
  const lines = cmds.map(commandLine).join('\n');
  const bytes = new TextEncoder().encode(lines);
  if (bytes.length > MAX_TEXT) throw new ShareError(`too much to share: ${bytes.length} bytes of commands (a link holds at most ${MAX_TEXT})`);
  const packed = await pipe(bytes, new CompressionStream('deflate-raw'), Infinity);
  const frag = SHARE_PREFIX + base64url(packed);
  if (frag.length > MAX_LINK) {
    throw new ShareError(`too much to share: the link would be ${frag.length} characters, the limit is ${MAX_LINK}. Delete some keys or share a smaller example.`);
  }
  return frag;
}

// decode reads a #share= fragment back into {lines, cmds}, or throws a
// ShareError saying what is wrong with it.
export async function decode(fragment) {
  if (!fragment.startsWith(SHARE_PREFIX)) throw new ShareError('not a share link');
  const body = fragment.slice(SHARE_PREFIX.length);
  if (fragment.length > MAX_LINK) throw new ShareError(`the share link is too long (${fragment.length} characters, at most ${MAX_LINK})`);
  if (!/^[A-Za-z0-9_-]*$/.test(body)) throw new ShareError('the share link is damaged: it holds characters a share link never has');
  let packed;
  try {
    packed = unbase64url(body);
  } catch {
    throw new ShareError('the share link is damaged: it is not base64url');
  }
  let bytes;
  try {
    bytes = await pipe(packed, new DecompressionStream('deflate-raw'), MAX_TEXT);
  } catch (e) {
    if (e instanceof ShareError) throw e;
    throw new ShareError('the share link is damaged: its data does not inflate');
  }
  if (!bytes.every((c) => c === 10 || (c >= 32 && c < 127))) throw new ShareError('the share link is damaged: its commands are not plain text');
  const lines = text(bytes).split('\n').filter((l) => l !== '');
  if (lines.length > MAX_COMMANDS) throw new ShareError(`the share link holds ${lines.length} commands, at most ${MAX_COMMANDS} are run`);
  const cmds = lines.map((line, i) => {
    const args = splitArgs(line);
    if (!args || !args.length) throw new ShareError(`the share link is damaged: line ${i + 1} is not a command`);
    const name = text(args[0]).toUpperCase();
    const ok = shapes[name];
    if (!ok) throw new ShareError(`the share link is refused: line ${i + 1} runs ${name.slice(0, 32)}, and a link may only build values (${Object.keys(shapes).join(', ')})`);
    if (!ok(args)) throw new ShareError(`the share link is refused: line ${i + 1} (${name}) has the wrong arguments`);
    return args;
  });
  return { lines, cmds };
}

// pipe runs bytes through a compression stream, stopping with a
// ShareError once the output passes limit bytes.
async function pipe(bytes, stream, limit) {
  const writer = stream.writable.getWriter();
  writer.write(bytes).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const parts = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > limit) {
      reader.cancel().catch(() => {});
      throw new ShareError(`the share link is refused: it inflates past ${limit} bytes`);
    }
    parts.push(value);
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function base64url(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function unbase64url(s) {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
