// Tutorial: lessons read from lessons/*.md (the same files the Go tests
// check), shown beside the terminal. Each step offers click-to-run
// commands and is marked done only when its checks hold against what the
// learner actually did. The terminal is reached through a small host
// interface, so lessons work the same on the in-page engine and remote.
//
// host = {
//   run(term, line)      type a line into terminal 1 or 2 and run it
//   query(line)          run a check command silently; resolves to RESP bytes
//   last()               {typed, reply, busy} of terminal 1 (reply in plain form)
//   onActivity(fn)       call fn after every reply shown in any terminal
//   openTerminal2()      make sure a second client exists
// }

const STORE = "goredis.tutorial.progress";

// parseLesson mirrors playground/lessons/lessons.go.
export function parseLesson(src) {
  const lines = src.replace(/\r\n/g, "\n").split("\n");
  const lesson = { id: "", title: "", seed: [], intro: "", steps: [] };
  let i = 0;
  if (lines[0] && lines[0].trim() === "---") {
    for (i = 1; i < lines.length && lines[i].trim() !== "---"; i++) {
      const at = lines[i].indexOf(":");
      if (at < 0) continue;
      const k = lines[i].slice(0, at).trim(), v = lines[i].slice(at + 1).trim();
      if (k === "id") lesson.id = v;
      else if (k === "title") lesson.title = v;
      else if (k === "seed") lesson.seed.push(v);
    }
    i++;
  }
  let cur = null, text = [];
  const flush = () => {
    const t = text.join("\n").trim();
    if (cur) cur.body = t; else lesson.intro = t;
  };
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith("## ")) {
      flush();
      cur = { title: line.slice(3).trim(), body: "", commands: [], checks: [], hint: "" };
      lesson.steps.push(cur);
      text = [];
    } else if (line.startsWith("```")) {
      const info = line.slice(3).trim().split(/\s+/);
      const block = [];
      for (i++; i < lines.length && !lines[i].startsWith("```"); i++) {
        if (lines[i].trim() !== "") block.push(lines[i].trim());
      }
      if (!cur) continue;
      if (info[0] === "redis") {
        const term = info.includes("terminal=2") ? 2 : 1;
        const first = cur.commands.length;
        for (const b of block) {
          const m = /^# wait (\d+)/.exec(b);
          cur.commands.push({ terminal: term, line: b, wait: m ? Number(m[1]) : 0 });
        }
        text.push(`{{commands ${first}}}`);
      } else if (info[0] === "check") {
        for (const b of block) cur.checks.push(parseCheck(b));
      } else {
        text.push("```", ...block, "```");
      }
    } else if (line.startsWith("> hint:")) {
      if (cur) cur.hint = line.slice(7).trim();
    } else {
      text.push(line);
    }
  }
  flush();
  return lesson;
}

function parseCheck(line) {
  for (const op of ["==", "~="]) {
    const at = line.indexOf(` ${op} `);
    if (at >= 0) return { subject: line.slice(0, at).trim(), op, want: line.slice(at + op.length + 2).trim() };
    if (line.endsWith(` ${op}`)) return { subject: line.slice(0, -op.length - 1).trim(), op, want: "" };
  }
  return { subject: line, op: "==", want: "" };
}

function holds(check, got) {
  return check.op === "~=" ? got.includes(check.want) : got === check.want;
}

// plain renders the first RESP reply of bytes in the checks' plain form;
// returns [text, bytesUsed] (used 0: incomplete).
export function plain(bytes, from = 0) {
  const dec = new TextDecoder();
  let end = -1;
  for (let j = from; j + 1 < bytes.length; j++) {
    if (bytes[j] === 13 && bytes[j + 1] === 10) { end = j; break; }
  }
  if (end < 0 || end === from) return ["", 0];
  const type = String.fromCharCode(bytes[from]);
  const body = dec.decode(bytes.subarray(from + 1, end));
  let used = end + 2 - from;
  switch (type) {
    case "+": case ":": case ",": case "(": return [body, used];
    case "-": case "!": return ["(error) " + body, used];
    case "_": return ["(nil)", used];
    case "#": return [body === "t" ? "(true)" : "(false)", used];
    case "$": case "=": {
      const n = parseInt(body, 10);
      if (n < 0) return ["(nil)", used];
      if (bytes.length < end + 2 + n + 2) return ["", 0];
      let s = dec.decode(bytes.subarray(end + 2, end + 2 + n));
      if (type === "=") s = s.slice(4);
      return [s, used + n + 2];
    }
    case "*": case "~": case "%": case ">": case "|": {
      let n = parseInt(body, 10);
      if (n < 0) return ["(nil)", used];
      if (type === "%" || type === "|") n *= 2;
      const items = [];
      for (let k = 0; k < n; k++) {
        const [t, m] = plain(bytes, from + used);
        if (m === 0) return ["", 0];
        items.push(t);
        used += m;
      }
      if (type === "|") {
        const [t, m] = plain(bytes, from + used);
        return m === 0 ? ["", 0] : [t, used + m];
      }
      return [items.join("|"), used];
    }
  }
  return ["", 0];
}

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
}

// inline renders the small Markdown subset lessons use: `code`, **bold**.
function inline(text) {
  const frag = document.createDocumentFragment();
  const re = /(`[^`]+`|\*\*[^*]+\*\*)/g;
  let last = 0, m;
  while ((m = re.exec(text))) {
    frag.append(text.slice(last, m.index));
    const tok = m[0];
    frag.append(tok.startsWith("`") ? el("code", {}, tok.slice(1, -1)) : el("strong", {}, tok.slice(2, -2)));
    last = m.index + tok.length;
  }
  frag.append(text.slice(last));
  return frag;
}

export class Tutorial {
  constructor(root, host, base = "playground/lessons/") {
    this.root = root;
    this.host = host;
    this.base = base;
    this.lessons = [];
    this.lesson = null;
    this.step = 0;
    this.progress = JSON.parse(localStorage.getItem(STORE) || "{}");
    this.checking = false;
    host.onActivity(() => this.check());
    window.addEventListener("hashchange", () => this.route());
  }

  async load() {
    const idx = await (await fetch(this.base + "index.txt")).text();
    const names = idx.split(/\s+/).filter(Boolean);
    const srcs = await Promise.all(names.map(async (n) => (await fetch(this.base + n)).text()));
    this.lessons = srcs.map(parseLesson);
    this.route();
  }

  // route reads #/lesson/<id>/<step>; a teacher can share such a link.
  route() {
    const m = /^#\/lesson\/([\w-]+)(?:\/(\d+))?/.exec(location.hash);
    if (!m) { this.renderIndex(); return; }
    const lesson = this.lessons.find((l) => l.id === m[1]);
    if (!lesson) { this.renderIndex(); return; }
    const step = Math.min(Math.max(parseInt(m[2] || "1", 10), 1), lesson.steps.length) - 1;
    const fresh = this.lesson !== lesson;
    this.lesson = lesson;
    this.step = step;
    if (fresh && lesson.seed.length && !(this.progress[lesson.id] || []).length) this.reset(false);
    this.render();
  }

  go(id, step) { location.hash = `#/lesson/${id}/${step + 1}`; }

  done(id, step) { return (this.progress[id] || []).includes(step); }

  markDone(id, step) {
    const list = this.progress[id] || (this.progress[id] = []);
    if (!list.includes(step)) list.push(step);
    localStorage.setItem(STORE, JSON.stringify(this.progress));
  }

  async reset(clearProgress = true) {
    if (clearProgress) {
      delete this.progress[this.lesson.id];
      localStorage.setItem(STORE, JSON.stringify(this.progress));
    }
    for (const cmd of this.lesson.seed) await this.host.query(cmd);
    this.render();
  }

  renderIndex() {
    this.lesson = null;
    const list = el("ol", { class: "lesson-list" });
    for (const l of this.lessons) {
      const n = (this.progress[l.id] || []).length;
      list.append(el("li", {}, el("a", { href: `#/lesson/${l.id}/1` }, l.title),
        el("span", { class: "lesson-progress", "aria-label": "progress" }, ` ${n}/${l.steps.length}`)));
    }
    this.root.replaceChildren(el("h2", {}, "Learn Redis"), el("p", {}, "Pick a lesson. Your progress stays in this browser."), list);
  }

  render() {
    const l = this.lesson, st = l.steps[this.step];
    const body = el("div", { class: "step-body" });
    for (const para of st.body.split(/\n\s*\n/)) {
      const cm = /^\{\{commands (\d+)\}\}$/.exec(para.trim());
      if (cm) continue;
      const p = el("p");
      for (const part of para.split(/(\{\{commands \d+\}\})/)) {
        if (!/^\{\{commands/.test(part)) p.append(inline(part.replace(/\n/g, " ")));
      }
      body.append(p);
    }
    const cmds = el("div", { class: "step-commands" });
    for (const c of st.commands) {
      if (c.wait) { cmds.append(el("p", { class: "wait" }, `Wait ${c.wait} seconds.`)); continue; }
      const label = c.terminal === 2 ? `${c.line}  (client 2)` : c.line;
      cmds.append(el("button", {
        class: "run-cmd", type: "button", title: "Run in the terminal",
        onclick: async () => {
          if (c.terminal === 2) await this.host.openTerminal2();
          await this.host.run(c.terminal, c.line);
        },
      }, "▶ " + label));
    }
    const status = el("p", { class: "step-status", role: "status", "aria-live": "polite" },
      this.done(l.id, this.step) ? "✓ Done" : "Try it: type the commands or click them.");
    const nav = el("div", { class: "step-nav" },
      el("button", { type: "button", disabled: this.step === 0 ? "" : null, onclick: () => this.go(l.id, this.step - 1) }, "← Back"),
      el("span", {}, `Step ${this.step + 1} of ${l.steps.length}`),
      el("button", { type: "button", class: "next", onclick: () => this.step + 1 < l.steps.length ? this.go(l.id, this.step + 1) : (location.hash = "#/") },
        this.step + 1 < l.steps.length ? "Next →" : "Finish"));
    if (this.step === 0) nav.firstChild.setAttribute("disabled", "");
    else nav.firstChild.removeAttribute("disabled");
    this.status = status;
    this.root.replaceChildren(
      el("p", { class: "crumbs" }, el("a", { href: "#/" }, "Lessons"), " › ", l.title),
      el("h2", {}, st.title),
      ...(this.step === 0 && l.intro ? [el("p", { class: "intro" }, inline(l.intro))] : []),
      body, cmds, status,
      el("details", { class: "hint" }, el("summary", {}, "Hint"), el("p", {}, inline(st.hint))),
      nav,
      el("button", { type: "button", class: "reset", onclick: () => this.reset(true) }, "Reset lesson"),
    );
  }

  // check evaluates the current step's checks after each reply.
  async check() {
    if (this.checking) {
      // A reply came during a check: check again after it, so the last
      // reply is always judged.
      this.again = true;
      return;
    }
    do {
      this.again = false;
      await this.checkOnce();
    } while (this.again);
  }

  async checkOnce() {
    if (!this.lesson) return;
    const l = this.lesson, stepIndex = this.step, st = l.steps[stepIndex];
    if (!st.checks.length) return;
    this.checking = true;
    try {
      const last = this.host.last();
      const failed = [];
      for (const c of st.checks) {
        let got;
        if (c.subject === "reply") got = last.reply;
        else if (c.subject === "typed") got = last.typed;
        else got = plain(await this.host.query(c.subject))[0];
        if (!holds(c, got)) failed.push(c);
      }
      if (this.lesson !== l || this.step !== stepIndex) return;
      if (!failed.length) {
        this.markDone(l.id, stepIndex);
        this.status.textContent = "✓ Done! Go on with Next.";
        this.status.className = "step-status ok";
      } else if (last.typed) {
        this.status.textContent = "Not yet. " + (st.hint ? "Hint: " + st.hint : "");
        this.status.className = "step-status pending";
      }
    } finally {
      this.checking = false;
    }
  }
}
