// A string as text and bytes: an integer as a counter, otherwise its text,
// its first bytes in hex and their bits (the grid SETBIT and GETBIT work
// on); a HyperLogLog (a string starting with HYLL) as its registers.
import { svg, html, label, asInt, asBytes } from './svg.js';
import * as hll from './hll.js';

const SHOWN = 256; // bytes fetched (GETRANGE), whatever the length
const GRID = 16; // bytes drawn as hex and bits

export async function load(q, key) {
  const [len, head] = await q.run([['STRLEN', key], ['GETRANGE', key, '0', String(SHOWN - 1)]]);
  const bytes = asBytes(head);
  if (hll.isHLL(bytes)) return hll.load(q, key, asInt(len));
  return { len: asInt(len), bytes };
}

export function draw(d) {
  if (d.hll) return hll.draw(d);
  const box = html('div', { class: 'pic pic-string' });
  const s = new TextDecoder().decode(d.bytes);
  if (d.len === d.bytes.length && /^-?(0|[1-9][0-9]{0,18})$/.test(s)) {
    // A counter: INCR, DECR and INCRBY work on it.
    const w = Math.max(120, 16 * s.length + 40);
    box.append(svg('svg', { class: 'pic-counter', width: w, height: 56, viewBox: `0 0 ${w} 56`, role: 'img', 'aria-label': `counter ${s}` },
      svg('rect', { x: 1, y: 1, width: w - 2, height: 54, rx: 8, class: 'pic-box' }),
      svg('text', { x: w / 2, y: 38, 'text-anchor': 'middle', class: 'pic-counter-value' }, s)),
    html('p', { class: 'pic-note' }, 'an integer: INCR, DECR and INCRBY count with it'));
    return box;
  }
  box.append(html('p', { class: 'pic-text' }, label(d.bytes, 400)),
    html('p', { class: 'pic-note' }, `${d.len} byte${d.len === 1 ? '' : 's'}${d.len > d.bytes.length ? ` (the first ${d.bytes.length} shown)` : ''}`));
  const n = Math.min(GRID, d.bytes.length);
  if (!n) return box;
  const cell = 22;
  const g = svg('svg', { class: 'pic-bytes', width: n * cell + 2, height: 3 * cell + 12 + 8 * 10, role: 'img', 'aria-label': `the first ${n} bytes and their bits` });
  for (let i = 0; i < n; i++) {
    const c = d.bytes[i];
    const x = 1 + i * cell;
    g.append(svg('text', { x: x + cell / 2, y: 11, 'text-anchor': 'middle', class: 'pic-index' }, String(i)),
      svg('rect', { x, y: 14, width: cell - 2, height: cell, class: 'pic-box' }),
      svg('text', { x: x + cell / 2 - 1, y: 14 + 15, 'text-anchor': 'middle', class: 'pic-hex' }, c.toString(16).padStart(2, '0')),
      svg('text', { x: x + cell / 2 - 1, y: 14 + cell + 14, 'text-anchor': 'middle', class: 'pic-char' }, c >= 32 && c < 127 ? String.fromCharCode(c) : '·'));
    for (let b = 0; b < 8; b++) {
      // Bit 0 is the most significant bit of byte 0, as in SETBIT.
      const on = (c >> (7 - b)) & 1;
      g.append(svg('rect', { x: x + 5, y: 14 + 2 * cell + 6 + b * 10, width: 10, height: 8, class: on ? 'pic-bit on' : 'pic-bit' },
        svg('title', {}, `bit ${i * 8 + b} = ${on}`)));
    }
  }
  box.append(g, html('p', { class: 'pic-note' }, 'bytes in hex, then their bits, bit 0 first (as SETBIT counts)'));
  return box;
}
