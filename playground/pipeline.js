import * as resp from './resp.js';

// PipelineDemo shows why pipelining matters: the same N INCR commands sent
// one at a time (each waits for its reply: N round trips) and all in one
// write (one round trip), on a connection of its own to whatever engine the
// terminals use, with the numbers measured live.
export const DEMO_KEY = 'demo:pipeline';

export class PipelineDemo {
  // el builds elements (app.js's helper); connect() opens a connection
  // ({send, close}) to the current engine; where() names it.
  constructor(el, { connect, where }) {
    this.connect = connect;
    this.where = where;
    this.count = el('select', { id: 'pipeline-n', 'aria-label': 'Commands per run' },
      ...[100, 1000, 10000].map((n) => el('option', { value: String(n), text: n.toLocaleString('en-US') })));
    this.count.value = '1000';
    this.runBtn = el('button', { type: 'button', class: 'pipeline-run', text: 'Run' });
    this.result = el('tbody');
    this.verdict = el('p', { class: 'pipeline-verdict', role: 'status', 'aria-live': 'polite' });
    this.panel = el('section', { class: 'pg-pipeline', 'aria-label': 'Pipelining demo', hidden: '' },
      el('h2', { text: 'Pipelining' }),
      el('p', { text: 'A client that waits for each reply before sending the next command pays one round trip per command. ' +
        'Pipelining writes many commands at once and then reads all their replies: one round trip for the lot. ' +
        `Both runs below send the same INCR ${DEMO_KEY} commands.` }),
      el('div', { class: 'pipeline-controls' },
        el('label', { for: 'pipeline-n', text: 'Commands ' }), this.count, this.runBtn),
      el('table', { class: 'pipeline-table' },
        el('thead', {}, el('tr', {}, ...['', 'round trips', 'time', 'commands/s'].map((h) => el('th', { scope: 'col', text: h })))),
        this.result),
      this.verdict);
    this.runBtn.addEventListener('click', () => this.run());
    this.el = el;
  }

  toggle() {
    this.panel.hidden = !this.panel.hidden;
    return !this.panel.hidden;
  }

  async run() {
    const n = Number(this.count.value);
    const el = this.el;
    this.runBtn.disabled = true;
    this.result.replaceChildren();
    this.verdict.textContent = `running ${n.toLocaleString('en-US')} commands twice on ${this.where()}…`;
    let conn;
    try {
      conn = await this.connect();
      const incr = resp.encodeCommand(['INCR', DEMO_KEY]);
      await conn.send(resp.encodeCommand(['DEL', DEMO_KEY]));

      let t0 = performance.now();
      let last;
      for (let i = 0; i < n; i++) last = await conn.send(incr);
      const oneByOne = performance.now() - t0;
      expectCount(last, n);

      const batch = new Uint8Array(incr.length * n);
      for (let i = 0; i < n; i++) batch.set(incr, i * incr.length);
      t0 = performance.now();
      const all = await conn.send(batch);
      const pipelined = performance.now() - t0;
      const { replies } = resp.parseReplies(all);
      if (replies.length !== n) throw new Error(`expected ${n} replies, got ${replies.length}`);
      expectCount(null, 2 * n, replies[n - 1]);
      await conn.send(resp.encodeCommand(['DEL', DEMO_KEY]));

      const row = (name, trips, ms) => el('tr', {},
        el('th', { scope: 'row', text: name }),
        el('td', { text: trips.toLocaleString('en-US') }),
        el('td', { text: `${ms.toFixed(1)} ms` }),
        el('td', { class: 'pipeline-rate', text: Math.round(n / (ms / 1000)).toLocaleString('en-US') }));
      this.result.replaceChildren(row('one by one', n, oneByOne), row('pipelined', 1, pipelined));
      this.verdict.textContent = `Pipelined: ${(oneByOne / Math.max(pipelined, 0.001)).toFixed(1)}× faster on ${this.where()}. ` +
        `The counter reached ${2 * n}: every command ran, in order, either way.`;
    } catch (e) {
      this.verdict.textContent = `the demo failed: ${e.message}`;
    } finally {
      conn?.close();
      this.runBtn.disabled = false;
    }
  }
}

// expectCount checks that an INCR reply says want (parsed, when given).
function expectCount(bytes, want, parsed) {
  const r = parsed || resp.parseReply(bytes, 0);
  if (!r || r.type !== ':' || Number(r.value) !== want) {
    throw new Error(`expected (integer) ${want}, got ${r ? resp.formatReply(r).trim() : 'nothing'}`);
  }
}
