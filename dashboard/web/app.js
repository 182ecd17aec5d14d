// The overseer dashboard: a table of the processes and their output, all
// of it combined or that of one process, kept live by the event stream GET
// api/events (see the doc of the Go package dashboard). Plain JavaScript,
// no build step.
//
// Speed: events only change state; the DOM is touched once per animation
// frame, for the rows that changed and the lines that came. The log pane
// keeps at most MAX_LINES elements, each of at most MAX_CHARS characters
// (the Partial pieces of a line join one element; a carriage return
// starts it afresh). Everything a process or the server
// says (output, ids, STATUS= text, errors, warnings) only ever goes into
// the page as text (textContent, title), never as HTML.
(() => {
  'use strict';

  const MAX_LINES = 2000;
  const MAX_CHARS = 10000;
  const ACTIVE = new Set(['starting', 'running', 'stopping', 'backoff']);
  const UP = new Set(['running', 'stopping']);
  const SIGNALABLE = new Set(['starting', 'running', 'stopping']);
  const STATES = ['running', 'starting', 'stopping', 'backoff', 'fatal', 'finished', 'interrupted', 'initial'];
  // What the liveness probe's verdicts mean, for the health badge's title.
  const HEALTH_TITLES = {
    healthy: 'The liveness probe passes',
    unhealthy: 'The liveness probe failed too many times in a row: the run is being restarted',
    unknown: 'The liveness probe has no verdict yet (not ready, within its initial delay, or no run)',
  };
  // A process whose run failed and was restarted less than LOOP_WINDOW
  // ago, or that waits for its restart (backoff), is shown as restarting.
  const LOOP_WINDOW = 60000;
  // In the combined output, names are padded to the longest, at most this.
  const NAME_PAD = 16;
  // The signals of the menu. The server passes on those of GROUP_SIGNALS
  // (and the process's own stop signal) to the whole process group, the
  // others to the main process alone, and says so in its answer.
  const SIGNALS = ['HUP', 'USR1', 'USR2', 'WINCH', 'INT', 'TERM', 'QUIT', 'KILL', 'STOP', 'CONT'];
  const GROUP_SIGNALS = new Set(['INT', 'TERM', 'QUIT', 'KILL', 'ABRT', 'STOP', 'TSTP', 'CONT', 'TTIN', 'TTOU']);
  // The most pids of runs remembered per process.
  const MAX_RUNS = 64;
  // States with a run in progress, whose usage is sampled.
  const IN_RUN = new Set(['starting', 'running', 'stopping']);
  // A sparkline shows the last SPARK_POINTS samples (5 minutes at the
  // default interval of 5 s), in a box of SPARK_W × SPARK_H.
  const SPARK_POINTS = 60;
  const SPARK_W = 60;
  const SPARK_H = 16;
  // The usage of the processes is fetched again every sampling interval,
  // as the samples' times tell it (5 s until they do), within these
  // bounds.
  const USAGE_EVERY = 5000;
  const USAGE_MIN = 1000;
  const USAGE_MAX = 60000;

  const $ = (id) => document.getElementById(id);
  const rowsEl = $('rows');
  const logEl = $('log');
  const followEl = $('follow');
  const menuEl = $('sigmenu');
  const token = readToken();

  // id -> {p: the process (JSON of the API), recv: when p came, row, cells,
  //        runs: pid -> number of the run (0: unknown), lastRun: the
  //        greatest number given, lastFail: when a run last failed and
  //        was to be restarted (performance.now(), null for never),
  //        warning, warningTime: the Event.Warning told of it,
  //        usage: the newest sample of its run in progress (null for
  //        none), hist: the samples of that run, oldest first, at most
  //        SPARK_POINTS ({t, cpu, mem}), histPid: the run they are of}
  const procs = new Map();
  let rebuild = false; // the table is built again at the next frame
  const dirty = new Set(); // ids of the rows to update at the next frame
  const busy = new Set(); // "id action" of the requests in flight
  let namePad = 0; // the width of the names in the combined output

  // The log pane shows a view: the output of process view.id, or of all
  // processes when view.id is null. pending holds what to show at the
  // next frame: lines, and marks ({mark: 'run' | 'warn' | 'missed', id,
  // time, ...}).
  let view = null;
  let pending = [];
  let frame = 0;
  let snapshots = 0;
  // filter is the test of the filter box on the text of a line, or null:
  // every line shown.
  let filter = null;
  const filterEl = $('filter');

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
    namePad = 0;
    for (const id of ids) {
      const e = procs.get(id);
      if (!e.row) makeRow(e);
      updateRow(e);
      frag.appendChild(e.row);
      namePad = Math.max(namePad, Math.min(NAME_PAD, id.length));
    }
    rowsEl.replaceChildren(frag);
    $('empty').hidden = ids.length > 0;
  }

  function makeRow(e) {
    const tr = document.createElement('tr');
    tr.dataset.id = e.p.id;
    tr.tabIndex = 0;
    const cells = {};
    for (const k of ['name', 'group', 'state', 'pid', 'uptime', 'restarts', 'exit', 'cpu', 'mem', 'status', 'actions']) {
      const td = document.createElement('td');
      td.className = k;
      tr.appendChild(td);
      cells[k] = td;
    }
    for (const k of ['pid', 'uptime', 'restarts', 'exit', 'cpu', 'mem']) {
      cells[k].classList.add('num');
      cells[k].dataset.label = k; // shown in the narrow layout, which has no header
    }
    for (const k of ['cpu', 'mem']) {
      cells[k + 'Val'] = span('val', '–');
      cells[k + 'Spark'] = sparkline(k);
      cells[k].append(cells[k + 'Val'], cells[k + 'Spark']);
    }
    e.sparkDirty = true;
    cells.pname = span('pname', e.p.id);
    cells.warn = span('warn-icon', '⚠');
    cells.warn.hidden = true;
    cells.name.append(cells.pname, cells.warn);
    cells.pill = span('state-pill', '');
    cells.loop = span('loop-badge', 'restarting');
    cells.loop.hidden = true;
    cells.health = span('health-badge', '');
    cells.health.hidden = true;
    cells.state.append(cells.pill, cells.health, cells.loop);
    for (const a of ['start', 'stop', 'restart', 'signal']) {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.action = a;
      b.textContent = a[0].toUpperCase() + a.slice(1);
      if (a === 'signal') b.setAttribute('aria-haspopup', 'menu');
      cells.actions.appendChild(b);
      cells[a] = b;
    }
    cells.actions.appendChild(downloadLink(document.createElement('a'), e.p.id));
    if (view && view.id === e.p.id) tr.classList.add('selected');
    e.row = tr;
    e.cells = cells;
  }

  // downloadLink makes a the link that saves the output process id keeps
  // (GET api/processes/{id}/logs.txt), and returns it.
  function downloadLink(a, id) {
    a.className = 'dl';
    a.href = `api/processes/${encodeURIComponent(id)}/logs.txt`;
    a.download = id + '.log';
    a.textContent = 'Log';
    a.title = `Save the output ${id} keeps, as text`;
    return a;
  }

  function span(cls, text) {
    const s = document.createElement('span');
    s.className = cls;
    s.textContent = text;
    return s;
  }

  function setText(el, s) {
    if (el.textContent !== s) el.textContent = s;
  }

  function setTitle(el, s) {
    if (el.title !== s) el.title = s;
  }

  function updateRow(e) {
    if (!e || !e.row) return;
    const p = e.p;
    const c = e.cells;
    if (e.row.dataset.state !== p.state) {
      e.row.dataset.state = p.state;
      c.pill.className = 'state-pill s-' + p.state;
    }
    const loop = looping(e);
    e.row.classList.toggle('looping', loop);
    c.loop.hidden = !loop;
    c.restarts.classList.toggle('hot', loop);
    setTitle(c.loop, loop ? restartsTitle(e) : '');
    setTitle(c.restarts, loop ? restartsTitle(e) : '');
    setText(c.pill, p.state);
    updateHealth(c.health, p.health);
    setText(c.group, p.group || '');
    setText(c.pid, p.pid ? String(p.pid) : '–');
    setTitle(c.pid, p.cgroup ? 'control group ' + p.cgroup : '');
    setText(c.uptime, uptime(e));
    setTitle(c.uptime, p.startTime ? 'started ' + when(p.startTime) : '');
    setText(c.restarts, String(p.restarts));
    setText(c.exit, p.exitCode >= 0 ? String(p.exitCode) : '–');
    setTitle(c.exit, p.stopTime && !ACTIVE.has(p.state) ? 'ended ' + when(p.stopTime) : '');
    updateUsage(e);
    setText(c.status, statusText(e, loop));
    c.status.classList.toggle('err', !!p.error && p.state !== 'interrupted'); // a stop is no failure
    setTitle(c.status, p.error || p.statusText || '');
    setTitle(c.pname, p.cmd || '');
    c.warn.hidden = !e.warning;
    setTitle(c.warn, e.warning || '');
    setButtons(p.id, p.state, c);
    if (view && view.id === p.id) updateLogButtons();
  }

  // updateHealth shows health, what the liveness probe says of a process
  // (healthy, unhealthy or unknown), on badge; no badge without a probe
  // (health left out).
  function updateHealth(badge, health) {
    badge.hidden = !health;
    if (!health) return;
    const cls = 'health-badge h-' + (HEALTH_TITLES[health] ? health : 'unknown');
    if (badge.className !== cls) badge.className = cls;
    setText(badge, health);
    setTitle(badge, HEALTH_TITLES[health] || '');
  }

  function setButtons(id, state, b) {
    const active = ACTIVE.has(state);
    b.start.disabled = !token || active || busy.has(id + ' start');
    b.stop.disabled = !token || !active || busy.has(id + ' stop');
    b.restart.disabled = !token || busy.has(id + ' restart');
    b.signal.disabled = !token || !SIGNALABLE.has(state) || busy.has(id + ' signal');
  }

  function updateLogButtons() {
    const box = $('log-actions');
    const e = view && view.id !== null && procs.get(view.id);
    box.hidden = !e;
    if (!e) return;
    downloadLink($('log-download'), view.id);
    const b = {};
    for (const btn of box.querySelectorAll('button[data-action]')) b[btn.dataset.action] = btn;
    setButtons(view.id, e.p.state, b);
  }

  // looping reports whether process e is in a crash loop: waiting to be
  // restarted after a failure, or restarted after one less than
  // LOOP_WINDOW ago.
  function looping(e) {
    if (e.p.state === 'backoff') return true;
    return ACTIVE.has(e.p.state) && e.lastFail !== null && performance.now() - e.lastFail < LOOP_WINDOW;
  }

  function restartsTitle(e) {
    const n = e.p.restarts;
    let s = `${n} restart${n === 1 ? '' : 's'}`;
    if (e.lastFail !== null) s += `; a run failed ${duration((performance.now() - e.lastFail) / 1000)} ago`;
    return s;
  }

  function uptime(e) {
    if (!UP.has(e.p.state)) return '–';
    return duration((e.p.runTime || 0) + (performance.now() - e.recv) / 1000);
  }

  // when is an instant of the API (RFC 3339) in local time, or "" for
  // none.
  function when(t) {
    const d = new Date(t);
    return isNaN(d) ? '' : d.toLocaleString();
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

  // statusText is the status column: what the state says, then, for a
  // scheduled process, when it runs next and the ticks it skipped.
  function statusText(e, loop) {
    const s = stateText(e, loop);
    const sched = scheduleText(e.p);
    return sched ? s + ' · ' + sched : s;
  }

  function scheduleText(p) {
    const parts = [];
    if (p.nextRun) parts.push('next run ' + new Date(p.nextRun).toLocaleString());
    if (p.skipped) parts.push(`${p.skipped} skipped`);
    return parts.join(' · ');
  }

  function stateText(e, loop) {
    const p = e.p;
    if (p.error) return p.error;
    switch (p.state) {
      case 'initial': return p.nextRun ? 'scheduled' : 'not started';
      case 'starting': return loop ? 'restarting after a failure' : (p.statusText || 'starting');
      case 'running': return (loop ? 'up again after a failure' : 'up') + (p.statusText ? ' · ' + p.statusText : '');
      case 'stopping': return p.statusText || 'stopping';
      case 'backoff': return (p.exitCode >= 0 ? `exited with ${p.exitCode}, ` : 'failed, ') + 'restart pending';
      case 'finished': return 'exited with ' + p.exitCode;
      case 'interrupted': return 'stopped';
      case 'fatal': return 'gave up';
      default: return '';
    }
  }

  function renderSummary() {
    const counts = new Map();
    let loops = 0;
    for (const e of procs.values()) {
      counts.set(e.p.state, (counts.get(e.p.state) || 0) + 1);
      if (looping(e)) loops++;
    }
    const parts = [`${procs.size} process${procs.size === 1 ? '' : 'es'}`];
    for (const s of STATES) if (counts.get(s)) parts.push(`${counts.get(s)} ${s}`);
    const el = $('summary');
    setText(el, parts.join(' · '));
    const loopEl = $('loops');
    loopEl.hidden = loops === 0;
    setText(loopEl, `${loops} restarting`);
    renderTracking();
  }

  // renderTracking says, under the table, how the runs in progress are
  // tracked: each in a control group of its own (cgroup mode), or by its
  // process group.
  function renderTracking() {
    let cg = 0;
    let pg = 0;
    let path = '';
    for (const e of procs.values()) {
      if (!IN_RUN.has(e.p.state) || !e.p.pid) continue;
      if (e.p.cgroup) {
        cg++;
        path = path || e.p.cgroup;
      } else {
        pg++;
      }
    }
    const el = $('tracking');
    el.hidden = cg + pg === 0;
    let s = 'runs tracked by process groups';
    if (cg && pg) s = `runs tracked by control groups (${cg}) and by process groups (${pg})`;
    else if (cg) s = 'runs tracked by control groups';
    setText(el, s);
    setTitle(el, cg ? `Each run in a control group of its own, which none of its processes can leave (such as ${path})`
      : 'Each run tracked by its process group: a process that leaves it (setsid, a double fork) escapes a stop');
  }

  // ---- usage: CPU and memory ----

  // cpuText is a CPU percentage with one decimal: "12.5%".
  function cpuText(pct) {
    return (pct || 0).toFixed(1) + '%';
  }

  // bytesText is a count of bytes in binary units: "812 B", "12.5 MiB",
  // "512 MiB", one decimal under 100.
  function bytesText(n) {
    const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
    if (!(n >= 1024)) return `${Math.max(0, Math.round(n || 0))} B`;
    let v = n / 1024;
    let i = 0;
    while (v >= 1023.5 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return `${v < 99.95 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
  }

  // sparkline returns the SVG of a sparkline of kind ('cpu' or 'mem'),
  // hidden until it has two samples to join: a copy of the page's
  // template (an SVG polyline, then a title), of SPARK_W × SPARK_H.
  const sparkTemplate = $('spark').content.firstElementChild;
  function sparkline(kind) {
    const svg = sparkTemplate.cloneNode(true);
    svg.classList.add(kind);
    return svg;
  }

  // drawSpark draws the samples hist of kind ('cpu' or 'mem') into svg:
  // the newest at the right, one slot per sample; from 0 to the greatest
  // value (at least 100% for CPU).
  function drawSpark(svg, hist, kind) {
    const pts = hist.slice(-SPARK_POINTS);
    if (pts.length < 2) {
      svg.setAttribute('hidden', '');
      return;
    }
    let max = kind === 'cpu' ? 100 : 1;
    let min = Infinity;
    let top = 0;
    for (const s of pts) {
      max = Math.max(max, s[kind]);
      min = Math.min(min, s[kind]);
      top = Math.max(top, s[kind]);
    }
    const step = SPARK_W / (SPARK_POINTS - 1);
    const x0 = SPARK_W - (pts.length - 1) * step;
    const points = pts.map((s, i) => `${(x0 + i * step).toFixed(1)},${(SPARK_H - 1 - (s[kind] / max) * (SPARK_H - 2)).toFixed(1)}`);
    svg.firstChild.setAttribute('points', points.join(' '));
    const text = kind === 'cpu' ? cpuText : bytesText;
    svg.lastChild.textContent = `${kind === 'cpu' ? 'CPU' : 'memory'} over the last ${duration((pts[pts.length - 1].t - pts[0].t) / 1000)}: ` +
      `${text(min)} to ${text(top)}`;
    svg.removeAttribute('hidden');
  }

  // updateUsage shows the usage of e's run in progress in its row: '–'
  // for none (at rest, before the first sample, sampling off).
  function updateUsage(e) {
    const c = e.cells;
    const u = IN_RUN.has(e.p.state) ? e.usage : null;
    setText(c.cpuVal, u ? cpuText(u.cpuPercent) : '–');
    setText(c.memVal, u ? bytesText(u.memoryBytes) : '–');
    setTitle(c.cpu, u ? `${(u.cpuSeconds || 0).toFixed(1)} s of CPU since the run started` : '');
    let tasks = '';
    if (u) {
      tasks = `${u.tasks} process${u.tasks === 1 ? '' : 'es'}, ${u.threads} thread${u.threads === 1 ? '' : 's'}`;
      if (u.fds >= 0) tasks += `, ${u.fds} open file${u.fds === 1 ? '' : 's'}`;
    }
    setTitle(c.mem, tasks);
    if (e.sparkDirty) {
      drawSpark(c.cpuSpark, u ? e.hist : [], 'cpu');
      drawSpark(c.memSpark, u ? e.hist : [], 'mem');
      e.sparkDirty = false;
    }
  }

  // noteUsage takes the usage of e.p, the process as it is now: a run
  // other than that of e.hist, or none, starts the history afresh.
  function noteUsage(e) {
    const p = e.p;
    const pid = IN_RUN.has(p.state) ? p.pid : 0;
    if (pid !== e.histPid) {
      e.hist = [];
      e.histTime = 0;
      e.histPid = pid;
      e.usage = null;
      e.sparkDirty = true;
    }
    if (pid && p.usage && p.usage.time) addSamples(e, [p.usage]);
  }

  // addSamples adds samples (JSONUsage, oldest first) of e's run in
  // progress to those it has, in the order of their times, once each:
  // new ones at the end; older ones (the history fetched after the
  // newest sample came with the process) in their place.
  function addSamples(e, samples) {
    if (!e.histPid) return;
    for (const s of samples) {
      const t = Date.parse(s.time);
      if (isNaN(t)) continue;
      const point = { t, cpu: s.cpuPercent || 0, mem: s.memoryBytes || 0 };
      if (t > e.histTime) {
        e.hist.push(point);
        e.histTime = t;
        e.usage = s;
      } else {
        let i = e.hist.length;
        while (i > 0 && e.hist[i - 1].t > t) i--;
        if (i > 0 && e.hist[i - 1].t === t) continue; // had it
        e.hist.splice(i, 0, point);
      }
      e.sparkDirty = true;
      dirty.add(e.p.id);
    }
    if (e.hist.length > SPARK_POINTS) e.hist.splice(0, e.hist.length - SPARK_POINTS);
  }

  // The usage is fetched with GET api/usage: all the samples kept, then,
  // every sampling interval, those since the last answer (less an
  // interval, for samples being taken as it was made; those the page has
  // are skipped). Not while the tab is hidden: when it shows again, the
  // next request gets what it missed.
  let usageSince = '';
  let usageEvery = USAGE_EVERY;
  let usageTimer = 0;
  let usageBusy = false;
  let usageGen = 0; // counts the snapshots: one makes the next request ask for all

  function startUsage() {
    if (!usageTimer && !usageBusy && !document.hidden) pollUsage();
  }

  async function pollUsage() {
    usageTimer = 0;
    if (document.hidden) return; // startUsage goes on when it shows
    usageBusy = true;
    const gen = usageGen;
    try {
      const res = await fetch('api/usage' + (usageSince ? '?since=' + encodeURIComponent(usageSince) : ''), { cache: 'no-store' });
      const body = await res.json();
      if (!res.ok) throw new Error(body.error || res.statusText);
      const gaps = [];
      for (const [id, samples] of Object.entries(body.processes || {})) {
        const e = procs.get(id);
        if (!e) continue;
        for (let i = 1; i < samples.length; i++) gaps.push(Date.parse(samples[i].time) - Date.parse(samples[i - 1].time));
        addSamples(e, samples);
      }
      if (gaps.length) {
        gaps.sort((a, b) => a - b);
        const gap = gaps[gaps.length >> 1];
        if (gap > 0) usageEvery = Math.min(USAGE_MAX, Math.max(USAGE_MIN, gap));
      }
      const t = Date.parse(body.time);
      if (!isNaN(t) && gen === usageGen) usageSince = new Date(t - usageEvery).toISOString();
      schedule();
    } catch (err) {
      // Tried again at the next interval; the stream's badge tells a
      // server gone.
    } finally {
      usageBusy = false;
      if (!document.hidden) usageTimer = setTimeout(pollUsage, usageEvery);
    }
  }

  // setProcess takes p, the process as the server has it now; fresh tells
  // that it comes from a snapshot, which may follow missed events.
  function setProcess(p, fresh) {
    let e = procs.get(p.id);
    if (!e) {
      e = { p, recv: performance.now(), row: null, cells: null, runs: new Map(), lastRun: 0, lastFail: null, warning: '', warningTime: '',
        usage: null, hist: [], histTime: 0, histPid: 0, sparkDirty: true };
      procs.set(p.id, e);
      rebuild = true;
      noteUsage(e);
      // Restarted less than LOOP_WINDOW ago: as far as the page can tell,
      // after a failure.
      if (p.restarts > 0 && ACTIVE.has(p.state) && p.runTime * 1000 < LOOP_WINDOW) {
        e.lastFail = performance.now() - (p.runTime || 0) * 1000;
      }
      return e;
    }
    if (fresh && p.restarts > e.p.restarts && ACTIVE.has(p.state)) {
      e.lastFail = performance.now() - (p.runTime || 0) * 1000; // missed while away
    }
    e.p = p;
    e.recv = performance.now();
    noteUsage(e);
    dirty.add(p.id);
    return e;
  }

  // noteRun gives the run pid of e its number, if it has none yet: runs
  // are counted from the process's restarts (the run after n restarts is
  // run n+1), and a run the page sees begin is one more than the last it
  // numbered, which also counts a start after a stop.
  function noteRun(e, pid, restarts) {
    if (!pid || e.runs.has(pid)) return;
    const n = Math.max(e.lastRun + 1, (restarts || 0) + 1);
    setRun(e, pid, n);
    e.lastRun = n;
  }

  function setRun(e, pid, n) {
    e.runs.set(pid, n);
    if (e.runs.size > MAX_RUNS) e.runs.delete(e.runs.keys().next().value);
  }

  // numberRuns numbers the runs of lines (of the past, in order) that
  // have no number yet: back from the first known run after them, one
  // less each, or back from the last known run. Numbers below 1 (a start
  // after a stop is no restart) are unknown: 0.
  function numberRuns(lines) {
    const order = new Map(); // id -> the pids of its lines, in order
    for (const l of lines) {
      if (!l.pid) continue;
      const pids = order.get(l.id);
      if (!pids) order.set(l.id, [l.pid]);
      else if (pids[pids.length - 1] !== l.pid && !pids.includes(l.pid)) pids.push(l.pid);
    }
    for (const [id, pids] of order) {
      const e = procs.get(id);
      if (!e) continue;
      let next = e.lastRun; // an unknown last run ran before the last known
      for (let i = pids.length - 1; i >= 0; i--) {
        const known = e.runs.get(pids[i]);
        if (known !== undefined) {
          next = known;
          continue;
        }
        next = Math.max(0, next - 1);
        setRun(e, pids[i], next);
      }
    }
  }

  // ---- the event stream ----

  function onSnapshot(d) {
    const seen = new Set();
    const warnings = d.warnings || {};
    for (const p of d.processes) {
      seen.add(p.id);
      const e = setProcess(p, true);
      noteRun(e, p.pid, p.restarts);
      const w = Object.prototype.hasOwnProperty.call(warnings, p.id) ? String(warnings[p.id]) : '';
      if (w && w !== e.warning) {
        e.warning = w;
        dirty.add(p.id);
      }
    }
    for (const id of [...procs.keys()]) {
      if (!seen.has(id)) {
        procs.delete(id);
        rebuild = true;
      }
    }
    usageSince = ''; // all the samples again: a new server, or events missed
    usageGen++;
    startUsage();
    if (snapshots++ === 0) {
      select(null); // the combined output, once the processes are known
    } else if (view) {
      // Seq counts every line of a process since it was made: fewer lines
      // than the last Seq shown means a new process under the same id, or
      // a new server. Start the pane again.
      let reset = false;
      for (const [id, seq] of view.lastSeq) {
        const e = procs.get(id);
        if (e && e.p.stdoutLines + e.p.stderrLines < seq) reset = true;
      }
      if (reset) {
        const id = view.id;
        view = null;
        select(id);
      } else {
        load(view); // lines may have been missed
      }
    }
    schedule();
  }

  function onState(d) {
    let e = procs.get(d.id);
    if (d.process) {
      e = setProcess(d.process, false);
    } else if (e) {
      Object.assign(e.p, { state: d.to, pid: d.pid, exitCode: d.exitCode, error: d.error, restarts: d.restarts, health: d.health, nextRun: d.nextRun, statusText: d.statusText });
      noteUsage(e);
      dirty.add(d.id);
    }
    if (!e) return;
    if (d.to === 'backoff' && d.from !== 'backoff') e.lastFail = performance.now();
    if (d.to === 'running' && d.pid) {
      noteRun(e, d.pid, d.restarts);
      if (inView(d.id)) queue({ mark: 'run', id: d.id, pid: d.pid, time: d.time });
    }
    if (d.warning) {
      e.warning = String(d.warning);
      e.warningTime = d.time;
      dirty.add(d.id);
      if (inView(d.id)) queue({ mark: 'warn', id: d.id, text: e.warning, time: d.time });
    }
    schedule();
  }

  function onLines(d) {
    if (!view) return;
    const all = view.id === null;
    for (const l of d.lines) {
      if (!all && l.id !== view.id) continue;
      if (view.loading) view.early.push(l);
      else accept(l);
    }
    // A hidden tab gets no frames: keep what the pane could show.
    if (pending.length > 2 * MAX_LINES) pending = pending.slice(-MAX_LINES);
    if (view.early.length > 2 * MAX_LINES) view.early = view.early.slice(-MAX_LINES);
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

  // select shows the output of process id, or of all processes for null.
  function select(id) {
    if (view && view.id === id) return;
    const old = view && view.id !== null && procs.get(view.id);
    if (old && old.row) old.row.classList.remove('selected');
    view = {
      id,
      lastSeq: new Map(), // id -> the Seq of its last line shown
      marked: new Map(), // id -> the pids of its last runs shown
      warned: new Set(), // ids whose warning is shown
      open: new Map(), // "id stream" -> the line of a Partial line going on
      loading: false,
      again: false,
      early: [], // what came from the stream while loading
    };
    const e = id !== null && procs.get(id);
    if (e && e.row) e.row.classList.add('selected');
    pending = [];
    logEl.replaceChildren();
    logEl.classList.toggle('combined', id === null);
    $('log-title').textContent = id === null ? 'All processes' : id;
    $('show-all').hidden = id === null;
    updateLogButtons();
    load(view);
  }

  function inView(id) {
    return view !== null && (view.id === null || view.id === id);
  }

  // queue shows a mark now, or after the lines being fetched.
  function queue(item) {
    if (view.loading) view.early.push(item);
    else accept(item);
    schedule();
  }

  // load fetches the lines of v after the last one shown (of one process),
  // or the newest of all; what comes from the stream meanwhile waits in
  // v.early, and lines already shown are dropped by Seq.
  async function load(v) {
    if (v.loading) {
      v.again = true;
      return;
    }
    v.loading = true;
    logEl.setAttribute('aria-busy', 'true');
    const url = v.id === null ? `api/logs?limit=${MAX_LINES}`
      : `api/processes/${encodeURIComponent(v.id)}/logs?since=${v.lastSeq.get(v.id) || 0}&limit=${MAX_LINES}`;
    try {
      const res = await fetch(url, { cache: 'no-store' });
      const body = await res.json();
      if (view !== v) return;
      if (!res.ok) throw new Error(body.error || res.statusText);
      numberRuns(body.lines);
      for (const l of body.lines) accept(l);
      // The warnings told before: after the lines of the past.
      for (const [id, e] of procs) {
        if (e.warning && inView(id)) accept({ mark: 'warn', id, text: e.warning, time: e.warningTime });
      }
    } catch (err) {
      if (view === v) notify(`output of ${v.id === null ? 'all processes' : v.id}: ${err.message}`, true);
    } finally {
      v.loading = false;
      if (view === v) {
        logEl.setAttribute('aria-busy', String(v.again));
        const early = v.early;
        v.early = [];
        for (const item of early) accept(item);
        schedule();
        if (v.again) {
          v.again = false;
          load(v);
        }
      }
    }
  }

  // accept takes a line or a mark for the pane, unless it is shown
  // already. A line of a run other than those shown of its process comes
  // after a mark "run N started": runs overlap in a rolling restart, so
  // the last few runs of each process are remembered, not only the last.
  function accept(item) {
    const id = item.id;
    if (item.mark === 'run') {
      if (markRun(id, item.pid, true)) pending.push(runMark(id, item.pid, item.time));
      return;
    }
    if (item.mark === 'warn') {
      if (view.warned.has(id)) return;
      view.warned.add(id);
      pending.push(item);
      return;
    }
    const last = view.lastSeq.get(id);
    if (last !== undefined && item.seq <= last) return;
    view.lastSeq.set(id, item.seq);
    if (item.missed > 0) {
      // The stream fell behind the process's rings: say how many lines
      // of it are not shown, with a way to fetch those still kept.
      pending.push({ mark: 'missed', id, time: item.time, from: item.seq - item.missed, to: item.seq - 1 });
    }
    if (item.pid && markRun(id, item.pid, false)) {
      const e = procs.get(id);
      if (e) noteRun(e, item.pid, e.p.restarts); // the line came before its run's event
      pending.push(runMark(id, item.pid, item.time));
    }
    pending.push(item);
  }

  // markRun remembers that run pid of process id is shown, and reports
  // whether it needs a mark: a run not shown yet, that follows another
  // one (always) or the beginning of the pane (only when its start was
  // seen, byEvent).
  function markRun(id, pid, byEvent) {
    const pids = view.marked.get(id);
    if (!pids) {
      view.marked.set(id, [pid]);
      return byEvent;
    }
    if (pids.includes(pid)) return false;
    pids.push(pid);
    if (pids.length > 4) pids.shift();
    return true;
  }

  function runMark(id, pid, time) {
    const e = procs.get(id);
    const n = e ? e.runs.get(pid) : 0;
    const text = n ? `— run ${n} started (pid ${pid}) —` : `— a new run started (pid ${pid}) —`;
    return { mark: 'run', id, pid, time, text };
  }

  // clock is the time of day of an instant of the API, as the server
  // wrote it (RFC 3339 in its zone: the zone of the times the processes
  // print), "HH:MM:SS"; "" for none.
  function clock(t) {
    return typeof t === 'string' && t.length >= 19 && t[13] === ':' && t[16] === ':' ? t.slice(11, 19) : '';
  }

  // colourOf is one of 6 colours for the name of process id.
  function colourOf(id) {
    let h = 0;
    for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) | 0;
    return 'c' + (Math.abs(h) % 6);
  }

  // lineEl makes the element of a line or a mark, with its time (shown
  // by the style sheet, from data-t) and, in the combined output, the name
  // of its process. Few nodes per line: the pane may change by thousands
  // of lines a second.
  function lineEl(cls, id, time, combined) {
    const el = document.createElement('div');
    el.className = cls;
    el.dataset.t = clock(time) || '--:--:--';
    if (combined) {
      const src = span('src ' + colourOf(id), id.padEnd(namePad));
      src.dataset.id = id;
      el.append(src, ' | ');
    }
    return el;
  }

  function renderLines() {
    let batch = pending;
    pending = [];
    for (const [k, el] of view.open) {
      if (!el.isConnected) view.open.delete(k);
    }
    if (batch.length >= MAX_LINES) {
      batch = batch.slice(-MAX_LINES);
      logEl.replaceChildren();
      view.open.clear();
    }
    const combined = view.id === null;
    const frag = document.createDocumentFragment();
    for (const item of batch) {
      if (item.mark === 'missed') {
        // What follows does not continue what came before.
        view.open.delete(item.id + ' stdout');
        view.open.delete(item.id + ' stderr');
        frag.appendChild(missedEl(item, combined));
        continue;
      }
      if (item.mark) {
        const el = lineEl('mark ' + item.mark, item.id, item.time, combined);
        el.append(cut(item.mark === 'warn' ? '⚠ ' + item.text : item.text));
        frag.appendChild(el);
        continue;
      }
      const el = lineOf(item, combined, frag);
      appendOutput(el, item.text);
      if (item.partial) view.open.set(item.id + ' ' + item.stream, el);
      if (filter) el.classList.toggle('filtered', !filter(el.textContent));
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

  // lineOf returns the element a line goes into: that of the Partial line
  // it continues (the line before it of its process, stream and run), or a
  // new one, appended to parent.
  function lineOf(item, combined, parent) {
    const key = item.id + ' ' + item.stream;
    let el = view.open.size ? view.open.get(key) : undefined;
    if (el) view.open.delete(key);
    if (el && el.pid === item.pid) return el;
    el = lineEl('line ' + item.stream, item.id, item.time, combined);
    if (item.hook) el.append(span('hook', '[' + item.hook + '] ')); // a PreStart, PostStop or StopCommand's line
    el.sgr = newSGR();
    el.head = el.childNodes.length; // the name of the process and the hook, if shown
    el.len = 0; // characters of output shown
    el.cut = false; // past MAX_CHARS: the rest is not shown
    el.pid = item.pid;
    parent.appendChild(el);
    return el;
  }

  // missedEl makes the notice of lines from..to of a process that the
  // stream could not give, with a button that fetches those still kept.
  function missedEl(item, combined) {
    const el = lineEl('mark missed', item.id, item.time, combined);
    el.head = el.childNodes.length; // the name of the process, if shown
    const n = item.to - item.from + 1;
    el.append(`— ${n} line${n === 1 ? '' : 's'} not shown (the page fell behind) — `);
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'fetch';
    b.textContent = 'show';
    b.title = 'Fetch these lines, if the process still keeps them';
    b.addEventListener('click', () => fetchMissed(el, item, combined));
    el.appendChild(b);
    return el;
  }

  // fetchMissed puts the lines item.from..item.to of process item.id that
  // the process still keeps in place of their notice el.
  async function fetchMissed(el, item, combined) {
    const v = view;
    el.lastChild.disabled = true;
    try {
      const res = await fetch(`api/processes/${encodeURIComponent(item.id)}/logs?since=${item.from - 1}`, { cache: 'no-store' });
      const body = await res.json();
      if (!res.ok) throw new Error(body.error || res.statusText);
      if (view !== v || !el.isConnected) return;
      const lines = body.lines.filter((l) => l.seq >= item.from && l.seq <= item.to);
      const frag = document.createDocumentFragment();
      const open = v.open;
      v.open = new Map(); // the fetched lines join among themselves only
      for (const l of lines) {
        const line = lineOf(l, combined, frag);
        appendOutput(line, l.text);
        if (l.partial) v.open.set(l.id + ' ' + l.stream, line);
        if (filter) line.classList.toggle('filtered', !filter(line.textContent));
      }
      v.open = open;
      const gone = item.to - item.from + 1 - lines.length;
      el.replaceChildren(...[...el.childNodes].slice(0, el.head));
      el.before(frag);
      if (gone > 0) {
        el.append(`— ${gone} line${gone === 1 ? '' : 's'} no longer kept —`);
      } else {
        el.remove();
      }
    } catch (err) {
      el.lastChild.disabled = false;
      notify(`lines of ${item.id}: ${err.message}`, true);
    }
  }

  // ---- the filter ----

  // setFilter makes the filter of text s: lines that have s in them, in
  // any case, or, for s as /RE/ or /RE/FLAGS, that match the regular
  // expression RE (in any case unless FLAGS are given). An invalid one
  // marks the box and shows every line.
  function setFilter(s) {
    filter = null;
    filterEl.classList.remove('invalid');
    filterEl.removeAttribute('aria-invalid');
    filterEl.title = 'Show only the lines with this text, in any case; /regex/ for a regular expression';
    const m = /^\/(.*)\/([a-z]*)$/s.exec(s);
    if (m) {
      try {
        const re = new RegExp(m[1], m[2] ? m[2].replace(/[gy]/g, '') : 'i');
        filter = (t) => re.test(t);
      } catch (err) {
        filterEl.classList.add('invalid');
        filterEl.setAttribute('aria-invalid', 'true');
        filterEl.title = err.message;
      }
    } else if (s !== '') {
      const needle = s.toLowerCase();
      filter = (t) => t.toLowerCase().includes(needle);
    }
    for (const el of logEl.children) {
      if (el.classList.contains('line')) el.classList.toggle('filtered', !!filter && !filter(el.textContent));
    }
    logEl.classList.toggle('filtering', !!filter);
    if (followEl.checked) logEl.scrollTop = logEl.scrollHeight;
  }

  // cut returns s, or its first MAX_CHARS characters and an ellipsis.
  function cut(s) {
    return s.length > MAX_CHARS ? s.slice(0, MAX_CHARS) + '…' : s;
  }

  // appendOutput appends text, a piece of a line, to el as a terminal
  // shows it: the text after a carriage return replaces the line (a
  // progress bar redrawn by \r stays one line of its last state, however
  // long it runs). A \r at the end waits for the text that follows it: at
  // the end of a line (CRLF) it changes nothing.
  function appendOutput(el, text) {
    let end = text.length;
    while (end > 0 && text[end - 1] === '\r') end--;
    const cr = end > 0 ? text.lastIndexOf('\r', end - 1) : -1;
    const last = text.slice(cr + 1, end);
    if (last !== '') {
      if (cr >= 0 || el.cr) {
        while (el.childNodes.length > el.head) el.lastChild.remove();
        el.len = 0;
        el.cut = false;
      }
      el.cr = false;
      if (!el.cut) appendANSI(el, last, el.sgr);
    }
    if (end < text.length) el.cr = true;
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

  // addText appends text in the style st, within MAX_CHARS characters for
  // el: past them, an ellipsis ends it.
  function addText(el, text, st) {
    if (el.cut) return;
    const room = MAX_CHARS - el.len;
    el.cut = text.length > room;
    if (el.cut) text = text.slice(0, room);
    el.len += text.length;
    if (text !== '') addStyled(el, text, st);
    if (el.cut) {
      const more = span('cut', '…');
      more.title = `cut at ${MAX_CHARS} characters`;
      el.appendChild(more);
    }
  }

  function addStyled(el, text, st) {
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

  // act posts action (start, stop, restart, signal) for process id, with
  // body as JSON if given, and returns the answer, or null after a failure
  // (told in the notice).
  async function act(id, action, body, what) {
    what = what || `${action} ${id}`;
    if (!token) {
      notify('read-only: open the dashboard with #token=… in its address', true);
      return null;
    }
    const key = id + ' ' + action;
    if (busy.has(key)) return null;
    busy.add(key);
    dirty.add(id);
    schedule();
    try {
      const init = { method: 'POST', headers: { 'X-Overseer-Token': token } };
      if (body !== undefined) {
        init.headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
      }
      const res = await fetch(`api/processes/${encodeURIComponent(id)}/${action}`, init);
      let answer = null;
      try { answer = await res.json(); } catch (e) { /* not JSON */ }
      if (!res.ok) {
        notify(`${what}: ${(answer && answer.error) || `${res.status} ${res.statusText}`}`, true);
        return null;
      }
      return answer || {};
    } catch (err) {
      notify(`${what}: ${err.message}`, true);
      return null;
    } finally {
      busy.delete(key);
      dirty.add(id);
      schedule();
    }
  }

  async function run(id, action) {
    if (await act(id, action)) notify(`${action} ${id}: done`, false);
  }

  async function sendSignal(id, name) {
    const answer = await act(id, 'signal', { signal: name }, `signal ${name} to ${id}`);
    if (!answer) return;
    const to = answer.reached === 'group' ? 'its whole process group' : 'its main process';
    notify(`${answer.signal || name} sent to ${id}: reached ${to}`, false);
  }

  let noticeTimer = 0;
  function notify(msg, isError) {
    const el = $('notice');
    el.textContent = msg;
    el.title = msg;
    el.classList.toggle('err', isError);
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { el.textContent = ''; el.title = ''; }, isError ? 10000 : 5000);
  }

  // ---- the signal menu ----

  function buildMenu() {
    for (const name of SIGNALS) {
      const b = document.createElement('button');
      b.type = 'button';
      b.setAttribute('role', 'menuitem');
      b.dataset.signal = name;
      b.append(span('sig', name), span('reach', GROUP_SIGNALS.has(name) ? 'group' : 'main process'));
      b.title = GROUP_SIGNALS.has(name) ? `SIG${name} to the whole process group`
        : `SIG${name} to the main process alone (the whole group if it is the process's stop signal)`;
      menuEl.appendChild(b);
    }
  }

  let menuOpener = null;
  let menuAt = null; // where menuOpener was when the menu opened

  // openMenu opens the signal menu for process id under (or above) the
  // button opener, within the window.
  function openMenu(opener, id) {
    if (menuOpener === opener) {
      closeMenu();
      return;
    }
    menuEl.dataset.id = id;
    menuEl.hidden = false;
    menuOpener = opener;
    opener.setAttribute('aria-expanded', 'true');
    const r = opener.getBoundingClientRect();
    menuAt = { top: r.top, left: r.left };
    const w = menuEl.offsetWidth;
    const h = menuEl.offsetHeight;
    const left = Math.max(4, Math.min(r.right - w, innerWidth - w - 4));
    const below = r.bottom + 2 + h <= innerHeight;
    menuEl.style.left = left + 'px';
    menuEl.style.top = (below ? r.bottom + 2 : Math.max(4, r.top - h - 2)) + 'px';
    menuEl.querySelector('button').focus();
  }

  function closeMenu() {
    if (!menuOpener) return;
    menuEl.hidden = true;
    menuOpener.setAttribute('aria-expanded', 'false');
    menuOpener = null;
  }

  // ---- wiring ----

  function onAction(btn, id) {
    if (btn.dataset.action === 'signal') openMenu(btn, id);
    else run(id, btn.dataset.action);
  }

  rowsEl.addEventListener('click', (ev) => {
    const tr = ev.target.closest('tr');
    if (!tr || ev.target.closest('a')) return;
    const btn = ev.target.closest('button[data-action]');
    if (btn) onAction(btn, tr.dataset.id);
    else select(tr.dataset.id);
  });
  rowsEl.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && ev.target.matches('tr')) select(ev.target.dataset.id);
  });
  $('log-actions').addEventListener('click', (ev) => {
    const btn = ev.target.closest('button[data-action]');
    if (btn && view && view.id !== null) onAction(btn, view.id);
  });
  $('show-all').addEventListener('click', () => select(null));
  logEl.addEventListener('click', (ev) => {
    const src = ev.target.closest('.src');
    if (src && !getSelection().toString()) select(src.dataset.id);
  });
  menuEl.addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-signal]');
    if (!b) return;
    const id = menuEl.dataset.id;
    closeMenu();
    sendSignal(id, b.dataset.signal);
  });
  document.addEventListener('click', (ev) => {
    if (menuOpener && !menuEl.contains(ev.target) && ev.target !== menuOpener) closeMenu();
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && menuOpener) {
      const opener = menuOpener;
      closeMenu();
      opener.focus();
    }
  });
  addEventListener('resize', closeMenu);
  // A scroll of the table that moves the menu's button away closes the
  // menu; one that came before the menu opened (its event is dispatched
  // at the next frame: a click right after scrolling a button into view)
  // does not.
  $('procs-box').addEventListener('scroll', () => {
    if (!menuOpener) return;
    const r = menuOpener.getBoundingClientRect();
    if (Math.abs(r.top - menuAt.top) > 1 || Math.abs(r.left - menuAt.left) > 1) closeMenu();
  }, { passive: true });
  for (const s of ['stdout', 'stderr']) {
    const box = $('show-' + s);
    box.addEventListener('change', () => logEl.classList.toggle('hide-' + s, !box.checked));
  }
  filterEl.addEventListener('input', () => setFilter(filterEl.value));
  followEl.addEventListener('change', () => {
    if (followEl.checked) logEl.scrollTop = logEl.scrollHeight;
  });
  logEl.addEventListener('scroll', () => {
    // Scrolling up stops following; scrolling to the end follows again.
    followEl.checked = logEl.scrollHeight - logEl.scrollTop - logEl.clientHeight < 8;
  }, { passive: true });

  $('readonly').hidden = !!token;
  document.addEventListener('visibilitychange', startUsage);
  buildMenu();
  setInterval(() => {
    const now = performance.now();
    for (const [id, e] of procs) {
      if (UP.has(e.p.state) || (e.lastFail !== null && now - e.lastFail < LOOP_WINDOW + 2000)) dirty.add(id);
    }
    if (dirty.size) schedule();
  }, 1000);
  connect();
})();
