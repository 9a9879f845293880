// Geo members on a plane: a sorted set whose scores are 52-bit geohashes
// (GEOADD writes them) has its members' GEOPOS positions drawn on a
// longitude/latitude plane fitted to them. zset.js asks for it.
import { svg, html, label, asList, asText } from './svg.js';

// maybeGeo fetches positions when every score looks like a geohash; null
// when the set is not a geo set. Redis does not mark geo sets, and any
// integer decodes to some position, so scores must also be past 2^44:
// GEOADD's hashes of every place but a sliver near (-180, -85) are, and a
// leaderboard's or a queue's scores are not.
export const GEO_MIN = 2 ** 44;
export async function maybeGeo(q, key, items) {
  if (!items.length || !items.every(([, s]) => Number.isInteger(s) && s >= GEO_MIN && s < 2 ** 52)) return null;
  const [r] = await q.run([['GEOPOS', key, ...items.map(([m]) => m)]]);
  if (r.type === '-') return null;
  const pos = asList(r).map((p) => (p.children ? p.children.map((c) => Number(asText(c))) : null));
  return pos.every(Boolean) ? pos : null;
}

export function draw(items, pos) {
  const w = 360, h = 220, pad = 24;
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const [lon, lat] of pos) {
    x0 = Math.min(x0, lon); x1 = Math.max(x1, lon);
    y0 = Math.min(y0, lat); y1 = Math.max(y1, lat);
  }
  const span = Math.max(x1 - x0, y1 - y0, 0.01);
  const sx = (lon) => pad + ((lon - x0) / span) * (w - 2 * pad);
  const sy = (lat) => h - pad - ((lat - y0) / span) * (h - 2 * pad);
  const g = svg('svg', { class: 'pic-geo', width: w, height: h, role: 'img', 'aria-label': `${pos.length} places on a longitude/latitude plane` },
    svg('rect', { x: 1, y: 1, width: w - 2, height: h - 2, rx: 6, class: 'pic-outline' }),
    svg('text', { x: pad, y: h - 6, class: 'pic-index' }, `lon ${x0.toFixed(3)}…${x1.toFixed(3)}, lat ${y0.toFixed(3)}…${y1.toFixed(3)}`));
  items.forEach(([m], i) => {
    const [lon, lat] = pos[i];
    g.append(svg('circle', { cx: sx(lon), cy: sy(lat), r: 4, class: 'pic-place' }, svg('title', {}, `${label(m, 60)}: ${lon}, ${lat}`)),
      svg('text', { x: sx(lon) + 6, y: sy(lat) - 4, class: 'pic-value' }, label(m, 14)));
  });
  return html('div', { class: 'pic-geo-box' }, g, html('p', { class: 'pic-note' }, 'a geo set: a sorted set whose scores are geohashes (GEOADD); positions from GEOPOS'));
}
