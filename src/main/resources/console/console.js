// The soar-deferred web console: polls the service's REST API and shows what it answers. Everything that comes from
// the service (names from query files, SOAR's messages, URLs) is put into the page as text (textContent), never as
// markup; the page is served with a Content-Security-Policy that allows no inline script either.
'use strict';

(() => {
  const STATUSES = ['ACCEPTED', 'SUBMITTED', 'FETCHING', 'DELIVERED', 'FAILED'];
  const state = {
    token: sessionStorage.getItem('soar-deferred-token') || '',
    filter: '',
    selected: null,
    manifestOf: null,
    tick: 0,
    locked: false,
  };

  const $ = (id) => document.getElementById(id);

  class Unauthorized extends Error {}

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(method, path) {
    const headers = { Accept: 'application/json' };
    if (state.token) {
      headers.Authorization = 'Bearer ' + state.token;
    }
    const response = await fetch(path, { method, headers, cache: 'no-store' });
    if (response.status === 401) {
      throw new Unauthorized();
    }
    const text = await response.text();
    let body = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch (e) {
      body = null;
    }
    if (!response.ok) {
      throw new ApiError(response.status, body && body.error ? body.error : 'HTTP ' + response.status);
    }
    return body;
  }

  // --- formatting -------------------------------------------------------------------------------------------

  function bytes(n) {
    if (n === null || n === undefined) {
      return '–';
    }
    const units = ['B', 'kB', 'MB', 'GB', 'TB'];
    let v = Number(n);
    let u = 0;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return (u === 0 ? String(v) : v.toFixed(v < 10 ? 2 : 1)) + ' ' + units[u];
  }

  function rate(n) {
    return n === null || n === undefined ? '–' : bytes(n) + '/s';
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) {
      return '–';
    }
    if (Number(seconds) < 10) {
      return Number(seconds).toFixed(1) + ' s';
    }
    const s = Math.round(Number(seconds));
    if (s < 60) {
      return s + ' s';
    }
    const m = Math.floor(s / 60);
    if (m < 60) {
      return m + ' min ' + String(s % 60).padStart(2, '0') + ' s';
    }
    return Math.floor(m / 60) + ' h ' + String(m % 60).padStart(2, '0') + ' min';
  }

  function time(iso) {
    if (!iso) {
      return '–';
    }
    const d = new Date(iso);
    return isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
  }

  function text(value) {
    return value === null || value === undefined || value === '' ? '–' : String(value);
  }

  function cell(row, value, className) {
    const td = document.createElement('td');
    td.textContent = text(value);
    if (className) {
      td.className = className;
    }
    row.appendChild(td);
    return td;
  }

  function clear(element) {
    while (element.firstChild) {
      element.removeChild(element.firstChild);
    }
  }

  // --- locked (no token yet, or a wrong one): nothing of the service is shown -----------------------------------

  function lock(refused) {
    state.locked = true;
    state.selected = null;
    state.manifestOf = null;
    $('data').hidden = true;
    $('login').hidden = false;
    for (const id of ['jobs', 'mirrors', 'detail-phases', 'detail-results']) {
      clear($(id).tBodies[0]);
    }
    for (const id of ['counts', 'detail-manifest', 'detail-error', 'mirror-result', 'abort-result']) {
      clear($(id));
    }
    $('job-detail').hidden = true;
    for (const id of ['health-soar', 'health-store', 'health-target']) {
      badge(id, null, '…', '');
    }
    $('token-error').textContent = refused ? 'The service refused this token.' : '';
    $('token-input').focus();
  }

  function unlock() {
    state.locked = false;
    $('login').hidden = true;
    $('data').hidden = false;
  }

  // --- jobs ---------------------------------------------------------------------------------------------------

  function progressOf(job) {
    const live = job.status === 'FETCHING' && job.transfer && job.transfer.bytesDone !== undefined ? job.transfer : null;
    const done = live ? live.bytesDone : job.bytesDone;
    const total = live ? live.bytesTotal : job.bytesTotal;
    return { done: done || 0, total: total, live };
  }

  function renderJobs(page) {
    const body = $('jobs').tBodies[0];
    clear(body);
    const jobs = page && page.jobs ? page.jobs : [];
    $('jobs-empty').hidden = jobs.length > 0;
    for (const job of jobs) {
      const row = document.createElement('tr');
      row.dataset.id = job.id;
      row.dataset.status = job.status;
      row.className = 'job status-' + String(job.status).toLowerCase() + (job.id === state.selected ? ' selected' : '');
      row.tabIndex = 0;
      cell(row, job.name, 'name');
      cell(row, job.status, 'status');
      cell(row, job.phase, 'phase');
      const p = progressOf(job);
      const td = document.createElement('td');
      td.className = 'progress';
      const bar = document.createElement('progress');
      bar.max = p.total ? p.total : 1;
      bar.value = p.total ? Math.min(p.done, p.total) : (job.status === 'DELIVERED' ? 1 : 0);
      bar.dataset.bytesDone = String(p.done);
      td.appendChild(bar);
      const label = document.createElement('span');
      label.className = 'bytes';
      label.textContent = p.total ? bytes(p.done) + ' of ' + bytes(p.total) + ' (' + (100 * p.done / p.total).toFixed(1) + '%)'
        : p.done ? bytes(p.done) : '';
      td.appendChild(label);
      row.appendChild(td);
      const transfer = job.transfer || {};
      cell(row, p.live ? rate(transfer.bytesPerSecond) : transfer.averageBytesPerSecond ? rate(transfer.averageBytesPerSecond) + ' avg' : '', 'rate');
      cell(row, p.live ? duration(transfer.etaSeconds) : transfer.seconds !== undefined ? 'took ' + duration(transfer.seconds) : '', 'eta');
      cell(row, p.live ? transfer.connections : '', 'connections');
      cell(row, time(job.updatedAt), 'updated');
      row.addEventListener('click', () => select(job.id));
      row.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') {
          select(job.id);
        }
      });
      body.appendChild(row);
    }
  }

  function select(id) {
    state.selected = id;
    // a link to this job: /console/#job=ID
    history.replaceState(null, '', '#job=' + encodeURIComponent(id));
    state.manifestOf = null;
    clear($('detail-manifest'));
    $('abort-result').textContent = '';
    refreshDetail().catch(failed);
    for (const row of $('jobs').tBodies[0].rows) {
      row.classList.toggle('selected', row.dataset.id === id);
    }
  }

  async function refreshDetail() {
    if (!state.selected) {
      $('job-detail').hidden = true;
      return;
    }
    let job;
    try {
      job = await api('GET', '/api/requests/' + encodeURIComponent(state.selected));
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        // a link to a job this service does not have (any more)
        state.selected = null;
        $('job-detail').hidden = true;
        history.replaceState(null, '', '#');
        return;
      }
      throw e;
    }
    if (job.id !== state.selected) {
      return; // another job was chosen meanwhile
    }
    renderDetail(job);
    const finished = job.status === 'DELIVERED' || job.status === 'FAILED';
    if (finished && state.manifestOf !== job.id + job.updatedAt) {
      try {
        const manifest = await api('GET', '/api/requests/' + encodeURIComponent(job.id) + '/manifest');
        $('detail-manifest').textContent = JSON.stringify(manifest, null, 2);
      } catch (e) {
        if (e instanceof Unauthorized) {
          throw e;
        }
        $('detail-manifest').textContent = 'No manifest: ' + e.message;
      }
      state.manifestOf = job.id + job.updatedAt;
    } else if (!finished) {
      $('detail-manifest').textContent = 'Written when the job ends.';
    }
  }

  function renderDetail(job) {
    $('job-detail').hidden = false;
    $('job-detail').dataset.id = job.id;
    $('detail-name').textContent = text(job.name);
    $('detail-id').textContent = text(job.id);
    $('detail-status').textContent = text(job.status);
    $('detail-phase').textContent = text(job.phase);
    $('detail-job').textContent = text(job.jobId);
    $('detail-url').textContent = text(job.jobUrl);
    $('detail-target').textContent = text(job.target);
    const t = job.transfer;
    $('detail-transfer').textContent = !t ? '–' : t.bytesDone !== undefined
      ? bytes(t.bytesDone) + ' of ' + bytes(t.bytesTotal) + ' at ' + rate(t.bytesPerSecond) + ', ETA ' + duration(t.etaSeconds)
        + ', ' + t.connections + ' connection(s)'
      : bytes(t.bytes) + ' in ' + duration(t.seconds) + ' (' + t.seconds + ' s), average ' + rate(t.averageBytesPerSecond);
    // a job the server has and that is neither finished nor downloading can be aborted (UWS PHASE=ABORT)
    $('abort').hidden = !(job.status === 'SUBMITTED' || (job.status === 'ACCEPTED' && job.jobUrl));
    const phases = $('detail-phases').tBodies[0];
    clear(phases);
    for (const change of job.phaseHistory || []) {
      const row = document.createElement('tr');
      cell(row, change.phase);
      cell(row, time(change.at));
      // the job's own events (a lost submit reply, a job adopted or sent again) say what happened
      cell(row, change.note || '');
      phases.appendChild(row);
    }
    const results = $('detail-results').tBodies[0];
    clear(results);
    for (const r of job.results || []) {
      const row = document.createElement('tr');
      cell(row, r.id);
      cell(row, bytes(r.size));
      cell(row, bytes(r.bytes));
      cell(row, r.sha256, 'hash');
      cell(row, r.location, 'location');
      cell(row, r.transfer ? duration(r.transfer.seconds) + ', ' + rate(r.transfer.averageBytesPerSecond) : '');
      results.appendChild(row);
    }
    $('detail-error-box').hidden = !job.error;
    $('detail-error').textContent = job.error ? job.error + (job.errorKind ? '\n(' + job.errorKind + ')' : '') : '';
  }

  async function abort() {
    const id = state.selected;
    if (!id) {
      return;
    }
    $('abort').disabled = true;
    try {
      await api('POST', '/api/requests/' + encodeURIComponent(id) + '/abort');
      $('abort-result').textContent = 'Abort sent to the server.';
    } catch (e) {
      if (e instanceof Unauthorized) {
        throw e;
      }
      $('abort-result').textContent = 'Not aborted: ' + e.message;
    } finally {
      $('abort').disabled = false;
    }
    await refreshDetail();
  }

  // --- totals and throughput --------------------------------------------------------------------------------

  function renderOverview(o) {
    const counts = $('counts');
    clear(counts);
    for (const s of STATUSES) {
      const box = document.createElement('div');
      box.className = 'count status-' + s.toLowerCase();
      box.dataset.status = s;
      const n = document.createElement('strong');
      n.textContent = String(o.jobs && o.jobs[s] !== undefined ? o.jobs[s] : 0);
      const label = document.createElement('span');
      label.textContent = s;
      box.appendChild(n);
      box.appendChild(label);
      counts.appendChild(box);
    }
    $('bytes-today').textContent = bytes(o.bytesToday);
    $('bytes-start').textContent = bytes(o.bytesSinceStart);
    const points = o.throughput && o.throughput.bytesPerSecond ? o.throughput.bytesPerSecond : [];
    $('rate-now').textContent = rate(points.length ? points[points.length - 1] : 0);
    drawChart(points);
  }

  function drawChart(points) {
    const canvas = $('chart');
    const g = canvas.getContext('2d');
    const w = canvas.width;
    const h = canvas.height;
    g.clearRect(0, 0, w, h);
    const peak = Math.max(1, ...points);
    $('chart-peak').textContent = rate(points.length ? Math.max(0, ...points) : 0);
    g.strokeStyle = '#d0d7de';
    g.lineWidth = 1;
    for (let i = 1; i < 4; i++) {
      g.beginPath();
      g.moveTo(0, Math.round(h * i / 4) + 0.5);
      g.lineTo(w, Math.round(h * i / 4) + 0.5);
      g.stroke();
    }
    if (!points.length) {
      return;
    }
    const step = w / points.length;
    g.fillStyle = '#2f81f7';
    points.forEach((p, i) => {
      const bar = Math.round((h - 4) * p / peak);
      g.fillRect(Math.floor(i * step), h - bar, Math.max(1, Math.floor(step) - 1), bar);
    });
  }

  // --- mirrors ------------------------------------------------------------------------------------------------

  function renderMirrors(mirrors) {
    const body = $('mirrors').tBodies[0];
    clear(body);
    $('mirrors-empty').hidden = mirrors.length > 0;
    for (const m of mirrors) {
      const row = document.createElement('tr');
      row.dataset.name = m.name;
      cell(row, m.name, 'name');
      cell(row, m.selection, 'selection');
      cell(row, m.schedule || 'when asked');
      cell(row, m.watermark);
      const files = m.files || {};
      cell(row, files.wanted || 0, 'wanted');
      cell(row, files.present || 0, 'present');
      cell(row, files.failed || 0, 'failed');
      const last = m.lastRun;
      // a run asked for by hand (Run now, the API) has no schedule fire time
      cell(row, last ? (last.fireTime ? time(last.fireTime) : 'on request') + ': ' + text(last.status) + ', ' + text(last.listed) + ' listed, '
        + text(last.wanted) + ' wanted, ' + text(last.requests) + ' request(s)' + (last.error ? ': ' + last.error : '')
        : 'never', 'last-run');
      const td = document.createElement('td');
      const run = document.createElement('button');
      run.type = 'button';
      run.className = 'run-now';
      run.textContent = 'Run now';
      run.addEventListener('click', () => runMirror(m.name, run).catch(failed));
      td.appendChild(run);
      row.appendChild(td);
      body.appendChild(row);
    }
  }

  async function runMirror(name, button) {
    button.disabled = true;
    try {
      await api('POST', '/api/mirrors/' + encodeURIComponent(name) + '/run');
      $('mirror-result').textContent = 'Mirror ' + name + ': run started.';
    } catch (e) {
      if (e instanceof Unauthorized) {
        throw e;
      }
      $('mirror-result').textContent = 'Mirror ' + name + ' did not start: ' + e.message;
    } finally {
      button.disabled = false;
    }
    renderMirrors(await api('GET', '/api/mirrors'));
  }

  // --- health -------------------------------------------------------------------------------------------------

  function badge(id, up, label, title) {
    const b = $(id);
    b.classList.remove('up', 'down', 'unknown');
    b.classList.add(up === true ? 'up' : up === false ? 'down' : 'unknown');
    b.querySelector('.state').textContent = label;
    b.title = title || '';
  }

  function renderHealth(h) {
    const soar = h.soar || {};
    badge('health-soar', soar.up, (soar.up ? 'reachable' : 'unreachable') + ', '
      + (soar.loggedIn ? 'logged in' : soar.credentials ? 'not logged in yet' : 'no credentials'),
      text(soar.url) + (soar.message ? ': ' + soar.message : ''));
    const store = h.jobStore || {};
    badge('health-store', store.up, store.up ? 'answers' : 'down', store.message || '');
    const target = h.target || {};
    badge('health-target', target.up, (target.up ? 'writable' : 'not writable')
      + (target.freeBytes !== null && target.freeBytes !== undefined ? ', ' + bytes(target.freeBytes) + ' free' : ''),
      text(target.target) + (target.message ? ': ' + target.message : ''));
  }

  // --- the loop -----------------------------------------------------------------------------------------------

  function failed(e) {
    if (e instanceof Unauthorized) {
      // no token, or a wrong one: show nothing, ask for it, and ask the service nothing more until it is given
      lock(Boolean(state.token));
      state.token = '';
      sessionStorage.removeItem('soar-deferred-token');
      return;
    }
    $('connection').textContent = 'The service does not answer: ' + e.message;
    $('connection').classList.add('down');
  }

  async function refresh() {
    const tick = state.tick++;
    const filter = state.filter ? '&status=' + encodeURIComponent(state.filter) : '';
    const page = await api('GET', '/api/requests?limit=100' + filter);
    unlock();
    renderJobs(page);
    await refreshDetail();
    if (tick % 2 === 0) {
      renderOverview(await api('GET', '/api/overview'));
    }
    if (tick % 5 === 0) {
      renderMirrors(await api('GET', '/api/mirrors'));
      renderHealth(await api('GET', '/api/health'));
    }
    $('connection').textContent = 'Updated ' + new Date().toLocaleTimeString();
    $('connection').classList.remove('down');
  }

  let running = false;

  async function loop() {
    if (!running && !document.hidden) {
      running = true;
      try {
        if (!state.locked || state.token) {
          await refresh();
        }
      } catch (e) {
        failed(e);
      } finally {
        running = false;
      }
    }
  }

  function start() {
    $('status-filter').addEventListener('change', (e) => {
      state.filter = e.target.value;
      loop();
    });
    $('abort').addEventListener('click', () => abort().catch(failed));
    const linked = /^#job=(.+)$/.exec(location.hash);
    if (linked) {
      state.selected = decodeURIComponent(linked[1]);
    }
    $('token-form').addEventListener('submit', (e) => {
      e.preventDefault();
      state.token = $('token-input').value.trim();
      sessionStorage.setItem('soar-deferred-token', state.token);
      $('token-input').value = '';
      state.tick = 0;
      loop();
    });
    loop();
    setInterval(loop, 1000);
  }

  start();
})();
