// Small helpers the pictures share: SVG and HTML elements built from data,
// reply readers, and the page size of every paged fetch.
import { text } from '../resp.js';

export const PAGE = 50; // elements fetched per page: never a whole large value

const NS = 'http://www.w3.org/2000/svg';

// svg makes an SVG element; text children become text nodes.
export function svg(tag, attrs = {}, ...kids) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  e.append(...kids);
  return e;
}

export function html(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  e.append(...kids);
  return e;
}

// label shortens a value for a picture: printable text as is, other
// bytes escaped, at most max characters.
export function label(bytes, max = 24) {
  let s = '';
  for (const c of bytes) {
    s += c >= 32 && c < 127 ? String.fromCharCode(c) : c === 10 ? '\\n' : `\\x${c.toString(16).padStart(2, '0')}`;
    if (s.length > max) return s.slice(0, max - 1) + '…';
  }
  return s;
}

// Reply readers: a parsed reply node (resp.parseReply) to a value.
export const asInt = (r) => Number(r.value);
export const asBytes = (r) => r.value;
export const asText = (r) => (r.value === null ? null : typeof r.value === 'string' ? r.value : text(r.value));
export const asList = (r) => r.children || [];

// pager is the "showing a-b of n" line with a button for the next page.
export function pager(shown, total, more) {
  const p = html('p', { class: 'pic-pager' }, `showing ${shown} of ${total}`);
  if (more) p.append(' ', html('button', { type: 'button', class: 'pic-more', onclick: more }, `next ${PAGE}`));
  return p;
}
