// A HyperLogLog: Redis keeps it as a string (HYLL header, then 16384
// registers, sparse or dense 6-bit). The picture decodes the registers
// from the bytes and draws them as a 128x128 grid, darker for larger.
import { svg, html, asBytes } from './svg.js';

const REGISTERS = 16384;
const MAX_BYTES = 16 + (REGISTERS * 6) / 8; // a dense HLL

export const isHLL = (b) => b.length >= 16 && b[0] === 72 && b[1] === 89 && b[2] === 76 && b[3] === 76;

export async function load(q, key, len) {
  const [r] = await q.run([['GETRANGE', key, '0', String(Math.min(len, MAX_BYTES) - 1)]]);
  const bytes = asBytes(r);
  return { hll: true, len, dense: bytes[4] === 0, registers: registers(bytes) };
}

// registers decodes dense (6 bits each, little-endian) or sparse
// (ZERO, XZERO, VAL opcodes) registers; null when the bytes are not valid.
export function registers(b) {
  const reg = new Uint8Array(REGISTERS);
  if (b[4] === 0) {
    for (let i = 0; i < REGISTERS; i++) {
      const bit = i * 6, byte = 16 + (bit >> 3), fb = bit & 7;
      const v = (b[byte] >> fb) | ((b[byte + 1] ?? 0) << (8 - fb));
      reg[i] = v & 63;
    }
    return reg;
  }
  let idx = 0;
  for (let p = 16; p < b.length && idx <= REGISTERS; p++) {
    const op = b[p];
    if ((op & 0xc0) === 0) idx += (op & 0x3f) + 1; // ZERO
    else if ((op & 0xc0) === 0x40) idx += (((op & 0x3f) << 8) | b[++p]) + 1; // XZERO
    else {
      const v = ((op >> 2) & 0x1f) + 1, n = (op & 3) + 1; // VAL
      for (let k = 0; k < n && idx < REGISTERS; k++) reg[idx++] = v;
    }
  }
  return idx === REGISTERS ? reg : null;
}

export function draw(d) {
  const box = html('div', { class: 'pic pic-hll' });
  if (!d.registers) {
    box.append(html('p', { class: 'pic-note' }, 'HYLL header, but the registers do not decode: not a valid HyperLogLog'));
    return box;
  }
  const side = 128, px = 2;
  const g = svg('svg', { class: 'pic-hll-grid', width: side * px, height: side * px, role: 'img', 'aria-label': 'the 16384 registers of the HyperLogLog' });
  let set = 0;
  for (let i = 0; i < REGISTERS; i++) {
    const v = d.registers[i];
    if (!v) continue;
    set++;
    g.append(svg('rect', { x: (i % side) * px, y: Math.floor(i / side) * px, width: px, height: px, class: 'pic-reg', 'fill-opacity': Math.min(1, 0.25 + v / 12) }));
  }
  box.append(g, html('p', { class: 'pic-note' },
    `HyperLogLog, ${d.dense ? 'dense' : 'sparse'} encoding (${d.len} bytes): ${set} of 16384 registers set. PFCOUNT estimates from them.`));
  return box;
}
