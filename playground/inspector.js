// Inspector: the bytes of the last request and reply, CR LF visible, each
// RESP element explained.
import * as resp from './resp.js';

const MAX_ROWS = 400;

export class Inspector {
  constructor(root) {
    this.root = root;
    root.setAttribute('aria-label', 'Protocol inspector');
    root.innerHTML = '';
    const h = document.createElement('h2');
    h.textContent = 'Protocol inspector';
    this.who = document.createElement('p');
    this.who.className = 'insp-who';
    this.who.textContent = 'Run a command to see the bytes a client and the server exchange.';
    this.req = section('Request', 'insp-request');
    this.rep = section('Reply', 'insp-reply');
    root.append(h, this.who, this.req.box, this.rep.box);
  }

  show(who, request, reply) {
    this.who.textContent = `Last exchange: ${who}`;
    fill(this.req, request, request.length ? resp.explainRequest(request) : [], request.length ? '' : 'nothing sent: the server pushed this');
    let rows = [];
    let note = '';
    try {
      const { replies, rest } = resp.parseReplies(reply);
      for (const r of replies) resp.explainReply(r, 0, rows);
      if (rest < reply.length) rows.push({ start: rest, end: reply.length, depth: 0, text: 'incomplete reply' });
    } catch (e) {
      rows = [{ start: 0, end: reply.length, depth: 0, text: `not RESP: ${e.message}` }];
    }
    if (!reply.length) note = 'no reply yet: the command is not complete';
    fill(this.rep, reply, rows, note);
  }
}

function section(title, cls) {
  const box = document.createElement('section');
  box.className = `insp-section ${cls}`;
  const h = document.createElement('h3');
  const count = document.createElement('span');
  count.className = 'insp-count';
  h.append(title + ' ', count);
  const table = document.createElement('table');
  table.className = 'insp-table';
  const cap = document.createElement('caption');
  cap.textContent = `${title} bytes and their meaning`;
  cap.className = 'sr-only';
  const body = document.createElement('tbody');
  table.append(cap, body);
  box.append(h, table);
  return { box, count, body };
}

function fill(sec, bytes, rows, note) {
  sec.count.textContent = `(${bytes.length} bytes)`;
  sec.body.innerHTML = '';
  if (note) {
    const tr = document.createElement('tr');
    const td = document.createElement('td');
    td.colSpan = 2;
    td.className = 'insp-note';
    td.textContent = note;
    tr.append(td);
    sec.body.append(tr);
  }
  for (const r of rows.slice(0, MAX_ROWS)) {
    const tr = document.createElement('tr');
    const b = document.createElement('td');
    b.className = 'insp-bytes';
    b.style.paddingLeft = `${0.4 + r.depth * 1.2}em`;
    for (const run of resp.visibleBytes(bytes.subarray(r.start, r.end))) {
      const span = document.createElement('span');
      if (run.ctl) span.className = 'ctl';
      span.textContent = run.text;
      b.append(span);
    }
    const t = document.createElement('td');
    t.className = 'insp-text';
    t.textContent = r.text;
    tr.append(b, t);
    sec.body.append(tr);
  }
  if (rows.length > MAX_ROWS) {
    const tr = document.createElement('tr');
    const td = document.createElement('td');
    td.colSpan = 2;
    td.className = 'insp-note';
    td.textContent = `… ${rows.length - MAX_ROWS} more elements`;
    tr.append(td);
    sec.body.append(tr);
  }
}
