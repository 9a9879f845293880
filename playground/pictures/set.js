// A set as its members, unordered chips inside one outline, fetched with
// SSCAN pages.
import { svg, html, label, asInt, asList, asBytes, asText, pager, PAGE } from './svg.js';

export async function load(q, key, from = '0') {
  const [len, scan] = await q.run([['SCARD', key], ['SSCAN', key, from, 'COUNT', String(PAGE)]]);
  const [cursor, members] = asList(scan);
  return { len: asInt(len), cursor: asText(cursor), members: asList(members).map(asBytes) };
}

export function draw(d, more) {
  const box = html('div', { class: 'pic pic-set' });
  const width = 380, chipH = 24, gap = 6;
  let x = 12, y = 14;
  const chips = [];
  for (const m of d.members) {
    const t = label(m, 16);
    const w = 14 + t.length * 7.5;
    if (x + w > width - 12) {
      x = 12;
      y += chipH + gap;
    }
    chips.push(svg('g', {}, svg('rect', { x, y, width: w, height: chipH, rx: 12, class: 'pic-chip' }),
      svg('text', { x: x + w / 2, y: y + 16, 'text-anchor': 'middle', class: 'pic-value' }, t, svg('title', {}, label(m, 200)))));
    x += w + gap;
  }
  const height = y + chipH + 14;
  box.append(svg('svg', { width, height, role: 'img', 'aria-label': `set of ${d.len} members` },
    svg('rect', { x: 2, y: 2, width: width - 4, height: height - 4, rx: 18, class: 'pic-outline' }), ...chips),
  pager(`${d.members.length} members`, d.len, d.cursor !== '0' ? more : null));
  return box;
}

export const next = (d) => d.cursor;
