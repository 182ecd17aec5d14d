// The overseer dashboard: a table of the processes and the output of the
// selected one, kept live by the event stream GET api/events (see the doc
// of the Go package dashboard). Plain JavaScript, no build step.
//
// Speed: events only change state; the DOM is touched once per animation
// frame, for the rows that changed and the lines that came. The log pane
// keeps at most MAX_LINES line elements. Log text only ever goes into the
// page as text nodes (textContent), never as HTML.
(() => {
  'use strict';

  const MAX_LINES = 2000;
  const ACTIVE = new Set(['starting', 'running', 'stopping', 'backoff']);
  const UP = new Set(['running', 'stopping']);
  const STATES = ['running', 'starting', 'stopping', 'backoff', 'fatal', 'finished', 'interrupted', 'initial'];

  const $ = (id) => document.getElementById(id);
  const rowsEl = $('rows');
  const logEl = $('log');
  const followEl = $('follow');
  const token = readToken();

  // id -> {p: the process (JSON of the API), recv: when p came, row, cells}
  const procs = new Map();
  let rebuild = false; // the table is built again at the next frame
  const dirty = new Set(); // ids of the rows to update at the next frame
  const busy = new Set(); // "id action" of the requests in flight

  // The selected process: its id, the Seq of its last line shown, and the
  // lines that came from the stream while its logs were being fetched.
  let sel = null;
  let pending = []; // lines of sel to show at the next frame
  let frame = 0;
  let snapshots = 0;

  // The token: from the page (served with it on loopback), else from the
  // address (#token=...), kept for the tab's reloads.
  function readToken() {
    const meta = document.querySelector('meta[name="overseer-token"]');
    let t = meta ? meta.content : '';
    const m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
    if (!t && m) {
      try { t = decodeURIComponent(m[1]); } catch (e) { t = m[1]; }
      try { sessionStorage.setItem('overseer-token', t); } catch (e) { /* storage off */ }
      history.replaceState(null, '', location.pathname + location.search);
    }
    if (!t) {
      try { t = sessionStorage.getItem('overseer-token') || ''; } catch (e) { /* storage off */ }
    }
    return t;
  }

  function schedule() {
    if (!frame) frame = requestAnimationFrame(render);
  }

  function render() {
    frame = 0;
    if (rebuild) {
      buildTable();
    } else {
      for (const id of dirty) updateRow(procs.get(id));
    }
    if (rebuild || dirty.size) renderSummary();
    rebuild = false;
    dirty.clear();
    if (pending.length) renderLines();
  }

  // ---- the table ----

  function buildTable() {
    const ids = [...procs.keys()].sort();
    const frag = document.createDocumentFragment();
    for (const id of ids) {
      const e = procs.get(id);
      if (!e.row) makeRow(e);
      updateRow(e);
      frag.appendChild(e.row);
    }
    rowsEl.replaceChildren(frag);
    $('empty').hidden = ids.length > 0;
  }

  function makeRow(e) {
    const tr = document.createElement('tr');
    tr.dataset.id = e.p.id;
    tr.tabIndex = 0;
    const cells = {};
    for (const k of ['name', 'group', 'state', 'pid', 'uptime', 'restarts', 'exit', 'status', 'actions']) {
      const td = document.createElement('td');
      td.className = k;
      tr.appendChild(td);
      cells[k] = td;
    }
    for (const k of ['pid', 'uptime', 'restarts', 'exit']) cells[k].classList.add('num');
    cells.name.textContent = e.p.id;
    cells.pill = document.createElement('span');
    cells.state.appendChild(cells.pill);
    for (const a of ['start', 'stop', 'restart']) {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.action = a;
      b.textContent = a[0].toUpperCase() + a.slice(1);
      cells.actions.appendChild(b);
      cells[a] = b;
    }
    if (sel && sel.id === e.p.id) tr.classList.add('selected');
    e.row = tr;
    e.cells = cells;
  }

  function setText(el, s) {
    if (el.textContent !== s) el.textContent = s;
  }

  function updateRow(e) {
    if (!e || !e.row) return;
    const p = e.p;
    const c = e.cells;
    if (e.row.dataset.state !== p.state) {
      e.row.dataset.state = p.state;
      c.pill.className = 'state-pill s-' + p.state;
    }
    setText(c.pill, p.state);
    setText(c.group, p.group || '');
    setText(c.pid, p.pid ? String(p.pid) : '–');
    setText(c.uptime, uptime(e));
    setText(c.restarts, String(p.restarts));
    setText(c.exit, p.exitCode >= 0 ? String(p.exitCode) : '–');
    setText(c.status, statusText(p));
    c.status.classList.toggle('err', !!p.error && p.state !== 'interrupted'); // a stop is no failure
    if (c.status.title !== (p.error || '')) c.status.title = p.error || '';
    if (c.name.title !== p.cmd) c.name.title = p.cmd || '';
    setButtons(p.id, p.state, c.start, c.stop, c.restart);
    if (sel && sel.id === p.id) updateLogButtons();
  }

  function setButtons(id, state, start, stop, restart) {
    const active = ACTIVE.has(state);
    start.disabled = !token || active || busy.has(id + ' start');
    stop.disabled = !token || !active || busy.has(id + ' stop');
    restart.disabled = !token || busy.has(id + ' restart');
  }

  function updateLogButtons() {
    const box = $('log-actions');
    const e = sel && procs.get(sel.id);
    box.hidden = !e;
    if (!e) return;
    const [start, stop, restart] = box.querySelectorAll('button');
    setButtons(sel.id, e.p.state, start, stop, restart);
  }

  function uptime(e) {
    if (!UP.has(e.p.state)) return '–';
    return duration(e.p.runTime + (performance.now() - e.recv) / 1000);
  }

  function duration(s) {
    s = Math.max(0, Math.floor(s));
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = s % 60;
    const two = (n) => String(n).padStart(2, '0');
    if (d) return `${d}d ${two(h)}h`;
    if (h) return `${h}h ${two(m)}m`;
    if (m) return `${m}m ${two(sec)}s`;
    return `${sec}s`;
  }

  function statusText(p) {
    if (p.error) return p.error;
    switch (p.state) {
      case 'initial': return 'not started';
      case 'starting': return 'starting';
      case 'running': return 'up';
      case 'stopping': return 'stopping';
      case 'backoff': return 'restart pending';
      case 'finished': return 'exited with ' + p.exitCode;
      case 'interrupted': return 'stopped';
      case 'fatal': return 'gave up';
      default: return '';
    }
  }

  function renderSummary() {
    const counts = new Map();
    for (const e of procs.values()) counts.set(e.p.state, (counts.get(e.p.state) || 0) + 1);
    const parts = [`${procs.size} process${procs.size === 1 ? '' : 'es'}`];
    for (const s of STATES) if (counts.get(s)) parts.push(`${counts.get(s)} ${s}`);
    setText($('summary'), parts.join(' · '));
  }

  function setProcess(p) {
    const e = procs.get(p.id);
    if (!e) {
      procs.set(p.id, { p, recv: performance.now(), row: null, cells: null });
      rebuild = true;
      return;
    }
    e.p = p;
    e.recv = performance.now();
    dirty.add(p.id);
  }

  // ---- the event stream ----

  function onSnapshot(d) {
    const seen = new Set();
    for (const p of d.processes) {
      seen.add(p.id);
      setProcess(p);
    }
    for (const id of [...procs.keys()]) {
      if (!seen.has(id)) {
        procs.delete(id);
        rebuild = true;
      }
    }
    if (sel) {
      // Seq counts every line of a process since it was made: fewer lines
      // than the last Seq shown means a new process under the same id, or
      // a new server. Start the pane again.
      const e = procs.get(sel.id);
      if (e && e.p.stdoutLines + e.p.stderrLines < sel.lastSeq) {
        sel.lastSeq = 0;
        pending = [];
        logEl.replaceChildren();
      }
    }
    if (snapshots++ > 0 && sel) load(sel); // lines may have been missed
    schedule();
  }

  function onState(d) {
    if (d.process) {
      setProcess(d.process);
    } else {
      const e = procs.get(d.id);
      if (e) {
        Object.assign(e.p, { state: d.to, pid: d.pid, exitCode: d.exitCode, error: d.error, restarts: d.restarts });
        dirty.add(d.id);
      }
    }
    schedule();
  }

  function onLines(d) {
    if (!sel) return;
    for (const l of d.lines) {
      if (l.id !== sel.id) continue;
      if (sel.loading) sel.early.push(l);
      else accept(l);
    }
    // A hidden tab gets no frames: keep what the pane could show.
    if (pending.length > 2 * MAX_LINES) pending = pending.slice(-MAX_LINES);
    if (sel.early.length > 2 * MAX_LINES) sel.early = sel.early.slice(-MAX_LINES);
    schedule();
  }

  function connect() {
    const es = new EventSource('api/events');
    es.addEventListener('snapshot', (ev) => onSnapshot(JSON.parse(ev.data)));
    es.addEventListener('state', (ev) => onState(JSON.parse(ev.data)));
    es.addEventListener('lines', (ev) => onLines(JSON.parse(ev.data)));
    es.onopen = () => setConn('live');
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) {
        // The server refused the stream: try again, from a snapshot.
        setConn('offline');
        es.close();
        setTimeout(connect, 3000);
      } else {
        setConn('reconnecting');
      }
    };
  }

  function setConn(s) {
    const el = $('conn');
    el.className = 'conn conn-' + s;
    el.textContent = s;
  }

  // ---- the log pane ----

  function select(id) {
    if (sel && sel.id === id) return;
    const old = sel && procs.get(sel.id);
    if (old && old.row) old.row.classList.remove('selected');
    sel = { id, lastSeq: 0, loading: false, again: false, early: [], open: {} };
    const e = procs.get(id);
    if (e && e.row) e.row.classList.add('selected');
    pending = [];
    logEl.replaceChildren();
    $('log-title').textContent = id;
    updateLogButtons();
    load(sel);
  }

  // load fetches the lines of s after the last one shown; lines that come
  // from the stream meanwhile wait in s.early, and duplicates are dropped
  // by Seq.
  async function load(s) {
    if (s.loading) {
      s.again = true;
      return;
    }
    s.loading = true;
    logEl.setAttribute('aria-busy', 'true');
    try {
      const res = await fetch(`api/processes/${encodeURIComponent(s.id)}/logs?since=${s.lastSeq}&limit=${MAX_LINES}`,
        { cache: 'no-store' });
      const body = await res.json();
      if (sel !== s) return;
      if (!res.ok) throw new Error(body.error || res.statusText);
      for (const l of body.lines) accept(l);
    } catch (err) {
      if (sel === s) notify(`output of ${s.id}: ${err.message}`, true);
    } finally {
      s.loading = false;
      if (sel === s) {
        logEl.setAttribute('aria-busy', String(s.again));
        const early = s.early;
        s.early = [];
        for (const l of early) accept(l);
        schedule();
        if (s.again) {
          s.again = false;
          load(s);
        }
      }
    }
  }

  function accept(l) {
    if (l.seq <= sel.lastSeq) return;
    sel.lastSeq = l.seq;
    pending.push(l);
  }

  function renderLines() {
    let batch = pending;
    pending = [];
    for (const s of ['stdout', 'stderr']) {
      if (sel.open[s] && !sel.open[s].isConnected) sel.open[s] = null;
    }
    if (batch.length >= MAX_LINES) {
      batch = batch.slice(-MAX_LINES);
      logEl.replaceChildren();
      sel.open = {};
    }
    const frag = document.createDocumentFragment();
    for (const l of batch) {
      // A Partial line goes on in the next line of its stream.
      let el = sel.open[l.stream];
      if (!el) {
        el = document.createElement('div');
        el.className = 'line ' + l.stream;
        el.sgr = newSGR();
        frag.appendChild(el);
      }
      appendANSI(el, l.text, el.sgr);
      sel.open[l.stream] = l.partial ? el : null;
    }
    logEl.appendChild(frag);
    const excess = logEl.childElementCount - MAX_LINES;
    if (excess > 0) {
      const range = document.createRange();
      range.setStartBefore(logEl.firstElementChild);
      range.setEndBefore(logEl.children[excess]);
      range.deleteContents();
    }
    if (followEl.checked) logEl.scrollTop = logEl.scrollHeight;
  }

  // ---- ANSI escape sequences ----

  // CSI sequences (ESC [ or U+009B, parameters, final byte; groups 1 and 2
  // are the parameters and the final byte), an unfinished CSI at the end,
  // OSC (ESC ]) up to BEL or ESC \, other ESC sequences, and the control
  // characters other than tab. Only SGR (CSI ... m) has an effect: colours
  // and styles. The rest is dropped.
  const ESCAPES = /(?:\x1b\[|\x9b)([0-?]*)[ -\/]*([@-~])|(?:\x1b\[|\x9b)[0-?]*[ -\/]*$|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\|$)|\x1b[ -\/]*[0-~]?|[\x00-\x08\x0a-\x1a\x1c-\x1f\x7f-\x9a\x9c-\x9f]/g;
  const SPECIAL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;

  function newSGR() {
    return { fg: null, bg: null, bold: false, dim: false, italic: false, underline: false, inverse: false, strike: false };
  }

  function plain(st) {
    return st.fg === null && st.bg === null && !st.bold && !st.dim && !st.italic &&
      !st.underline && !st.inverse && !st.strike;
  }

  // appendANSI appends text to el as text nodes and styled spans; st is
  // the SGR state, which goes on from one piece of a Partial line to the
  // next and starts afresh with each line.
  function appendANSI(el, text, st) {
    if (!SPECIAL.test(text)) {
      addText(el, text, st);
      return;
    }
    ESCAPES.lastIndex = 0;
    let last = 0;
    let m;
    while ((m = ESCAPES.exec(text)) !== null) {
      if (m.index > last) addText(el, text.slice(last, m.index), st);
      if (m[2] === 'm') applySGR(st, m[1]);
      last = ESCAPES.lastIndex; // every alternative takes at least one character
    }
    if (last < text.length) addText(el, text.slice(last), st);
  }

  function applySGR(st, params) {
    const p = params === '' ? [0] : params.split(/[;:]/).map((x) => (x === '' ? 0 : Number(x)));
    for (let i = 0; i < p.length; i++) {
      const n = p[i];
      if (n === 0) Object.assign(st, newSGR());
      else if (n === 1) st.bold = true;
      else if (n === 2) st.dim = true;
      else if (n === 3) st.italic = true;
      else if (n === 4) st.underline = true;
      else if (n === 7) st.inverse = true;
      else if (n === 9) st.strike = true;
      else if (n === 22) st.bold = st.dim = false;
      else if (n === 23) st.italic = false;
      else if (n === 24) st.underline = false;
      else if (n === 27) st.inverse = false;
      else if (n === 29) st.strike = false;
      else if (n >= 30 && n <= 37) st.fg = n - 30;
      else if (n === 39) st.fg = null;
      else if (n >= 40 && n <= 47) st.bg = n - 40;
      else if (n === 49) st.bg = null;
      else if (n >= 90 && n <= 97) st.fg = n - 90 + 8;
      else if (n >= 100 && n <= 107) st.bg = n - 100 + 8;
      else if (n === 38 || n === 48) {
        let c;
        if (p[i + 1] === 5 && i + 2 < p.length) {
          c = byte(p[i + 2]);
          i += 2;
        } else if (p[i + 1] === 2 && i + 4 < p.length) {
          c = `rgb(${byte(p[i + 2])}, ${byte(p[i + 3])}, ${byte(p[i + 4])})`;
          i += 4;
        } else {
          return; // malformed: ignore the rest
        }
        if (n === 38) st.fg = c;
        else st.bg = c;
      }
    }
  }

  function byte(n) {
    return Number.isFinite(n) ? Math.min(255, Math.max(0, Math.floor(n))) : 0;
  }

  // color256 is the CSS colour of an xterm colour above 15.
  function color256(n) {
    if (n < 232) {
      const v = [0, 95, 135, 175, 215, 255];
      n -= 16;
      return `rgb(${v[Math.floor(n / 36)]}, ${v[Math.floor(n / 6) % 6]}, ${v[n % 6]})`;
    }
    const g = 8 + (n - 232) * 10;
    return `rgb(${g}, ${g}, ${g})`;
  }

  function addText(el, text, st) {
    if (plain(st)) {
      el.appendChild(document.createTextNode(text));
      return;
    }
    const span = document.createElement('span');
    let fg = st.fg;
    let bg = st.bg;
    if (st.inverse) {
      fg = st.bg === null ? 'bg' : st.bg;
      bg = st.fg === null ? 'fg' : st.fg;
    }
    paint(span, fg, 'f');
    paint(span, bg, 'b');
    if (st.bold) span.classList.add('a-bold');
    if (st.dim) span.classList.add('a-dim');
    if (st.italic) span.classList.add('a-italic');
    if (st.underline) span.classList.add('a-underline');
    if (st.strike) span.classList.add('a-strike');
    span.textContent = text;
    el.appendChild(span);
  }

  // paint gives span the colour c (an xterm colour number, a CSS colour,
  // or 'fg'/'bg' for the pane's own), as foreground (kind 'f') or
  // background ('b').
  function paint(span, c, kind) {
    if (c === null) return;
    if (c === 'fg' || c === 'bg' || (typeof c === 'number' && c < 16)) {
      span.classList.add(kind + '-' + c);
      return;
    }
    const css = typeof c === 'number' ? color256(c) : c;
    if (kind === 'f') span.style.color = css;
    else span.style.backgroundColor = css;
  }

  // ---- actions ----

  async function act(id, action) {
    if (!token) {
      notify('read-only: open the dashboard with #token=… in its address', true);
      return;
    }
    const key = id + ' ' + action;
    if (busy.has(key)) return;
    busy.add(key);
    dirty.add(id);
    schedule();
    try {
      const res = await fetch(`api/processes/${encodeURIComponent(id)}/${action}`, {
        method: 'POST',
        headers: { 'X-Overseer-Token': token },
      });
      if (!res.ok) {
        let msg = `${res.status} ${res.statusText}`;
        try { msg = (await res.json()).error || msg; } catch (e) { /* not JSON */ }
        notify(`${action} ${id}: ${msg}`, true);
      } else {
        notify(`${action} ${id}: done`, false);
      }
    } catch (err) {
      notify(`${action} ${id}: ${err.message}`, true);
    } finally {
      busy.delete(key);
      dirty.add(id);
      schedule();
    }
  }

  let noticeTimer = 0;
  function notify(msg, isError) {
    const el = $('notice');
    el.textContent = msg;
    el.classList.toggle('err', isError);
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { el.textContent = ''; }, isError ? 10000 : 3000);
  }

  // ---- wiring ----

  rowsEl.addEventListener('click', (ev) => {
    const tr = ev.target.closest('tr');
    if (!tr) return;
    const btn = ev.target.closest('button[data-action]');
    if (btn) act(tr.dataset.id, btn.dataset.action);
    else select(tr.dataset.id);
  });
  rowsEl.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && ev.target.matches('tr')) select(ev.target.dataset.id);
  });
  $('log-actions').addEventListener('click', (ev) => {
    const btn = ev.target.closest('button[data-action]');
    if (btn && sel) act(sel.id, btn.dataset.action);
  });
  for (const s of ['stdout', 'stderr']) {
    const box = $('show-' + s);
    box.addEventListener('change', () => logEl.classList.toggle('hide-' + s, !box.checked));
  }
  followEl.addEventListener('change', () => {
    if (followEl.checked) logEl.scrollTop = logEl.scrollHeight;
  });
  logEl.addEventListener('scroll', () => {
    // Scrolling up stops following; scrolling to the end follows again.
    followEl.checked = logEl.scrollHeight - logEl.scrollTop - logEl.clientHeight < 8;
  }, { passive: true });

  $('readonly').hidden = !!token;
  setInterval(() => {
    for (const [id, e] of procs) if (UP.has(e.p.state)) dirty.add(id);
    if (dirty.size) schedule();
  }, 1000);
  connect();
})();
