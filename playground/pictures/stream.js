// A stream as a timeline of entries, oldest first, each with its ID (the
// milliseconds and sequence number XADD gave it) and its fields; each
// consumer group is a marker after the last entry it delivered, with its
// pending count (delivered, not yet XACKed).
import { svg, html, label, asInt, asList, asBytes, asText, pager, PAGE } from './svg.js';

export async function load(q, key, from = '-') {
  const [len, entries, groups] = await q.run([
    ['XLEN', key],
    ['XRANGE', key, from, '+', 'COUNT', String(PAGE)],
    ['XINFO', 'GROUPS', key],
  ]);
  return {
    len: asInt(len),
    from,
    entries: asList(entries).map((e) => {
      const [id, fields] = asList(e);
      const f = asList(fields).map(asBytes);
      const pairs = [];
      for (let i = 0; i + 1 < f.length; i += 2) pairs.push([f[i], f[i + 1]]);
      return { id: asText(id), pairs };
    }),
    groups: groups.type === '-' ? [] : asList(groups).map(info),
  };
}

// info reads one group of XINFO GROUPS (RESP2 pairs or a RESP3 map: both
// parse to flat name, value children).
function info(g) {
  const flat = asList(g);
  const o = {};
  for (let i = 0; i + 1 < flat.length; i += 2) o[asText(flat[i])] = flat[i + 1];
  return { name: asText(o.name), consumers: asInt(o.consumers), pending: asInt(o.pending), last: asText(o['last-delivered-id']) };
}

// idKey turns "ms-seq" into a comparable pair.
function idKey(id) {
  const [ms, seq] = String(id).split('-');
  return [BigInt(ms || 0), BigInt(seq || 0)];
}
const before = (a, b) => {
  const [x, y] = [idKey(a), idKey(b)];
  return x[0] < y[0] || (x[0] === y[0] && x[1] <= y[1]);
};

export function draw(d, more) {
  const box = html('div', { class: 'pic pic-stream' });
  const rowH = 26, left = 16, markW = 150;
  // Each group goes after the last entry shown that it has delivered
  // (-1: before the first one shown).
  const at = new Map();
  for (const g of d.groups) {
    let k = -1;
    d.entries.forEach((e, i) => {
      if (before(e.id, g.last)) k = i;
    });
    if (!at.has(k)) at.set(k, []);
    at.get(k).push(g);
  }
  const rows = d.entries.length + [...at.values()].reduce((n, gs) => n + gs.length, 0);
  const g = svg('svg', { width: 360, height: Math.max(1, rows) * rowH + 10, role: 'img', 'aria-label': `stream of ${d.len} entries, ${d.groups.length} consumer groups` });
  let y = 8;
  const marker = (grp) => {
    g.append(svg('path', { d: `M${left - 8} ${y + 9} h${markW}`, class: 'pic-arrow' }),
      svg('text', { x: left + 4, y: y + 6, class: 'pic-end' },
        `▲ group ${grp.name}: delivered up to ${grp.last}, ${grp.pending} pending, ${grp.consumers} consumer${grp.consumers === 1 ? '' : 's'}`));
    y += rowH;
  };
  for (const grp of at.get(-1) || []) marker(grp);
  g.append(svg('path', { d: `M${left} 4 V${Math.max(1, rows) * rowH + 6}`, class: 'pic-arrow' }));
  d.entries.forEach((e, i) => {
    const fields = e.pairs.map(([f, v]) => `${label(f, 12)}=${label(v, 16)}`).join(' ');
    g.append(svg('circle', { cx: left, cy: y + 9, r: 5, class: 'pic-box' }),
      svg('text', { x: left + 12, y: y + 13, class: 'pic-index' }, e.id),
      svg('text', { x: left + 130, y: y + 13, class: 'pic-value' }, label(new TextEncoder().encode(fields), 34), svg('title', {}, fields)));
    y += rowH;
    for (const grp of at.get(i) || []) marker(grp);
  });
  box.append(g);
  if (!d.groups.length) box.append(html('p', { class: 'pic-note' }, 'No consumer groups: XGROUP CREATE adds one; XREADGROUP then reads for it.'));
  const shown = d.entries.length ? `${d.entries[0].id}–${d.entries[d.entries.length - 1].id}` : 'none';
  box.append(pager(shown, d.len, d.entries.length === PAGE ? more : null));
  return box;
}

// The next page starts after the last entry shown (an exclusive range).
export const next = (d) => '(' + d.entries[d.entries.length - 1].id;
