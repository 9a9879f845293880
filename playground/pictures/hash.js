// A hash as a field/value table, fetched with HSCAN pages.
import { html, label, asInt, asList, asBytes, asText, pager, PAGE } from './svg.js';

export async function load(q, key, from = '0') {
  const [len, scan] = await q.run([['HLEN', key], ['HSCAN', key, from, 'COUNT', String(PAGE)]]);
  const [cursor, flat] = asList(scan);
  const pairs = [];
  const items = asList(flat).map(asBytes);
  for (let i = 0; i + 1 < items.length; i += 2) pairs.push([items[i], items[i + 1]]);
  return { len: asInt(len), cursor: asText(cursor), pairs };
}

export function draw(d, more, edit) {
  const box = html('div', { class: 'pic pic-hash' });
  const body = html('tbody');
  for (const [f, v] of d.pairs) {
    const tr = html('tr', {}, html('th', { scope: 'row' }, label(f, 40)), html('td', {}, label(v, 60)));
    if (edit) {
      tr.append(html('td', {}, html('button', { type: 'button', class: 'pic-edit', 'aria-label': `Edit field ${label(f, 40)}`, onclick: () => edit(f, v) }, 'Edit')));
    }
    body.append(tr);
  }
  box.append(html('table', { class: 'pic-table' },
    html('thead', {}, html('tr', {}, html('th', { scope: 'col' }, 'field'), html('th', { scope: 'col' }, 'value'))), body),
  pager(`${d.pairs.length} fields`, d.len, d.cursor !== '0' ? more : null));
  return box;
}

export const next = (d) => d.cursor;
