// A list as a row of boxes from head to tail, each with its index from
// the head (0, 1, ...) and from the tail (-1, -2, ...), as LINDEX counts.
import { svg, html, label, asInt, asList, asBytes, pager, PAGE } from './svg.js';

export async function load(q, key, from = 0) {
  const [len, items] = await q.run([['LLEN', key], ['LRANGE', key, String(from), String(from + PAGE - 1)]]);
  return { len: asInt(len), from, items: asList(items).map(asBytes) };
}

export function draw(d, more) {
  const box = html('div', { class: 'pic pic-list' });
  const w = 92, h = 30, perRow = 4;
  const rows = Math.ceil(d.items.length / perRow) || 1;
  const g = svg('svg', { width: perRow * (w + 14) + 10, height: rows * (h + 36) + 8, role: 'img', 'aria-label': `list of ${d.len} elements` });
  d.items.forEach((item, k) => {
    const i = d.from + k;
    const x = 4 + (k % perRow) * (w + 14), y = 16 + Math.floor(k / perRow) * (h + 36);
    g.append(svg('rect', { x, y, width: w, height: h, rx: 4, class: 'pic-box' }),
      svg('text', { x: x + w / 2, y: y + 19, 'text-anchor': 'middle', class: 'pic-value' }, label(item, 11), svg('title', {}, label(item, 200))),
      svg('text', { x: x + 2, y: y - 4, class: 'pic-index' }, String(i)),
      svg('text', { x: x + w - 2, y: y - 4, 'text-anchor': 'end', class: 'pic-index' }, String(i - d.len)));
    if (k % perRow !== perRow - 1 && k + 1 < d.items.length) {
      g.append(svg('path', { d: `M${x + w + 2} ${y + h / 2} h10`, class: 'pic-arrow' }));
    }
    if (i === 0) g.append(svg('text', { x: x + w / 2, y: y + h + 14, 'text-anchor': 'middle', class: 'pic-end' }, 'head (LPUSH/LPOP)'));
    if (i === d.len - 1) g.append(svg('text', { x: x + w / 2, y: y + h + 14, 'text-anchor': 'middle', class: 'pic-end' }, 'tail (RPUSH/RPOP)'));
  });
  box.append(g, pager(`${d.from}–${d.from + d.items.length - 1}`, d.len, d.from + d.items.length < d.len ? more : null));
  return box;
}

export const next = (d) => d.from + d.items.length;
