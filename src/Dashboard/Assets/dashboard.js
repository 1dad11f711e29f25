// NasNotebooks dashboard: the studies list and the study page. No framework, no build step, no CDN:
// plotly.js comes from this server (/assets/plotly.min.js, the copy embedded in Plotly.NET).
(function () {
  'use strict';

  var dataNode = document.getElementById('nas-data');
  var DATA = dataNode ? JSON.parse(dataNode.textContent) : null;
  var PAGE = document.body.getAttribute('data-page');
  // Timings read by the tests and the benchmark: interactive = table usable, charts = first chart drawn.
  var perf = window.nasDashboard = { start: 0, interactive: null, plotly: null, charts: null, updates: 0 };

  // The notebook charts' colours (plotly's default palette), one per trial state.
  var STATE_COLORS = { pending: '#1f77b4', completed: '#2ca02c', failed: '#d62728', skipped: '#7f7f7f', pruned: '#ff7f0e' };
  var STATES = ['pending', 'completed', 'failed', 'skipped', 'pruned'];

  // ---------- helpers ----------

  function el(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k) || attrs[k] == null) continue;
        if (k === 'text') e.textContent = attrs[k];
        else if (k === 'cls') e.className = attrs[k];
        else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), attrs[k]);
        else e.setAttribute(k, attrs[k]);
      }
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c == null) continue;
      e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return e;
  }

  // Numbers as the notebook tables show them (StudyReport.FormatCell): 4 decimals, or 4 significant digits when tiny or huge.
  function fmtNum(v) {
    if (v == null || v === '') return '';
    if (typeof v !== 'number') return String(v);
    if (!isFinite(v)) return String(v);
    var a = Math.abs(v);
    if (a >= 1e5 || (a < 1e-3 && v !== 0)) {
      var s = v.toExponential(3).replace(/\.?0+e/, 'e');
      var m = /^(-?[\d.]+)e([+-])(\d+)$/.exec(s);
      return m ? m[1] + 'E' + m[2] + (m[3].length < 2 ? '0' + m[3] : m[3]) : s;
    }
    return String(Math.round(v * 10000) / 10000);
  }

  function pad(n) { return n < 10 ? '0' + n : String(n); }

  function fmtTime(ms) {
    if (ms == null) return '';
    var d = new Date(ms);
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' + pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  }

  function fmtDuration(ms) {
    if (ms == null || ms < 0) return '';
    var s = ms / 1000;
    if (s < 60) return (s < 10 ? s.toFixed(1) : Math.round(s)) + ' s';
    var m = Math.floor(s / 60);
    if (m < 60) return m + ' min ' + pad(Math.round(s % 60)) + ' s';
    return Math.floor(m / 60) + ' h ' + pad(m % 60) + ' min';
  }

  function ago(ms) {
    if (ms == null) return '';
    var s = Math.max(0, (Date.now() - ms) / 1000);
    if (s < 60) return Math.round(s) + ' s ago';
    if (s < 3600) return Math.round(s / 60) + ' min ago';
    if (s < 86400) return Math.round(s / 3600) + ' h ago';
    return Math.round(s / 86400) + ' d ago';
  }

  function setLive(kind, text) {
    var live = document.getElementById('live');
    if (!live) return;
    live.className = 'live ' + kind;
    live.textContent = text;
  }

  function chip(state) { return el('span', { cls: 'chip ' + state, text: state }); }

  function studyHref(store, name) { return '/study?store=' + encodeURIComponent(store) + '&name=' + encodeURIComponent(name); }

  // ---------- studies page ----------

  function studiesPage() {
    var root = document.getElementById('stores');
    var last = DATA;
    function render(d) {
      last = d;
      root.textContent = '';
      if (!d.stores.length && !d.emptyFolders.length) root.appendChild(el('p', { cls: 'empty', text: 'No study stores.' }));
      d.stores.forEach(function (s) {
        var box = el('section', { cls: 'store', 'data-store': s.key },
          el('h2', null, s.key, el('span', { cls: 'location', text: s.location })));
        if (s.error) box.appendChild(el('div', { cls: 'banner error', role: 'alert', text: s.error }));
        else if (!s.studies.length) box.appendChild(el('p', { cls: 'empty', text: 'No studies in this store yet.' }));
        if (s.studies.length) {
          var tbody = el('tbody');
          s.studies.forEach(function (st) {
            var states = el('span', { cls: 'states' });
            ['pending', 'completed', 'failed', 'skipped'].forEach(function (k) {
              if (st[k]) states.appendChild(el('span', { cls: 'count-chip ' + k, title: k }, String(st[k]), ' ', k));
            });
            tbody.appendChild(el('tr', { 'data-study': st.name },
              el('td', null, el('a', { href: studyHref(s.key, st.name), text: st.name })),
              el('td', { text: st.algorithm }),
              el('td', { cls: 'num', text: String(st.total) }),
              el('td', null, states),
              el('td', { cls: 'num' }, st.bestValue == null ? '' : fmtNum(st.bestValue), st.bestTrial == null ? null : el('span', { cls: 'muted', text: ' (#' + st.bestTrial + ')' })),
              el('td', { text: fmtTime(st.createdAt) }),
              el('td', { 'data-ago': st.lastActivity == null ? '' : String(st.lastActivity), title: fmtTime(st.lastActivity), text: ago(st.lastActivity) })));
          });
          box.appendChild(el('table', { cls: 'studies' },
            el('thead', null, el('tr', null, el('th', { text: 'Study' }), el('th', { text: 'Algorithm' }), el('th', { cls: 'num', text: 'Trials' }),
              el('th', { text: 'By state' }), el('th', { cls: 'num', text: 'Best' }), el('th', { text: 'Started' }), el('th', { text: 'Last activity' }))),
            tbody));
        }
        root.appendChild(box);
      });
      d.emptyFolders.forEach(function (f) {
        root.appendChild(el('section', { cls: 'store' }, el('h2', null, 'Folder', el('span', { cls: 'location', text: f })),
          el('p', { cls: 'empty', text: 'No study files (*.db, *.sqlite) in this folder yet; they appear here when a search or worker creates one.' })));
      });
    }
    render(DATA);
    perf.interactive = performance.now();
    document.body.setAttribute('data-interactive', '1');
    setInterval(function () {
      document.querySelectorAll('[data-ago]').forEach(function (td) {
        var v = td.getAttribute('data-ago');
        td.textContent = v ? ago(Number(v)) : '';
      });
    }, 5000);
    var es = new EventSource('/api/studies/events');
    es.addEventListener('studies', function (e) { perf.updates++; render(JSON.parse(e.data)); });
    es.onopen = function () { setLive('on', 'live'); };
    es.onerror = function () { setLive('off', 'reconnecting…'); };
    setLive('wait', 'connecting…');
    return last;
  }

  // ---------- study page ----------

  function studyPage() {
    var D = DATA;
    var S = {
      rows: new Map(), list: [], decisions: D.decisions, metrics: D.metrics, objectives: D.objectives,
      epoch: D.epoch, version: D.version, best: D.best, error: D.error, gone: D.gone,
      sort: { key: 'id', dir: 1 }, states: new Set(STATES), filters: {}, view: [],
      tab: null, fresh: new Map(), curveIds: [], lastUpdate: Date.now()
    };
    var ROW_H = 28;
    perf.viewIds = function () { return S.view.map(function (r) { return r.id; }); };
    perf.stateOf = function (id) { var r = S.rows.get(id); return r ? r.state : null; };
    var wrap = document.getElementById('table-wrap');
    var table = document.getElementById('trials');
    var thead = table.tHead;
    var tbody = table.tBodies[0];

    function ingest(trials, live) {
      var added = false;
      for (var i = 0; i < trials.length; i++) {
        var a = trials[i];
        var r = { id: a[0], status: a[1], pruned: a[2] === 1, values: a[3], decisions: a[4], metrics: a[5], worker: a[6], created: a[7], ended: a[8], reason: a[9], dna: a[10], steps: a[11] };
        r.state = r.pruned ? 'pruned' : r.status;
        if (!S.rows.has(r.id)) added = true;
        S.rows.set(r.id, r);
        if (live) S.fresh.set(r.id, Date.now());
      }
      if (added) S.list = Array.from(S.rows.values()).sort(function (x, y) { return x.id - y.id; });
      else if (trials.length) S.list = S.list.map(function (r) { return S.rows.get(r.id); });
    }

    // Columns: [key, label, getter, numeric, className]
    function columns() {
      var cols = [['id', '#', function (r) { return r.id; }, true, 'num'], ['state', 'state', function (r) { return r.state; }, false, '']];
      S.objectives.forEach(function (name, i) { cols.push(['o' + i, name, function (r) { return r.values ? r.values[i] : null; }, true, 'num objective']); });
      S.decisions.forEach(function (name, i) { cols.push(['d' + i, name, function (r) { var v = r.decisions[i]; return v == null ? null : v; }, false, 'decision']); });
      S.metrics.forEach(function (name, i) { cols.push(['m' + i, name, function (r) { return r.metrics ? r.metrics[i] : null; }, true, 'num']); });
      cols.push(['worker', 'worker', function (r) { return r.worker; }, false, 'worker']);
      cols.push(['created', 'started', function (r) { return r.created; }, true, 'time']);
      cols.push(['duration', 'duration', function (r) { return r.ended == null ? null : r.ended - r.created; }, true, 'num']);
      cols.push(['steps', 'steps', function (r) { return r.steps; }, true, 'num']);
      cols.push(['reason', 'failure / skip reason', function (r) { return r.reason; }, false, 'reason']);
      cols.push(['dna', 'DNA', function (r) { return r.dna; }, false, 'dna']);
      return cols;
    }
    var COLS = columns();

    function display(col, r) {
      var v = col[2](r);
      if (v == null) return '';
      if (col[0] === 'created') return fmtTime(v);
      if (col[0] === 'duration') return fmtDuration(v);
      return typeof v === 'number' ? fmtNum(v) : String(v);
    }

    function numeric(v) {
      if (typeof v === 'number') return v;
      if (typeof v === 'string' && /^\s*-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(v)) return parseFloat(v);
      return null;
    }

    // Filter text: "relu" (contains), "=relu" / "!=relu" (exact), ">0.9", "<=3", "1..5" (range).
    function matcher(text) {
      var t = text.trim();
      if (!t) return null;
      var range = /^(-?[\d.eE+-]+)\s*\.\.\s*(-?[\d.eE+-]+)$/.exec(t);
      if (range) {
        var lo = parseFloat(range[1]), hi = parseFloat(range[2]);
        return function (v) { var n = numeric(v); return n != null && n >= lo && n <= hi; };
      }
      var op = /^(>=|<=|!=|>|<|=)\s*(.*)$/.exec(t);
      if (op) {
        var rhs = op[2], rn = numeric(rhs);
        return function (v) {
          var n = numeric(v);
          if (rn != null && n != null) {
            switch (op[1]) { case '>': return n > rn; case '<': return n < rn; case '>=': return n >= rn; case '<=': return n <= rn; case '=': return n === rn; default: return n !== rn; }
          }
          var s = v == null ? '' : String(v);
          switch (op[1]) { case '=': return s === rhs; case '!=': return s !== rhs; case '>': return s > rhs; case '<': return s < rhs; case '>=': return s >= rhs; default: return s <= rhs; }
        };
      }
      var low = t.toLowerCase();
      return function (v) { return v != null && String(v).toLowerCase().indexOf(low) >= 0; };
    }

    function computeView() {
      var active = [];
      COLS.forEach(function (c) { var f = S.filters[c[0]]; if (f && f.fn) active.push([c, f.fn]); });
      var view = S.list.filter(function (r) {
        if (!S.states.has(r.state)) return false;
        for (var i = 0; i < active.length; i++) {
          var c = active[i][0];
          var v = c[0] === 'created' || c[0] === 'duration' ? display(c, r) : c[2](r);
          if (!active[i][1](v)) return false;
        }
        return true;
      });
      var col = COLS.find(function (c) { return c[0] === S.sort.key; }) || COLS[0];
      var dir = S.sort.dir;
      view.sort(function (a, b) {
        var x = col[2](a), y = col[2](b);
        var xn = x == null || x === '', yn = y == null || y === '';
        if (xn || yn) return xn && yn ? a.id - b.id : xn ? 1 : -1;
        var nx = numeric(x), ny = numeric(y);
        var c = nx != null && ny != null ? nx - ny : String(x).localeCompare(String(y));
        return c !== 0 ? c * dir : a.id - b.id;
      });
      S.view = view;
      document.getElementById('count').textContent = view.length === S.list.length ? S.list.length + ' trials' : view.length + ' of ' + S.list.length + ' trials';
    }

    function buildHeader() {
      thead.textContent = '';
      var names = el('tr', { cls: 'names' });
      var filters = el('tr', { cls: 'filters' });
      COLS.forEach(function (c) {
        var arrow = S.sort.key === c[0] ? (S.sort.dir > 0 ? ' ▲' : ' ▼') : '';
        names.appendChild(el('th', {
          cls: c[4], 'data-col': c[0], title: 'sort by ' + c[1], 'aria-sort': S.sort.key === c[0] ? (S.sort.dir > 0 ? 'ascending' : 'descending') : 'none',
          onclick: function () {
            if (S.sort.key === c[0]) S.sort.dir = -S.sort.dir; else { S.sort.key = c[0]; S.sort.dir = c[3] && c[0] !== 'id' && c[0].charAt(0) === 'o' ? -1 : 1; }
            buildHeader(); refresh();
          }
        }, c[1] + arrow));
        var f = S.filters[c[0]];
        var input = el('input', { type: 'search', placeholder: 'filter', 'data-col': c[0], 'aria-label': 'filter ' + c[1], value: f ? f.text : '',
          title: 'text (contains), =exact, !=value, >0.9, <=3, 1..5' });
        input.addEventListener('input', function () {
          S.filters[c[0]] = { text: input.value, fn: matcher(input.value) };
          refresh();
        });
        filters.appendChild(el('th', { cls: c[4] }, input));
      });
      thead.appendChild(names);
      thead.appendChild(filters);
    }

    function renderRows() {
      var view = S.view;
      var first = Math.max(0, Math.floor(wrap.scrollTop / ROW_H) - 10);
      var count = Math.ceil((wrap.clientHeight || 600) / ROW_H) + 20;
      var last = Math.min(view.length, first + count);
      var frag = document.createDocumentFragment();
      frag.appendChild(el('tr', { cls: 'spacer', style: 'height:' + (first * ROW_H) + 'px' }));
      var now = Date.now();
      for (var i = first; i < last; i++) {
        var r = view[i];
        var tr = el('tr', { 'data-id': String(r.id), cls: (S.selected === r.id ? 'selected ' : '') + (S.fresh.has(r.id) && now - S.fresh.get(r.id) < 2500 ? 'fresh' : '') });
        for (var j = 0; j < COLS.length; j++) {
          var c = COLS[j];
          if (c[0] === 'state') { tr.appendChild(el('td', null, chip(r.state))); continue; }
          var text = display(c, r);
          tr.appendChild(el('td', { cls: c[4], title: c[0] === 'reason' || c[0] === 'dna' || c[0] === 'worker' ? text : null, text: text }));
        }
        frag.appendChild(tr);
      }
      frag.appendChild(el('tr', { cls: 'spacer', style: 'height:' + ((view.length - last) * ROW_H) + 'px' }));
      tbody.textContent = '';
      tbody.appendChild(frag);
    }

    var pending = false;
    function refresh() {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { pending = false; computeView(); renderRows(); });
    }

    wrap.addEventListener('scroll', function () { requestAnimationFrame(renderRows); }, { passive: true });
    tbody.addEventListener('click', function (e) {
      var tr = e.target.closest('tr[data-id]');
      if (!tr) return;
      showDetail(Number(tr.getAttribute('data-id')));
    });

    // ---- state filter, cards, best, banner ----

    function stateFilter() {
      var box = document.getElementById('state-filter');
      box.textContent = '';
      var counts = {};
      S.list.forEach(function (r) { counts[r.state] = (counts[r.state] || 0) + 1; });
      STATES.forEach(function (st) {
        var cb = el('input', { type: 'checkbox', value: st, 'data-state': st });
        cb.checked = S.states.has(st);
        cb.addEventListener('change', function () { if (cb.checked) S.states.add(st); else S.states.delete(st); refresh(); });
        box.appendChild(el('label', { cls: 'state-toggle ' + st }, cb, ' ' + st + ' ', el('span', { cls: 'n', text: String(counts[st] || 0) })));
      });
    }

    function card(label, value, extra, cls) {
      return el('div', { cls: 'card ' + (cls || '') }, el('div', { cls: 'label', text: label }), el('div', { cls: 'value' }, value), extra ? el('div', { cls: 'extra' }, extra) : null);
    }

    function cards() {
      var box = document.getElementById('cards');
      box.textContent = '';
      var counts = { pending: 0, completed: 0, failed: 0, skipped: 0, pruned: 0 };
      var lastActivity = null;
      S.list.forEach(function (r) {
        counts[r.state]++;
        var t = r.ended != null ? r.ended : r.created;
        if (lastActivity == null || t > lastActivity) lastActivity = t;
      });
      var byState = el('div', { cls: 'by-state' });
      STATES.forEach(function (st) { if (counts[st]) byState.appendChild(el('span', { cls: 'count-chip ' + st }, counts[st] + ' ' + st)); });
      box.appendChild(card('Trials', String(S.list.length), byState, 'trials-card'));
      var b = S.best;
      box.appendChild(card('Best ' + S.objectives[0], b ? fmtNum(b.values[0]) : '–', b ? 'trial #' + b.id : 'no completed trial', 'best-card'));
      box.appendChild(card('Algorithm', D.algorithm || '', D.algorithmSettings || null));
      var started = fmtTime(D.createdAt);
      box.appendChild(card('Started', started.slice(11), started.slice(0, 10)));
      box.appendChild(card('Last activity', el('span', { 'data-ago': lastActivity == null ? '' : String(lastActivity), title: fmtTime(lastActivity) }, ago(lastActivity)), null));
      if (D.allowStop) {
        var btn = el('button', { type: 'button', cls: 'stop', id: 'stop', text: 'Stop study' });
        btn.addEventListener('click', function () {
          if (!window.confirm('Stop study "' + D.study + '"? Running trials finish; no new trial starts.')) return;
          btn.disabled = true;
          fetch('/api/study/stop?store=' + encodeURIComponent(D.store) + '&name=' + encodeURIComponent(D.study), { method: 'POST', headers: { 'X-Nas-Token': D.token } })
            .then(function (r) { return r.json(); })
            .then(function (j) { showBanner(j.message || j.error, j.error ? 'error' : 'info'); })
            .catch(function (e) { showBanner('Stop failed: ' + e, 'error'); btn.disabled = false; });
        });
        box.appendChild(el('div', { cls: 'card stop-card' }, btn));
      }
    }

    function bestPanel() {
      var box = document.getElementById('best');
      box.textContent = '';
      var b = S.best;
      box.appendChild(el('h2', null, 'Best trial', b ? el('span', { cls: 'muted', text: ' #' + b.id }) : null));
      if (!b) { box.appendChild(el('div', { cls: 'empty', text: 'No completed trial yet.' })); return; }
      var dl = el('dl', { cls: 'kv' });
      b.values.forEach(function (v, i) { dl.appendChild(el('dt', { text: S.objectives[i] || 'reward[' + i + ']' })); dl.appendChild(el('dd', { cls: 'num strong', text: fmtNum(v) })); });
      Object.keys(b.decisions).forEach(function (k) { dl.appendChild(el('dt', { text: k })); dl.appendChild(el('dd', { text: b.decisions[k] })); });
      Object.keys(b.metrics).forEach(function (k) { dl.appendChild(el('dt', { text: k })); dl.appendChild(el('dd', { cls: 'num', text: fmtNum(b.metrics[k]) })); });
      dl.appendChild(el('dt', { text: 'DNA' }));
      dl.appendChild(el('dd', { cls: 'dna', text: b.dna }));
      box.appendChild(dl);
      box.appendChild(el('h3', { text: 'Materialized value' }));
      box.appendChild(b.materialized == null
        ? el('p', { cls: 'muted', text: 'The space could not be read back from the store (custom types); the DNA above identifies the candidate.' })
        : el('pre', { cls: 'materialized', text: b.materialized }));
    }

    function showBanner(text, kind) {
      var banner = document.getElementById('banner');
      if (!text) { banner.hidden = true; banner.textContent = ''; return; }
      banner.hidden = false;
      banner.className = 'banner ' + (kind || 'error');
      banner.setAttribute('role', kind === 'info' ? 'status' : 'alert');
      banner.textContent = text;
    }

    function showDetail(id) {
      var r = S.rows.get(id);
      var box = document.getElementById('detail');
      if (!r) { box.hidden = true; return; }
      S.selected = id;
      renderRows();
      box.textContent = '';
      var dl = el('dl', { cls: 'kv' });
      function add(k, v, cls) { dl.appendChild(el('dt', { text: k })); dl.appendChild(el('dd', { cls: cls || null, text: v == null ? '' : String(v) })); }
      add('state', r.state);
      S.objectives.forEach(function (n, i) { add(n, r.values ? fmtNum(r.values[i]) : '', 'num'); });
      S.decisions.forEach(function (n, i) { add(n, r.decisions[i]); });
      S.metrics.forEach(function (n, i) { if (r.metrics && r.metrics[i] != null) add(n, fmtNum(r.metrics[i]), 'num'); });
      add('worker', r.worker);
      add('started', fmtTime(r.created));
      add('ended', fmtTime(r.ended));
      add('duration', r.ended == null ? 'running' : fmtDuration(r.ended - r.created));
      add('intermediate values', r.steps);
      if (r.reason) add('reason', r.reason);
      add('DNA', r.dna, 'dna');
      var close = el('button', { type: 'button', cls: 'close', 'aria-label': 'close', text: '×' });
      close.addEventListener('click', function () { box.hidden = true; S.selected = null; renderRows(); });
      var curve = r.steps > 0 ? el('button', { type: 'button', cls: 'link', text: 'show its curve' }) : null;
      if (curve) curve.addEventListener('click', function () {
        if (S.curveIds.indexOf(id) < 0) S.curveIds.push(id);
        S.curveIds = S.curveIds.slice(-20);
        figureState.intermediate = null;
        selectTab('intermediate');
        document.getElementById('chart-area').scrollIntoView({ behavior: 'smooth' });
      });
      box.appendChild(el('div', { cls: 'detail-head' }, el('h2', { text: 'Trial #' + r.id }), curve, close));
      box.appendChild(dl);
      box.hidden = false;
    }

    // ---- charts ----

    var TABS = [['history', 'Best so far'], ['intermediate', 'Intermediate values'], ['importance', 'Decision importance'],
      ['parallel', 'Parallel coordinates'], ['slices', 'Slices']];
    if (S.objectives.length > 1) TABS.push(['pareto', 'Pareto front']);
    var figureState = {};  // kind -> version fetched
    var fetchedAt = {};
    var plotly = null;

    function loadPlotly() {
      if (plotly) return plotly;
      plotly = new Promise(function (resolve, reject) {
        if (window.Plotly) { resolve(window.Plotly); return; }
        var s = document.createElement('script');
        s.src = '/assets/plotly.min.js';
        s.onload = function () { perf.plotly = performance.now(); resolve(window.Plotly); };
        s.onerror = function () { reject(new Error('plotly.js could not be loaded from this server')); };
        document.head.appendChild(s);
      });
      return plotly;
    }

    function buildTabs() {
      var tabs = document.getElementById('tabs');
      TABS.forEach(function (t) {
        tabs.appendChild(el('button', { type: 'button', role: 'tab', 'data-tab': t[0], id: 'tab-' + t[0], text: t[1], onclick: function () { selectTab(t[0]); } }));
      });
    }

    function selectTab(kind) {
      S.tab = kind;
      document.querySelectorAll('#tabs button').forEach(function (b) { b.setAttribute('aria-selected', String(b.getAttribute('data-tab') === kind)); });
      var area = document.getElementById('chart-area');
      area.textContent = '';
      area.setAttribute('data-kind', kind);
      figureState[kind] = null;
      drawCharts(true);
    }

    var LAYOUT_DEFAULTS = { autosize: true, height: 360, font: { family: 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif', size: 12 } };
    var CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ['lasso2d', 'select2d'] };

    function layoutOf(fig, extra) {
      var l = Object.assign({}, fig.layout, LAYOUT_DEFAULTS, extra || {});
      l.margin = Object.assign({ l: 60, r: 20, t: 50, b: 50 }, fig.layout.margin || {}, (extra && extra.margin) || {});
      return l;
    }

    // The progress chart: StudyReport.ProgressChart's traces and layout, its data recomputed here from the rows.
    function progressFigure() {
      var tpl = D.progress[0];
      var done = S.list.filter(function (r) { return r.status === 'completed' && r.values; });
      var x = [], y = [], text = [], best = [], b = -Infinity;
      done.forEach(function (r) { x.push(r.id); y.push(r.values[0]); text.push(r.dna); b = Math.max(b, r.values[0]); best.push(b); });
      var t0 = Object.assign({}, tpl.data[0], { x: x, y: y, text: text });
      var t1 = Object.assign({}, tpl.data[1], { x: x, y: best });
      return { data: [t0, t1], layout: tpl.layout };
    }

    function chartDiv(area, i, small) {
      var id = 'chart-' + area.getAttribute('data-kind') + '-' + i;
      var div = document.getElementById(id);
      if (!div) { div = el('div', { cls: 'chart' + (small ? ' small' : ''), id: id }); area.appendChild(div); }
      return div;
    }

    function note(area, text) {
      var n = area.querySelector('.note');
      if (!text) { if (n) n.remove(); return; }
      if (!n) { n = el('p', { cls: 'note' }); area.insertBefore(n, area.firstChild); }
      n.textContent = text;
    }

    // Thousands of SVG markers are slow to draw: big scatter traces of markers go to WebGL (axes and titles stay SVG).
    function big(f) {
      f.data.forEach(function (t) {
        if (t.type === 'scatter' && t.mode === 'markers' && t.x && t.x.length > 2000) t.type = 'scattergl';
      });
      return f;
    }

    function draw(P, area, figs, small) {
      var kind = area.getAttribute('data-kind');
      figs = figs.map(big);
      var done = figs.map(function (f, i) {
        var div = chartDiv(area, i, small);
        var extra = small ? { height: 300 } : null;
        if (kind === 'intermediate' && f.data.length > 20) extra = { showlegend: false };
        // Parallel coordinates draw their labels above the plot: room for them under the title.
        if (kind === 'parallel') extra = { margin: { l: 70, r: 50, t: 110, b: 30 }, height: 420 };
        try { return P.react(div, f.data, layoutOf(f, extra), CONFIG); }
        catch (e) { div.textContent = 'This chart could not be drawn: ' + e.message; return null; }
      });
      return Promise.all(done).then(function () {
        if (perf.charts == null) { perf.charts = performance.now(); document.body.setAttribute('data-charts', '1'); }
        area.setAttribute('data-version', String(S.version));
      });
    }

    var drawing = false, again = false;
    function drawCharts(force) {
      if (drawing) { again = true; return; }
      var kind = S.tab;
      var area = document.getElementById('chart-area');
      if (!kind) return;
      if (!force && figureState[kind] === S.version) return;
      if (kind !== 'history' && !force && Date.now() - (fetchedAt[kind] || 0) < 1500) { setTimeout(function () { drawCharts(false); }, 1600); return; }
      drawing = true;
      var version = S.version;
      var work;
      if (kind === 'history') {
        work = loadPlotly().then(function (P) {
          var completed = S.list.some(function (r) { return r.status === 'completed'; });
          note(area, completed ? null : 'No completed trial yet: the chart fills in as trials complete.');
          return draw(P, area, [progressFigure()], false);
        });
      } else {
        fetchedAt[kind] = Date.now();
        var url = '/api/study/figure?store=' + encodeURIComponent(D.store) + '&name=' + encodeURIComponent(D.study) + '&kind=' + kind +
          (kind === 'intermediate' && S.curveIds.length ? '&ids=' + S.curveIds.join(',') : '');
        work = Promise.all([loadPlotly(), fetch(url).then(function (r) { return r.json(); })]).then(function (res) {
          if (S.tab !== kind) return null;
          var figs = res[1].figures || [];
          if (res[1].error) { note(area, res[1].error); return null; }
          var msg = null;
          if (kind === 'pareto' && !figs.length) msg = 'The study has a single objective: no Pareto front.';
          else if (kind === 'intermediate' && !figs[0].data.length) msg = 'No trial reported intermediate values (feedback.Report(step, reward)).';
          else if (kind === 'importance' && !figs[0].data[0].y.length) msg = 'Importance needs at least two completed trials with different rewards.';
          else if (kind === 'slices' && !figs.length) msg = 'No decision to plot (the space could not be read back from the store).';
          else if (kind === 'intermediate') msg = 'The 30 latest trials that reported, the best trial' + (S.curveIds.length ? ' and the trials you picked' : '') + '; pruned trials are dashed and end with a cross.';
          note(area, msg);
          return draw(res[0], area, figs, kind === 'slices');
        });
      }
      work.catch(function (e) { note(area, 'Charts unavailable: ' + e.message); })
        .then(function () {
          figureState[kind] = version;
          drawing = false;
          if (again) { again = false; drawCharts(false); }
        });
    }

    // ---- live updates ----

    function applyColumns(p) {
      var changed = p.decisions.length !== S.decisions.length || p.metrics.length !== S.metrics.length || p.objectives.length !== S.objectives.length;
      S.decisions = p.decisions; S.metrics = p.metrics; S.objectives = p.objectives;
      if (changed) { COLS = columns(); buildHeader(); }
    }

    function apply(p) {
      perf.updates++;
      applyColumns(p);
      ingest(p.trials, true);
      S.version = p.version;
      S.best = p.best;
      S.error = p.error;
      S.gone = p.gone;
      S.lastUpdate = Date.now();
      showBanner(p.error, 'error');
      setLive(p.error ? 'off' : 'on', p.error ? 'store unavailable' : 'live');
      cards();
      bestPanel();
      stateFilter();
      refresh();
      scheduleCharts();
    }

    // Charts follow the table: redrawn after it has painted, at most every 300 ms (every 1.5 s on big studies),
    // so a stream of trials never holds the page up.
    var chartTimer = null, chartsDrawnAt = 0;
    function scheduleCharts() {
      if (chartTimer) return;
      var gap = S.list.length > 2000 ? 1500 : 300;
      var wait = Math.max(50, gap - (Date.now() - chartsDrawnAt));
      chartTimer = setTimeout(function () { chartTimer = null; chartsDrawnAt = Date.now(); drawCharts(false); }, wait);
    }

    function connect() {
      var url = '/api/study/events?store=' + encodeURIComponent(D.store) + '&name=' + encodeURIComponent(D.study) + '&epoch=' + S.epoch + '&since=' + S.version;
      var es = new EventSource(url);
      es.addEventListener('update', function (e) { apply(JSON.parse(e.data)); });
      es.addEventListener('reset', function () { es.close(); window.location.reload(); });
      es.onopen = function () { if (!S.error) setLive('on', 'live'); };
      es.onerror = function () { setLive('off', 'reconnecting…'); };
    }

    // ---- start ----
    ingest(D.trials, false);
    buildHeader();
    stateFilter();
    cards();
    bestPanel();
    showBanner(D.error, 'error');
    computeView();
    renderRows();
    document.getElementById('clear-filters').addEventListener('click', function () {
      S.filters = {}; S.states = new Set(STATES); buildHeader(); stateFilter(); refresh();
    });
    perf.interactive = performance.now();
    document.body.setAttribute('data-interactive', '1');
    setLive('wait', 'connecting…');
    connect();
    buildTabs();
    selectTab('history');
    setInterval(function () {
      document.querySelectorAll('[data-ago]').forEach(function (n) { var v = n.getAttribute('data-ago'); n.textContent = v ? ago(Number(v)) : ''; });
      if (S.fresh.size) {
        var now = Date.now();
        S.fresh.forEach(function (t, id) { if (now - t > 2500) S.fresh.delete(id); });
      }
    }, 2000);
  }

  if (PAGE === 'studies') studiesPage();
  else if (PAGE === 'study') studyPage();
})();
