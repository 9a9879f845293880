// A sorted set as a ranked bar chart, highest score first, fetched with
// ZRANGE ... REV WITHSCORES pages.
import { svg, html, label, asInt, asList, asBytes, asText, pager, PAGE } from './svg.js';
import * as geo from './geo.js';

export async function load(q, key, from = 0) {
  const [len, range] = await q.run([['ZCARD', key], ['ZRANGE', key, String(from), String(from + PAGE - 1), 'REV', 'WITHSCORES']]);
  const flat = asList(range);
  const items = [];
  // RESP2 gives member, score, member, score; RESP3 pairs.
  if (flat.length && flat[0].children) for (const p of flat) items.push([asBytes(p.children[0]), Number(asText(p.children[1]))]);
  else for (let i = 0; i + 1 < flat.length; i += 2) items.push([asBytes(flat[i]), Number(asText(flat[i + 1]))]);
  return { len: asInt(len), from, items, geo: await geo.maybeGeo(q, key, items) };
}

export function draw(d, more) {
  const box = html('div', { class: 'pic pic-zset' });
  const rowH = 22, labelW = 120, barW = 200, width = labelW + barW + 90;
  const finite = d.items.map(([, s]) => Math.abs(s)).filter(Number.isFinite);
  const max = Math.max(1e-9, ...finite);
  const g = svg('svg', { width, height: d.items.length * rowH + 6, role: 'img', 'aria-label': `sorted set of ${d.len} members, highest score first` });
  d.items.forEach(([m, s], k) => {
    const y = 3 + k * rowH;
    const w = Number.isFinite(s) ? Math.max(2, (Math.abs(s) / max) * barW) : barW;
    g.append(svg('text', { x: 2, y: y + 15, class: 'pic-index' }, `#${d.from + k + 1}`),
      svg('text', { x: 34, y: y + 15, class: 'pic-value' }, label(m, 12), svg('title', {}, label(m, 200))),
      svg('rect', { x: labelW, y: y + 3, width: w, height: rowH - 6, rx: 3, class: s < 0 ? 'pic-bar neg' : 'pic-bar' }),
      svg('text', { x: labelW + w + 6, y: y + 15, class: 'pic-score' }, String(s)));
  });
  if (d.geo) box.append(geo.draw(d.items, d.geo));
  box.append(g, pager(`ranks ${d.from + 1}–${d.from + d.items.length}`, d.len, d.from + d.items.length < d.len ? more : null));
  return box;
}

export const next = (d) => d.from + d.items.length;
