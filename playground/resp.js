// RESP for the playground: redis-cli's argument splitting, request
// encoding, a RESP2/RESP3 reply parser that keeps byte offsets (for the
// inspector) and redis-cli's TTY formatting of replies. Pure functions,
// no DOM: tested under Node (playground/test/resp_test.mjs).

const enc = new TextEncoder();
const dec = new TextDecoder();

export const CR = 13;
export const LF = 10;

function isSpace(c) {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 11 || c === 12;
}
function isHex(c) {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}
function hexVal(c) {
  if (c <= 57) return c - 48;
  if (c >= 97) return c - 87;
  return c - 55;
}

// quoteArg writes one argument so that splitArgs reads it back: as it is
// when it is plain printable text, else quoted as redis-cli quotes
// (repr). Used to show the command a click in the keyspace pane runs.
export function quoteArg(a) {
  const bytes = typeof a === 'string' ? enc.encode(a) : a;
  if (bytes.length > 0 && bytes.every((c) => c > 32 && c < 127 && c !== 34 && c !== 39 && c !== 92)) return dec.decode(bytes);
  return repr(bytes);
}

// commandLine is a whole command as a line splitArgs reads back.
export function commandLine(args) {
  return args.map(quoteArg).join(' ');
}

// splitArgs splits a command line as redis-cli does (sdssplitargs): spaces
// separate words; "double quotes" allow \n \r \t \b \a \\ \" and \xHH;
// 'single quotes' allow \'; a closing quote must be followed by a space.
// It returns byte arrays (\xHH may make any byte), or null for unbalanced
// quotes, where redis-cli says "Invalid argument(s)".
export function splitArgs(line) {
  const b = typeof line === 'string' ? enc.encode(line) : line;
  const out = [];
  let i = 0;
  for (;;) {
    while (i < b.length && isSpace(b[i])) i++;
    if (i >= b.length) return out;
    const cur = [];
    let inDQ = false, inSQ = false, done = false;
    while (!done) {
      if (inDQ) {
        if (i >= b.length) return null;
        const c = b[i];
        if (c === 92 && b[i + 1] === 120 && i + 3 < b.length && isHex(b[i + 2]) && isHex(b[i + 3])) {
          cur.push(hexVal(b[i + 2]) * 16 + hexVal(b[i + 3]));
          i += 4;
          continue;
        }
        if (c === 92 && i + 1 < b.length) {
          i++;
          const e = b[i];
          cur.push(e === 110 ? 10 : e === 114 ? 13 : e === 116 ? 9 : e === 98 ? 8 : e === 97 ? 7 : e);
          i++;
          continue;
        }
        if (c === 34) {
          if (i + 1 < b.length && !isSpace(b[i + 1])) return null;
          i++;
          done = true;
          continue;
        }
        cur.push(c);
        i++;
      } else if (inSQ) {
        if (i >= b.length) return null;
        const c = b[i];
        if (c === 92 && b[i + 1] === 39) {
          cur.push(39);
          i += 2;
          continue;
        }
        if (c === 39) {
          if (i + 1 < b.length && !isSpace(b[i + 1])) return null;
          i++;
          done = true;
          continue;
        }
        cur.push(c);
        i++;
      } else {
        if (i >= b.length || isSpace(b[i])) {
          done = true;
          continue;
        }
        if (b[i] === 34) inDQ = true;
        else if (b[i] === 39) inSQ = true;
        else cur.push(b[i]);
        i++;
      }
    }
    out.push(Uint8Array.from(cur));
  }
}

// encodeCommand encodes arguments as a RESP multibulk request.
export function encodeCommand(args) {
  const parts = [enc.encode(`*${args.length}\r\n`)];
  for (const a of args) {
    const bytes = typeof a === 'string' ? enc.encode(a) : a;
    parts.push(enc.encode(`$${bytes.length}\r\n`), bytes, Uint8Array.of(CR, LF));
  }
  return concat(parts);
}

export function concat(parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function text(bytes) {
  return dec.decode(bytes);
}

// decodeEscapes turns what a user types in raw RESP mode into bytes:
// \r \n \t \\ \" \0 and \xHH are escapes, everything else is literal.
export function decodeEscapes(s) {
  const b = enc.encode(s);
  const out = [];
  for (let i = 0; i < b.length; i++) {
    if (b[i] !== 92 || i + 1 >= b.length) {
      out.push(b[i]);
      continue;
    }
    const e = b[i + 1];
    if (e === 120 && i + 3 < b.length && isHex(b[i + 2]) && isHex(b[i + 3])) {
      out.push(hexVal(b[i + 2]) * 16 + hexVal(b[i + 3]));
      i += 3;
      continue;
    }
    const map = { 114: 13, 110: 10, 116: 9, 92: 92, 34: 34, 48: 0 };
    if (e in map) {
      out.push(map[e]);
      i++;
    } else {
      out.push(92);
    }
  }
  return Uint8Array.from(out);
}

// repr quotes bytes as redis-cli does (sdscatrepr): "..." with \\ \" \n
// \r \t \a \b escaped, printable ASCII as is, every other byte as \xhh.
export function repr(bytes) {
  let s = '"';
  for (const c of bytes) {
    switch (c) {
      case 92: s += '\\\\'; break;
      case 34: s += '\\"'; break;
      case 10: s += '\\n'; break;
      case 13: s += '\\r'; break;
      case 9: s += '\\t'; break;
      case 7: s += '\\a'; break;
      case 8: s += '\\b'; break;
      default:
        if (c >= 32 && c <= 126) s += String.fromCharCode(c);
        else s += '\\x' + c.toString(16).padStart(2, '0');
    }
  }
  return s + '"';
}

// A parsed reply node: {type, start, end, headEnd, value, children}.
// type is the RESP prefix character; start..end are its bytes in the
// buffer; headEnd ends its first line (header) including CR LF.

// parseReply parses one complete reply at offset; it returns null when the
// buffer ends first. Throws on bytes that are not RESP.
export function parseReply(buf, offset = 0) {
  if (offset >= buf.length) return null;
  const nl = buf.indexOf(LF, offset);
  if (nl < 0) return null;
  const type = String.fromCharCode(buf[offset]);
  const line = dec.decode(buf.subarray(offset + 1, nl - (buf[nl - 1] === CR ? 1 : 0)));
  const headEnd = nl + 1;
  const node = { type, start: offset, headEnd, end: headEnd, line, value: null, children: null };
  switch (type) {
    case '+': case '-': case ':': case ',': case '(': case '#': case '_':
      node.value = line;
      return node;
    case '$': case '!': case '=': {
      const n = parseInt(line, 10);
      if (Number.isNaN(n)) throw new Error(`bad length ${JSON.stringify(line)}`);
      if (n < 0) {
        node.value = null;
        return node;
      }
      if (headEnd + n + 2 > buf.length) return null;
      node.value = buf.subarray(headEnd, headEnd + n);
      node.end = headEnd + n + 2;
      return node;
    }
    case '*': case '%': case '~': case '>': case '|': {
      let n = parseInt(line, 10);
      if (Number.isNaN(n)) throw new Error(`bad length ${JSON.stringify(line)}`);
      if (n < 0) {
        node.value = null;
        return node;
      }
      if (type === '%' || type === '|') n *= 2;
      node.children = [];
      let o = headEnd;
      for (let i = 0; i < n; i++) {
        const child = parseReply(buf, o);
        if (!child) return null;
        node.children.push(child);
        o = child.end;
      }
      node.end = o;
      if (type === '|') {
        // An attribute precedes the reply it describes.
        const inner = parseReply(buf, o);
        if (!inner) return null;
        inner.attribute = node;
        inner.start = node.start;
        return inner;
      }
      return node;
    }
  }
  throw new Error(`not RESP: unexpected byte ${JSON.stringify(type)}`);
}

// parseReplies parses every complete reply in buf; rest is the offset of
// the first incomplete byte.
export function parseReplies(buf) {
  const out = [];
  let o = 0;
  for (;;) {
    const r = parseReply(buf, o);
    if (!r) break;
    out.push(r);
    o = r.end;
  }
  return { replies: out, rest: o };
}

// formatReply renders a reply exactly as redis-cli does on a terminal
// (cliFormatReplyTTY), ending with a newline.
export function formatReply(r, prefix = '') {
  switch (r.type) {
    case '-': return `(error) ${r.value}\n`;
    case '!': return `(error) ${dec.decode(r.value)}\n`;
    case '+': return `${r.value}\n`;
    case ':': return `(integer) ${r.value}\n`;
    case ',': return `(double) ${r.value}\n`;
    case '(': return `(big number) ${r.value}\n`;
    case '#': return r.value === 't' ? '(true)\n' : '(false)\n';
    case '_': return '(nil)\n';
    case '$':
      return r.value === null ? '(nil)\n' : repr(r.value) + '\n';
    case '=': {
      // hiredis hands redis-cli the text after "txt:"; it prints it raw.
      return r.value === null ? '(nil)\n' : dec.decode(r.value.subarray(4)) + '\n';
    }
    case '*': case '%': case '~': case '>': {
      if (r.children === null) return '(nil)\n';
      if (r.children.length === 0) {
        return { '*': '(empty array)\n', '%': '(empty hash)\n', '~': '(empty set)\n', '>': '(empty push)\n' }[r.type];
      }
      const isMap = r.type === '%';
      const count = isMap ? r.children.length / 2 : r.children.length;
      const idxlen = String(count).length;
      const sub = prefix + ' '.repeat(idxlen + 2);
      const sep = r.type === '~' ? '~' : isMap ? '#' : ')';
      let out = '';
      for (let i = 0; i < r.children.length; i++) {
        const human = (isMap ? i / 2 : i) + 1;
        out += (i === 0 ? '' : prefix) + String(human).padStart(idxlen, ' ') + sep + ' ';
        out += formatReply(r.children[i], sub);
        if (isMap) {
          i++;
          // redis-cli starts a value that spans lines on a line of its own.
          let v = formatReply(r.children[i], sub);
          if (r.children[i].children && v.indexOf('\n') < v.length - 1) v = '\n' + sub + v;
          out = out.slice(0, -1) + ' => ' + v;
        }
      }
      return out;
    }
  }
  return `(unknown reply type ${r.type})\n`;
}

// rawOutput reports whether redis-cli prints the reply to this command
// (its words) raw rather than quoted: the list in cliSendCommand, for
// commands whose reply is text meant to be read (INFO, CLIENT LIST, ...).
export function rawOutput(words) {
  const w = words.map((x) => String(x).toLowerCase());
  const [cmd, sub] = w;
  const n = w.length;
  return cmd === 'info' || cmd === 'lolwut' ||
    (n >= 2 && cmd === 'debug' && (sub === 'htstats' || sub === 'htstats-key' || sub === 'client-eviction')) ||
    (n >= 2 && cmd === 'memory' && (sub === 'malloc-stats' || sub === 'doctor')) ||
    (n === 2 && cmd === 'cluster' && (sub === 'nodes' || sub === 'info')) ||
    (n >= 2 && cmd === 'client' && (sub === 'list' || sub === 'info')) ||
    (n === 3 && cmd === 'latency' && sub === 'graph') ||
    (n === 2 && cmd === 'latency' && sub === 'doctor') ||
    (n >= 2 && cmd === 'proxy' && sub === 'info');
}

// formatReplyRaw renders a reply as redis-cli prints the replies of the
// rawOutput commands (cliFormatReplyRaw): strings as they are, with no
// quotes and no newline added, errors without "(error)", nil as nothing,
// aggregates one element per line.
export function formatReplyRaw(r) {
  switch (r.type) {
    case '_': return '';
    case '-': return `${r.value}\n`;
    case '!': return `${dec.decode(r.value)}\n`;
    case '+': case ':': case ',': case '(': return r.value;
    case '#': return r.value === 't' ? '(true)' : '(false)';
    case '$': return r.value === null ? '' : dec.decode(r.value);
    case '=': return r.value === null ? '' : dec.decode(r.value.subarray(4));
    case '*': case '~': case '>':
      return r.children === null ? '' : r.children.map(formatReplyRaw).join('\n');
    case '%': {
      const parts = [];
      for (let i = 0; i + 1 < r.children.length; i += 2) parts.push(`${formatReplyRaw(r.children[i])} ${formatReplyRaw(r.children[i + 1])}`);
      return parts.join('\n');
    }
  }
  return '';
}

const typeNames = {
  '+': 'simple string', '-': 'error', ':': 'integer', '$': 'bulk string',
  '*': 'array', '_': 'null (RESP3)', ',': 'double (RESP3)', '#': 'boolean (RESP3)',
  '!': 'blob error (RESP3)', '=': 'verbatim string (RESP3)', '(': 'big number (RESP3)',
  '%': 'map (RESP3)', '~': 'set (RESP3)', '>': 'push (RESP3)', '|': 'attribute (RESP3)',
};

// explainReply lists the reply's byte ranges with what each means, depth
// first: [{start, end, depth, text}].
export function explainReply(r, depth = 0, out = [], role = '') {
  if (r.attribute) explainReply({ ...r.attribute, start: r.attribute.start }, depth, out, 'attribute');
  const who = role ? `${role}: ` : '';
  const head = (text) => out.push({ start: r.start, end: r.headEnd, depth, text: who + text });
  switch (r.type) {
    case '+': head(`Simple string "${r.value}"`); break;
    case '-': head(`Error: code ${r.value.split(' ')[0]}, message follows it`); break;
    case ':': head(`Integer ${r.value}`); break;
    case ',': head(`Double ${r.value} (RESP3)`); break;
    case '(': head(`Big number ${r.value} (RESP3)`); break;
    case '#': head(`Boolean ${r.value === 't' ? 'true' : 'false'} (RESP3)`); break;
    case '_': head('Null (RESP3)'); break;
    case '$': case '!': case '=':
      if (r.value === null) {
        head(`Null bulk string: length -1 (how RESP2 says nil)`);
      } else {
        head(`${typeNames[r.type][0].toUpperCase()}${typeNames[r.type].slice(1)} header: ${r.value.length} byte${r.value.length === 1 ? '' : 's'} follow, then CR LF`);
        out.push({ start: r.headEnd, end: r.end, depth, text: `  payload ${repr(r.value.subarray(0, 64))}${r.value.length > 64 ? '…' : ''}` });
      }
      break;
    default:
      if (r.children === null) {
        head('Null array: length -1 (how RESP2 says nil for arrays)');
      } else if (r.type === '%' || r.type === '|') {
        head(`${typeNames[r.type]} of ${r.children.length / 2} key/value pairs`);
        r.children.forEach((c, i) => explainReply(c, depth + 1, out, i % 2 === 0 ? `key ${i / 2 + 1}` : `value ${(i - 1) / 2 + 1}`));
      } else {
        head(`${typeNames[r.type][0].toUpperCase()}${typeNames[r.type].slice(1)} of ${r.children.length} element${r.children.length === 1 ? '' : 's'}`);
        r.children.forEach((c, i) => explainReply(c, depth + 1, out, `element ${i + 1}`));
      }
  }
  return out;
}

// explainRequest lists the byte ranges of a request (multibulk or inline
// commands) with what each means: [{start, end, depth, text}].
export function explainRequest(buf) {
  const out = [];
  let o = 0;
  while (o < buf.length) {
    const nl = buf.indexOf(LF, o);
    if (nl < 0) {
      out.push({ start: o, end: buf.length, depth: 0, text: 'Incomplete: the server waits for the rest of this line' });
      break;
    }
    if (buf[o] !== 42) {
      const args = splitArgs(buf.subarray(o, nl + 1));
      out.push({ start: o, end: nl + 1, depth: 0, text: args ? `Inline command (as telnet sends it): ${args.length} word${args.length === 1 ? '' : 's'} split on spaces` : 'Inline command with unbalanced quotes' });
      o = nl + 1;
      continue;
    }
    const countText = dec.decode(buf.subarray(o + 1, nl)).replace(/\r$/, '');
    const n = /^-?\d+$/.test(countText) ? parseInt(countText, 10) : NaN;
    out.push({ start: o, end: nl + 1, depth: 0, text: Number.isNaN(n) ? `Protocol error here: after '*' the server expects a number, got ${JSON.stringify(countText)} (invalid multibulk length)` : `Array of ${n} bulk string${n === 1 ? '' : 's'}: the command and its arguments` });
    o = nl + 1;
    if (Number.isNaN(n)) break;
    for (let i = 0; i < n && o < buf.length; i++) {
      const nl2 = buf.indexOf(LF, o);
      if (nl2 < 0 || buf[o] !== 36) {
        out.push({ start: o, end: buf.length, depth: 1, text: buf[o] !== 36 ? "Protocol error: expected '$'" : 'Incomplete bulk header' });
        return out;
      }
      const lenText = dec.decode(buf.subarray(o + 1, nl2)).replace(/\r$/, '');
      const len = /^\d+$/.test(lenText) ? parseInt(lenText, 10) : NaN;
      if (Number.isNaN(len)) {
        out.push({ start: o, end: nl2 + 1, depth: 1, text: `Protocol error here: after '$' the server expects a length, got ${JSON.stringify(lenText)} (invalid bulk length)` });
        return out;
      }
      const what = i === 0 ? 'command name' : `argument ${i}`;
      out.push({ start: o, end: nl2 + 1, depth: 1, text: `Bulk string header: ${len} byte${len === 1 ? '' : 's'} follow (${what})` });
      const end = Math.min(nl2 + 1 + len + 2, buf.length);
      const payload = buf.subarray(nl2 + 1, Math.min(nl2 + 1 + len, buf.length));
      out.push({ start: nl2 + 1, end, depth: 1, text: `  ${repr(payload.subarray(0, 64))}${payload.length > 64 ? '…' : ''}, then CR LF` });
      o = end;
    }
  }
  return out;
}

// visibleBytes renders bytes for the inspector: CR and LF as \r \n,
// other control and non-ASCII bytes as \xhh. Returns [{text, ctl}] runs.
export function visibleBytes(bytes, max = 96) {
  const runs = [];
  let plain = '';
  const flush = () => {
    if (plain) runs.push({ text: plain, ctl: false });
    plain = '';
  };
  const n = Math.min(bytes.length, max);
  for (let i = 0; i < n; i++) {
    const c = bytes[i];
    if (c === CR || c === LF) {
      flush();
      runs.push({ text: c === CR ? '\\r' : '\\n', ctl: true });
    } else if (c >= 32 && c <= 126) {
      plain += String.fromCharCode(c);
    } else {
      flush();
      runs.push({ text: '\\x' + c.toString(16).padStart(2, '0'), ctl: true });
    }
  }
  flush();
  if (bytes.length > max) runs.push({ text: `… ${bytes.length - max} more bytes`, ctl: true });
  return runs;
}

// parseRequests splits request bytes into the complete commands they hold
// (multibulk or inline), each as its argument byte arrays, as the server's
// reader would. Incomplete trailing bytes are ignored.
export function parseRequests(buf) {
  const cmds = [];
  let o = 0;
  while (o < buf.length) {
    const nl = buf.indexOf(LF, o);
    if (nl < 0) break;
    if (buf[o] !== 42) {
      const args = splitArgs(buf.subarray(o, nl + 1));
      if (args && args.length) cmds.push(args);
      o = nl + 1;
      continue;
    }
    const n = parseInt(dec.decode(buf.subarray(o + 1, nl)), 10);
    let p = nl + 1;
    const args = [];
    for (let i = 0; i < n; i++) {
      const nl2 = buf.indexOf(LF, p);
      if (nl2 < 0) return cmds;
      const len = parseInt(dec.decode(buf.subarray(p + 1, nl2)), 10);
      if (nl2 + 1 + len + 2 > buf.length) return cmds;
      args.push(buf.subarray(nl2 + 1, nl2 + 1 + len));
      p = nl2 + 1 + len + 2;
    }
    if (n > 0) cmds.push(args);
    o = p;
  }
  return cmds;
}

// argsSynopsis formats COMMAND DOCS arguments as redis-cli's help does;
// engine.ArgsSynopsis is the same function for the wasm build.
export function argsSynopsis(args) {
  return (args || []).map(argSynopsis).join(' ');
}

function argSynopsis(a) {
  let name;
  if (a.type === 'block') name = argsSynopsis(a.arguments);
  else if (a.type === 'oneof') name = (a.arguments || []).map(argSynopsis).join('|');
  else if (a.type === 'pure-token') name = '';
  else name = a.display_text || a.name;
  const flags = a.flags || [];
  if (flags.includes('multiple')) {
    name = flags.includes('multiple_token') ? `${name} [${a.token} ${name} ...]` : `${name} [${name} ...]`;
  }
  if (a.token) name = name ? `${a.token} ${name}` : a.token;
  if (flags.includes('optional')) name = `[${name}]`;
  return name;
}

// toJS turns a parsed reply into plain values: strings, numbers, null,
// arrays, and objects for maps (and RESP2 arrays of key/value pairs when
// asked by the caller).
export function toJS(r) {
  switch (r.type) {
    case '$': case '=': case '!': return r.value === null ? null : dec.decode(r.value);
    case ':': return Number(r.value);
    case '*': case '~': case '>': return r.children === null ? null : r.children.map(toJS);
    case '%': {
      const o = {};
      for (let i = 0; i < r.children.length; i += 2) o[toJS(r.children[i])] = toJS(r.children[i + 1]);
      return o;
    }
    case '_': return null;
    default: return r.value;
  }
}
