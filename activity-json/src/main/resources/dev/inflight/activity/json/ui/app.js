// inflight live page: polls the diagnostics document once a second and draws it.
// Plain DOM, no framework, no inline script or style (the page's Content-Security-Policy).
// Everything that comes from the proxy (sessions, models, names) is written with textContent.
(function () {
  'use strict';

  var POLL_MS = 1000;          // refresh cadence
  var TIMEOUT_MS = 4000;       // a poll slower than this counts as a failure
  var HISTORY_S = 300;         // the charts show the last five minutes
  var MAX_DRAWN = 500;         // rows drawn after sort and filter; the rest are counted, not drawn
  var SVG = 'http://www.w3.org/2000/svg';
  // The page is .../v1/diagnostics/ui: the document is its sibling, whatever the prefix.
  var SOURCE = new URL('../diagnostics', location.href).toString();

  var state = {
    doc: null,
    sortKey: 'duration',
    sortDir: -1,
    filter: '',
    show: 'all',       // which rows: 'all', 'stalled' or 'orphaned'
    last: {},          // backend (or '' for all) -> {t, rx, tx} last cumulative sample
    history: {},       // backend (or '' for all) -> [{t, rx, tx}] rates, bytes per second
    lastOk: 0,
    failures: 0,
    cards: {}
  };

  function $(id) { return document.getElementById(id); }

  // ---- formatting ----
  function bytes(n) {
    if (n === null || n === undefined) { return '\u2013'; }
    var units = ['B', 'KB', 'MB', 'GB', 'TB'];
    var i = 0;
    var v = n;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return (i === 0 ? String(Math.round(v)) : v.toFixed(v < 10 ? 2 : 1)) + ' ' + units[i];
  }
  // a signed count of bytes: the backlog is negative when the proxy sent more than it received
  function signedBytes(n) {
    if (n === null || n === undefined) { return '\u2013'; }
    return n < 0 ? '\u2212' + bytes(-n) : bytes(n);
  }
  function rate(n) { return n === null || n === undefined ? '\u2013' : bytes(n) + '/s'; }
  function seconds(s) {
    if (s === null || s === undefined) { return '\u2013'; }
    if (s < 10) { return s.toFixed(2) + ' s'; }
    if (s < 60) { return s.toFixed(1) + ' s'; }
    var m = Math.floor(s / 60);
    if (m < 60) { return m + 'm ' + pad(Math.floor(s % 60)) + 's'; }
    return Math.floor(m / 60) + 'h ' + pad(m % 60) + 'm';
  }
  // events received / sent, or a dash from a proxy that does not count them
  function events(rx, tx) {
    if (rx === null || rx === undefined) { return '\u2013'; }
    return count(rx) + ' / ' + count(tx || 0);
  }
  function pad(n) { return n < 10 ? '0' + n : String(n); }
  function count(n) { return Number(n).toLocaleString('en-US'); }
  function clock(epochSeconds) {
    var d = new Date(epochSeconds * 1000);
    return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  }
  function setText(el, text) { if (el.textContent !== text) { el.textContent = text; } }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  // ---- rates from the cumulative counters ----
  function sample(key, t, rx, tx) {
    var prev = state.last[key];
    state.last[key] = { t: t, rx: rx, tx: tx };
    var h = state.history[key] || (state.history[key] = []);
    while (h.length && h[0].t < t - HISTORY_S) { h.shift(); }
    if (!prev || t <= prev.t) { return h.length ? h[h.length - 1] : null; }
    if (rx < prev.rx || tx < prev.tx) {
      return null;   // the counters went back: the proxy restarted; start again from here
    }
    var dt = t - prev.t;
    var point = { t: t, rx: (rx - prev.rx) / dt, tx: (tx - prev.tx) / dt };
    h.push(point);
    return point;
  }

  function drawChart(svg, key, now) {
    var h = state.history[key] || [];
    var w = 300;
    var ht = 60;
    var max = 1;
    h.forEach(function (p) { max = Math.max(max, p.rx, p.tx); });
    // The x axis spans the history there is (at least 30 s), up to five minutes.
    var span = h.length ? Math.min(HISTORY_S, Math.max(30, now - h[0].t)) : HISTORY_S;
    ['rx', 'tx'].forEach(function (dir) {
      var pts = h.map(function (p) {
        var x = w - (now - p.t) / span * w;
        var y = ht - 3 - p[dir] / max * (ht - 16);
        return x.toFixed(1) + ',' + y.toFixed(1);
      });
      var line = svg.querySelector('polyline.' + dir);
      line.setAttribute('points', pts.join(' '));
    });
    svg.setAttribute('data-samples', String(h.length));
    setText(svg.querySelector('.scale'), 'peak ' + rate(max) + ' \u00b7 last '
        + (span < 90 ? Math.round(span) + ' s' : Math.round(span / 60) + ' min'));
  }

  function newChart() {
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'chart');
    svg.setAttribute('viewBox', '0 0 300 60');
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', 'RX and TX rate, last 5 minutes');
    svg.setAttribute('data-samples', '0');
    ['rx', 'tx'].forEach(function (dir) {
      var l = document.createElementNS(SVG, 'polyline');
      l.setAttribute('class', dir);
      l.setAttribute('points', '');
      svg.appendChild(l);
    });
    var s = document.createElementNS(SVG, 'text');
    s.setAttribute('class', 'scale');
    s.setAttribute('x', '4');
    s.setAttribute('y', '10');
    svg.appendChild(s);
    return svg;
  }

  // ---- the document ----
  function rowsOf(doc) {
    var rows = [];
    (doc.instances || []).forEach(function (inst) {
      var a = inst.activity;
      if (!a) { return; }
      (a.connections || []).forEach(function (c) {
        rows.push({
          backend: inst.name,
          session: c.session_id,
          type: c.connection_type,
          model: c.model || '',
          duration: c.duration_seconds,
          idle: c.idle_seconds === undefined ? null : c.idle_seconds,
          rx: c.bytes_rx,
          tx: c.bytes_tx,
          firstByte: c.first_byte_seconds === undefined ? null : c.first_byte_seconds,
          // the backend's first content (pings are not content); older proxies do not send it
          firstContent: c.first_content_seconds === undefined ? null : c.first_content_seconds,
          // server-sent events from the backend and to the client (pings are not events), and the
          // longest wait between two from the backend (null before a second); older proxies send none
          eventsRx: c.events_rx === undefined ? null : c.events_rx,
          eventsTx: c.events_tx === undefined ? null : c.events_tx,
          maxEventGap: c.max_event_gap_seconds === undefined ? null : c.max_event_gap_seconds,
          requests: c.requests || 1,
          // stream health; a proxy on an older version sends none: its rows read as healthy
          backendIdle: c.backend_idle_seconds === undefined ? null : c.backend_idle_seconds,
          stalled: c.stalled === true,
          orphaned: c.orphaned === true,
          orphanedRx: c.orphaned_rx_bytes || 0,
          backlog: c.backlog_bytes === undefined ? c.bytes_rx - c.bytes_tx : c.backlog_bytes,
          trouble: (c.stalled === true ? 2 : 0) + (c.orphaned === true ? 1 : 0)
        });
      });
    });
    return rows;
  }

  // plain code-unit order: stable across locales, and what a reader of ids expects
  function text(x, y) { return x < y ? -1 : (x > y ? 1 : 0); }

  function compare(key, dir) {
    return function (a, b) {
      var x = a[key];
      var y = b[key];
      if (x === null && y !== null) { return 1; }     // unknown values last, either way
      if (y === null && x !== null) { return -1; }
      var c = typeof x === 'string' ? text(x, y) : x - y;
      if (c === 0) {
        return text(a.backend, b.backend) || text(a.session, b.session);
      }
      return c * dir;
    };
  }

  function drawSummary(doc) {
    var g = doc.global_activity || {};
    var t = doc.timestamp;
    var p = sample('', t, g.cumulative_bytes_rx || 0, g.cumulative_bytes_tx || 0);
    setText($('sum-active'), count(g.total_active_connections || 0));
    setText($('sum-rx-rate'), doc.activity_tracking_enabled ? rate(p ? p.rx : null) : '\u2013');
    setText($('sum-tx-rate'), doc.activity_tracking_enabled ? rate(p ? p.tx : null) : '\u2013');
    setText($('sum-rx'), bytes(g.cumulative_bytes_rx || 0));
    setText($('sum-tx'), bytes(g.cumulative_bytes_tx || 0));
    setText($('sum-rx-open'), bytes(g.total_bytes_rx || 0) + ' in open rows');
    setText($('sum-tx-open'), bytes(g.total_bytes_tx || 0) + ' in open rows');
    setText($('sum-ended'), count(g.completed_connections || 0));
    setText($('sum-stalled'), count(g.stalled_connections || 0));
    setText($('sum-orphaned'), count(g.orphaned_connections || 0));
    $('sum-trouble').setAttribute('data-trouble',
        (g.stalled_connections || 0) + (g.orphaned_connections || 0) > 0 ? 'yes' : 'no');
  }

  function drawBackends(doc) {
    var box = $('backends');
    var seen = {};
    var t = doc.timestamp;
    (doc.instances || []).forEach(function (inst, index) {
      var name = inst.name;
      seen[name] = true;
      var card = state.cards[name];
      if (!card) {
        card = { root: el('div', 'card') };
        card.root.setAttribute('data-backend', name);
        var h = el('h3');
        h.appendChild(el('span', 'name', name));
        card.kind = el('span', 'kind');
        h.appendChild(card.kind);
        card.root.appendChild(h);
        var l1 = el('div', 'line');
        card.open = el('span', 'open');
        card.flag = el('span', 'flag');
        l1.appendChild(card.open);
        l1.appendChild(card.flag);
        var l2 = el('div', 'line');
        card.rx = el('span', 'rx');
        card.tx = el('span', 'tx');
        l2.appendChild(card.rx);
        l2.appendChild(card.tx);
        card.root.appendChild(l1);
        card.root.appendChild(l2);
        card.chart = newChart();
        card.root.appendChild(card.chart);
        card.ended = el('div', 'ended');
        card.root.appendChild(card.ended);
        state.cards[name] = card;
      }
      if (box.children[index] !== card.root) { box.insertBefore(card.root, box.children[index] || null); }
      setText(card.kind, inst.connector_type || '');
      var flags = [];
      if (inst.is_functional === false) { flags.push('not functional'); }
      if (inst.is_rate_limited) { flags.push('rate limited'); }
      setText(card.flag, flags.join(', '));
      var a = inst.activity;
      if (!a) {
        setText(card.open, 'not tracked');
        setText(card.rx, 'RX \u2013');
        setText(card.tx, 'TX \u2013');
        setText(card.ended, '');
        drawChart(card.chart, name, t);
        return;
      }
      var p = sample(name, t, a.cumulative_bytes_rx || 0, a.cumulative_bytes_tx || 0);
      setText(card.open, count(a.active_connections) + ' open \u00b7 ' + bytes(a.total_bytes_rx) + ' RX / ' + bytes(a.total_bytes_tx) + ' TX'
          + (a.stalled_connections ? ' \u00b7 ' + count(a.stalled_connections) + ' stalled' : '')
          + (a.orphaned_connections ? ' \u00b7 ' + count(a.orphaned_connections) + ' orphaned' : ''));
      setText(card.rx, 'RX ' + rate(p ? p.rx : null));
      setText(card.tx, 'TX ' + rate(p ? p.tx : null));
      var e = a.ended || {};
      setText(card.ended, 'ended: ' + count(e.completed || 0) + ' completed, ' + count(e.client_aborted || 0)
          + ' client aborted, ' + count(e.errored || 0) + ' errored, ' + count(e.evicted || 0) + ' evicted');
      drawChart(card.chart, name, t);
    });
    Object.keys(state.cards).forEach(function (name) {
      if (!seen[name]) {
        box.removeChild(state.cards[name].root);
        delete state.cards[name];
      }
    });
  }

  function fillRow(tr, cells) {
    while (tr.children.length < cells.length) { tr.appendChild(el('td')); }
    cells.forEach(function (c, i) {
      var td = tr.children[i];
      if (td.className !== c[0]) { td.className = c[0]; }
      if (c[1] !== undefined) { setText(td, c[1]); }   // else the caller draws the cell
      if (c[2] !== undefined) {
        var v = String(c[2]);
        if (td.getAttribute('data-value') !== v) { td.setAttribute('data-value', v); }
      }
      if (c[3] !== undefined && td.title !== c[3]) { td.title = c[3]; }
    });
  }

  function syncBody(body, n) {
    while (body.children.length > n) { body.removeChild(body.lastChild); }
    while (body.children.length < n) { body.appendChild(el('tr')); }
  }

  // the State cell: a word for each mark, and why in its title
  function drawState(td, r) {
    var words = [];
    if (r.stalled) { words.push('stalled'); }
    if (r.orphaned) { words.push('orphaned'); }
    var key = words.join(' ');
    if (td.getAttribute('data-state') !== key) {
      td.setAttribute('data-state', key);
      td.textContent = '';
      words.forEach(function (w) { td.appendChild(el('span', 'mark mark-' + w, w)); });
    }
    var why = [];
    if (r.stalled) {
      why.push('no content from the backend for ' + seconds(r.backendIdle));
    }
    if (r.orphaned) {
      why.push('every client left; ' + count(r.orphanedRx) + ' bytes received since');
    }
    var title = why.join('; ');
    if (td.title !== title) { td.title = title; }
  }

  function drawRows(doc) {
    var all = rowsOf(doc);
    var f = state.filter.toLowerCase();
    var show = state.show;
    var filtered = f || show !== 'all';
    var rows = filtered ? all.filter(function (r) {
      if (show === 'stalled' && !r.stalled) { return false; }
      if (show === 'orphaned' && !r.orphaned) { return false; }
      return !f || (r.backend + ' ' + r.session + ' ' + r.type + ' ' + r.model).toLowerCase().indexOf(f) >= 0;
    }) : all;
    rows.sort(compare(state.sortKey, state.sortDir));
    var n = Math.min(rows.length, MAX_DRAWN);
    var body = $('rows-body');
    syncBody(body, n);
    for (var i = 0; i < n; i++) {
      var r = rows[i];
      var tr = body.children[i];
      tr.setAttribute('data-backend', r.backend);
      tr.setAttribute('data-session', r.session);
      var cls = (r.stalled ? 'row-stalled' : '') + (r.stalled && r.orphaned ? ' ' : '') + (r.orphaned ? 'row-orphaned' : '');
      if (tr.className !== cls) { tr.className = cls; }
      fillRow(tr, [
        ['', r.backend],
        ['session', r.session, undefined, r.session],
        ['', r.type === 'non_streaming' ? 'non-streaming' : r.type],
        ['', r.model || '\u2013'],
        ['num', seconds(r.duration), r.duration],
        ['num', seconds(r.idle), r.idle === null ? '' : r.idle],
        ['num rx-bytes', bytes(r.rx), r.rx, count(r.rx) + ' bytes'],
        ['num tx-bytes', bytes(r.tx), r.tx, count(r.tx) + ' bytes'],
        ['num backlog', signedBytes(r.backlog), r.backlog, count(r.backlog) + ' bytes received, not yet sent'],
        ['num', seconds(r.firstByte), r.firstByte === null ? '' : r.firstByte],
        ['num first-content', seconds(r.firstContent), r.firstContent === null ? '' : r.firstContent],
        ['num events', events(r.eventsRx, r.eventsTx), r.eventsRx === null ? '' : r.eventsRx,
            r.eventsRx === null ? '' : 'server-sent events: ' + count(r.eventsRx)
                + ' received from the backend, ' + count(r.eventsTx || 0) + ' sent to the client'],
        ['num max-event-gap', seconds(r.maxEventGap), r.maxEventGap === null ? '' : r.maxEventGap],
        ['state']
      ]);
      drawState(tr.children[13], r);
    }
    var note;
    if (!doc.activity_tracking_enabled) {
      note = 'Tracking is disabled: no rows.';
    } else if (rows.length > MAX_DRAWN) {
      note = 'Showing the first ' + count(MAX_DRAWN) + ' of ' + count(rows.length) + ' rows'
          + (filtered ? ' matching the filter' : '') + ' (after sorting); filter to see the others.';
    } else {
      note = count(rows.length) + (rows.length === 1 ? ' row' : ' rows')
          + (filtered ? ' match the filter (of ' + count(all.length) + ').' : '.');
    }
    setText($('rows-note'), note);
    $('rows').setAttribute('data-total', String(rows.length));
    $('rows').setAttribute('data-drawn', String(n));
  }

  function drawRecent(doc) {
    var recent = doc.recent || [];
    var body = $('recent-body');
    syncBody(body, recent.length);
    recent.forEach(function (r, i) {
      var tr = body.children[i];
      tr.setAttribute('data-session', r.session_id);
      tr.setAttribute('data-reason', r.reason);
      fillRow(tr, [
        ['', clock(r.ended_at)],
        ['', r.backend],
        ['session', r.session_id, undefined, r.session_id],
        ['', r.connection_type === 'non_streaming' ? 'non-streaming' : r.connection_type],
        ['', r.model || '\u2013'],
        ['num', seconds(r.duration_seconds)],
        ['num', bytes(r.bytes_rx), r.bytes_rx, count(r.bytes_rx) + ' bytes'],
        ['num', bytes(r.bytes_tx), r.bytes_tx, count(r.bytes_tx) + ' bytes'],
        ['num', seconds(r.first_byte_seconds === undefined ? null : r.first_byte_seconds)],
        ['num first-content', seconds(r.first_content_seconds === undefined ? null : r.first_content_seconds)],
        ['']
      ]);
      var cell = tr.children[10];
      var badge = cell.firstChild;
      if (!badge) { badge = el('span'); cell.appendChild(badge); }
      var cls = 'reason reason-' + r.reason;
      if (badge.className !== cls) { badge.className = cls; }
      setText(badge, r.reason);
      var after = r.orphaned_rx_bytes
          ? count(r.orphaned_rx_bytes) + ' bytes received from the backend after every client left' : '';
      if (badge.title !== after) { badge.title = after; }
    });
    setText($('recent-note'), recent.length ? '' : 'No connection has ended yet.');
  }

  function draw() {
    var doc = state.doc;
    if (!doc) { return; }
    drawRows(doc);
  }

  // ---- status and polling ----
  function setStatus(kind, text) {
    var s = $('status');
    s.setAttribute('data-state', kind);
    setText(s, text);
    document.body.setAttribute('data-state', kind);
  }

  function onDocument(doc) {
    var began = performance.now();
    state.doc = doc;
    state.failures = 0;
    state.lastOk = Date.now();
    $('banner-offline').hidden = true;
    $('banner-disabled').hidden = doc.activity_tracking_enabled !== false;
    drawSummary(doc);
    drawBackends(doc);
    drawRows(doc);
    drawRecent(doc);
    if (doc.activity_tracking_enabled === false) {
      setStatus('disabled', 'tracking disabled \u00b7 ' + clock(doc.timestamp));
    } else {
      setStatus('live', 'live \u00b7 updated ' + clock(doc.timestamp));
    }
    // how long drawing this refresh took: the page stays responsive while this stays well
    // under the refresh interval
    document.body.setAttribute('data-draw-ms', String(Math.round(performance.now() - began)));
  }

  function onFailure(status) {
    state.failures++;
    var banner = $('banner-offline');
    banner.hidden = false;
    var since = state.lastOk ? ' Last update ' + Math.round((Date.now() - state.lastOk) / 1000) + ' s ago.' : '';
    if (status === 403) {
      setStatus('refused', 'refused (403)');
      setText($('banner-offline-title'), 'The proxy refused this page (403).');
      setText($('banner-offline-detail'), 'Diagnostics are served to local clients only, not through another proxy.');
    } else {
      setStatus('reconnecting', 'reconnecting\u2026');
      setText($('banner-offline-title'), 'Reconnecting\u2026');
      setText($('banner-offline-detail'), (status ? 'The proxy answered ' + status + '.' : 'The proxy cannot be reached.')
          + since + ' Retrying every second.');
    }
  }

  function poll() {
    var started = Date.now();
    var ctrl = new AbortController();
    var timer = setTimeout(function () { ctrl.abort(); }, TIMEOUT_MS);
    fetch(SOURCE, { cache: 'no-store', signal: ctrl.signal, headers: { Accept: 'application/json' } })
      .then(function (r) {
        if (!r.ok) { throw { status: r.status }; }
        return r.json();
      })
      .then(onDocument, function (e) { onFailure(e && e.status); })
      .then(function () {
        clearTimeout(timer);
        setTimeout(poll, Math.max(50, POLL_MS - (Date.now() - started)));
      });
  }

  function setUp() {
    setText($('source'), new URL(SOURCE).pathname);
    var heads = document.querySelectorAll('#rows th[data-key]');
    function mark() {
      heads.forEach(function (th) {
        var k = th.getAttribute('data-key');
        if (k === state.sortKey) {
          th.setAttribute('aria-sort', state.sortDir > 0 ? 'ascending' : 'descending');
        } else {
          th.removeAttribute('aria-sort');
        }
      });
    }
    heads.forEach(function (th) {
      th.querySelector('button').addEventListener('click', function () {
        var k = th.getAttribute('data-key');
        if (state.sortKey === k) {
          state.sortDir = -state.sortDir;
        } else {
          state.sortKey = k;
          // text columns start A to Z, numbers start with the largest
          state.sortDir = ['backend', 'session', 'type', 'model'].indexOf(k) >= 0 ? 1 : -1;
        }
        mark();
        draw();
      });
    });
    mark();
    var input = $('filter');
    input.addEventListener('input', function () {
      state.filter = input.value.trim();
      draw();
    });
    var show = $('state-filter');
    show.addEventListener('change', function () {
      state.show = show.value;
      draw();
    });
    poll();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', setUp);
  } else {
    setUp();
  }
}());
