// Smart Limits dashboard: plain DOM, no build step. Everything user-supplied goes in as text
// (textContent / attributes), never as HTML. The API key lives in sessionStorage only.

const KEY_STORE = 'smart-limits.api-key';
const STATUSES = ['restricted', 'at_risk', 'cooldown', 'warning', 'warming_up', 'healthy'];
const STATUS_TEXT = {
  restricted: 'Restricted',
  at_risk: 'At risk',
  cooldown: 'Cooling down',
  warning: 'Near a limit',
  warming_up: 'Warming up',
  healthy: 'Healthy',
};
const SVG = 'http://www.w3.org/2000/svg';

const $ = (id) => document.getElementById(id);
const state = {
  key: sessionStorage.getItem(KEY_STORE),
  status: null, // filter
  cursor: null, // cursor of the page shown (null: first page)
  nextCursor: null,
  selected: null, // identity id of the open detail panel
  refreshMs: 15_000,
  timer: null,
  notBefore: 0, // after a 429: no automatic call before this time
};

// ---------- small helpers ----------

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function svg(tag, attrs = {}) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

const nf = new Intl.NumberFormat();
const pct = (x) => `${Math.round(x * 100)} %`;
const time = (iso) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
const dateTime = (iso) => new Date(iso).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

function windowText(seconds) {
  if (seconds === 86_400) return '24 h';
  if (seconds % 86_400 === 0) return `${seconds / 86_400} days`;
  if (seconds % 3_600 === 0) return `${seconds / 3_600} h`;
  return `${seconds} s`;
}

function duration(ms) {
  if (ms <= 0) return 'ending now';
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3_600);
  const m = Math.floor((s % 3_600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  if (d > 0) return `${d}d ${h}h ${m}m`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m ${sec}s`;
  return `${m}m ${sec}s`;
}

/** A countdown that the 1-second ticker keeps current. */
function countdown(endsAt) {
  if (!endsAt) return el('span', { class: 'countdown', text: 'until cleared' });
  const span = el('span', { class: 'countdown', 'data-ends-at': endsAt });
  tickOne(span);
  return span;
}
function tickOne(span) {
  span.textContent = `ends in ${duration(Date.parse(span.dataset.endsAt) - Date.now())}`;
}
setInterval(() => document.querySelectorAll('[data-ends-at]').forEach(tickOne), 1000);

function badge(status) {
  return el('span', { class: `badge s-${status}`, text: STATUS_TEXT[status] ?? status });
}

/** A usage bar: green below 80 %, amber from 80 %, red when full. */
function usageBar(label, consumed, max) {
  const ratio = max > 0 ? consumed / max : 0;
  const bar = el('div', {
    class: `bar${ratio >= 1 ? ' full' : ratio >= 0.8 ? ' near' : ''}`,
    role: 'progressbar',
    'aria-valuemin': 0,
    'aria-valuemax': max,
    'aria-valuenow': Math.min(consumed, max),
    'aria-label': `${label}: ${consumed} of ${max}`,
  });
  const fill = el('span');
  fill.style.width = `${Math.min(100, ratio * 100)}%`; // CSSOM, allowed by the page's CSP
  bar.append(fill);
  return bar;
}

function usageCell(label, consumed, max) {
  return el(
    'div',
    { class: 'usage' },
    el('div', { class: 'top-line' }, el('span', { class: 'slug', text: label }), el('span', { class: 'val', text: `${nf.format(consumed)} / ${nf.format(max)}` })),
    usageBar(label, consumed, max),
  );
}

function showAlert(message) {
  const a = $('alert');
  a.textContent = message ?? '';
  a.hidden = !message;
}

// ---------- API ----------

class Unauthorized extends Error {}

async function api(path) {
  let res;
  try {
    res = await fetch(path, { headers: { Authorization: `Bearer ${state.key}`, Accept: 'application/json' } });
  } catch {
    throw new Error('The service did not answer. Retrying…');
  }
  if (res.status === 401) throw new Unauthorized();
  let body = null;
  try {
    body = await res.json();
  } catch {
    /* not JSON */
  }
  if (res.status === 429) {
    const wait = Number(res.headers.get('Retry-After') ?? '1');
    state.notBefore = Date.now() + Math.max(1, wait) * 1000;
    throw new Error(`Too many requests for this workspace; trying again in ${wait} s.`);
  }
  if (!res.ok) throw new Error(body?.error?.message ?? `The service answered ${res.status}.`);
  return body;
}

// ---------- login ----------

function showLogin(message = '') {
  clearTimeout(state.timer);
  $('main').hidden = true;
  $('forget-key').hidden = true;
  $('login').hidden = false;
  $('updated').textContent = '';
  $('key-message').textContent = message;
  showAlert('');
  $('api-key').value = '';
  $('api-key').focus();
}

function forgetKey(message = '') {
  sessionStorage.removeItem(KEY_STORE);
  state.key = null;
  state.selected = null;
  showLogin(message);
}

$('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const key = $('api-key').value.trim();
  if (!key) return;
  state.key = key;
  sessionStorage.setItem(KEY_STORE, key);
  $('login').hidden = true;
  $('main').hidden = false;
  $('forget-key').hidden = false;
  refresh();
});
$('forget-key').addEventListener('click', () => forgetKey());

// ---------- overview ----------

function renderTier(data) {
  const t = data.tier;
  $('ws-name').textContent = data.workspace.name;
  $('plan-tier').textContent = t.plan_tier;
  $('engagement-tier').textContent = t.engagement_tier ? `${t.engagement_tier} (${nf.format(t.engagement_identities)} engagement identities)` : `none (${nf.format(t.engagement_identities)} engagement identities)`;
  $('daily-label').textContent = `${nf.format(t.daily_used)} of ${nf.format(t.daily_api_limit)} API requests today (${pct(t.daily_usage)})`;
  const old = $('daily-bar');
  const bar = usageBar('API requests today', t.daily_used, t.daily_api_limit);
  bar.id = 'daily-bar';
  old.replaceWith(bar);
}

function renderCounts(counts) {
  const box = $('status-counts');
  box.replaceChildren(
    el('button', { type: 'button', 'aria-pressed': state.status === null, 'data-testid': 'count-all', onclick: () => setFilter(null) }, el('span', { class: 'n', text: nf.format(counts.total) }), el('span', { class: 'label', text: 'All' })),
    ...STATUSES.map((s) =>
      el(
        'button',
        { type: 'button', 'aria-pressed': state.status === s, 'data-testid': `count-${s}`, onclick: () => setFilter(state.status === s ? null : s) },
        el('span', { class: 'n', text: nf.format(counts[s] ?? 0) }),
        el('span', { class: 'label' }, el('span', { class: `dot s-${s}`, 'aria-hidden': 'true' }), STATUS_TEXT[s]),
      ),
    ),
  );
}

function identityName(i) {
  return i.label || i.external_id;
}

function renderRows(data) {
  const rows = data.identities.map((i) => {
    const open = el('button', { type: 'button', class: 'who', 'aria-controls': 'identity-detail', onclick: () => openDetail(i.id), text: identityName(i) });
    const who = el('td', {}, open, el('span', { class: 'meta', text: [i.label ? i.external_id : null, i.account_type.replace('_', ' '), i.identity_status === 'paused' ? 'paused' : null].filter(Boolean).join(' · ') }));
    const busiest = i.top_limit ? el('td', {}, usageCell(i.top_limit.name ?? i.top_limit.slug, i.top_limit.consumed, i.top_limit.max_limit)) : el('td', { class: 'muted', text: 'no use yet' });
    const cd = i.cooldown
      ? el('td', {}, el('span', { text: i.cooldown.reason }), el('span', { class: 'meta' }, i.cooldown.scope === 'identity' ? 'whole identity · ' : `${i.cooldown.limits.join(', ')} · `, countdown(i.cooldown.ends_at)))
      : el('td', { class: 'muted', text: '—' });
    const warm = el('td', { class: 'num', text: i.warmup_factor >= 1 ? 'done' : `day ${i.warmup_day ?? '?'} · ${pct(i.warmup_factor)}` });
    return el('tr', { 'data-identity-id': i.id, 'data-status': i.status, class: i.id === state.selected ? 'selected' : null }, who, el('td', {}, badge(i.status)), busiest, cd, warm);
  });
  $('rows').replaceChildren(...rows);
  $('empty').hidden = rows.length > 0;
  $('empty').textContent = state.status ? `No identities are ${STATUS_TEXT[state.status].toLowerCase()}.` : 'No identities yet.';
  $('table-caption').textContent = `${state.status ? STATUS_TEXT[state.status] + ' identities' : 'All identities'}${state.cursor ? ' (later page)' : ''}, most at risk first`;
  state.nextCursor = data.next_cursor;
  $('next-page').hidden = !data.next_cursor;
  $('first-page').hidden = !state.cursor;
}

async function loadOverview() {
  const q = new URLSearchParams({ limit: '50' });
  if (state.status) q.set('status', state.status);
  if (state.cursor) q.set('cursor', state.cursor);
  const data = await api(`/v1/dashboard?${q}`);
  renderTier(data);
  renderCounts(data.counts);
  renderRows(data);
  state.refreshMs = Math.max(5, data.refresh_seconds || 15) * 1000;
  $('updated').textContent = `Updated ${new Date(data.generated_at).toLocaleTimeString()}`;
}

function setFilter(status) {
  state.status = status;
  state.cursor = null;
  refresh();
}
$('next-page').addEventListener('click', () => {
  state.cursor = state.nextCursor;
  refresh();
});
$('first-page').addEventListener('click', () => {
  state.cursor = null;
  refresh();
});

// ---------- one identity ----------

function openDetail(id) {
  state.selected = id;
  document.querySelectorAll('tr[data-identity-id]').forEach((tr) => tr.classList.toggle('selected', tr.dataset.identityId === id));
  loadDetail(true).catch(handleError);
}
$('close-detail').addEventListener('click', () => {
  state.selected = null;
  $('identity-detail').hidden = true;
  document.querySelector('.layout').classList.remove('with-detail');
  document.querySelectorAll('tr.selected').forEach((tr) => tr.classList.remove('selected'));
});

async function loadDetail(focus = false) {
  const id = state.selected;
  if (!id) return;
  const [health, activity] = await Promise.all([api(`/v1/identities/${id}/health`), api(`/v1/identities/${id}/activity?window=24h&bucket=1h`)]);
  if (state.selected !== id) return;
  renderDetail(health, activity);
  const panel = $('identity-detail');
  panel.hidden = false;
  document.querySelector('.layout').classList.add('with-detail');
  if (focus) $('detail-title').focus();
}

function renderDetail(h, activity) {
  $('detail-title').textContent = h.label || h.external_id;
  $('detail-title').setAttribute('tabindex', '-1');
  const body = [];
  body.push(
    el('p', {}, badge(h.status), ' ', el('span', { class: 'muted', text: [h.label ? h.external_id : null, h.account_type.replace('_', ' '), `level ${h.level}`, h.identity_status].filter(Boolean).join(' · ') })),
  );
  if (h.reasons.length) body.push(el('ul', { class: 'reasons', 'aria-label': 'Why' }, h.reasons.map((r) => el('li', { text: r }))));
  else body.push(el('p', { class: 'muted', text: 'No pushback, every limit below 80 %.' }));

  const warm = h.warmup_complete ? (h.warmup_mode === 'none' ? 'No warm-up ramp: full limits.' : 'Warm-up done: full limits.') : `Warm-up day ${h.warmup_day ?? '?'} (${h.warmup_mode}): limits at ${pct(h.warmup_factor)}${h.warmup_frozen_until ? `, paused until ${dateTime(h.warmup_frozen_until)} after pushback` : ''}.`;
  body.push(el('p', { class: 'muted', text: warm }));

  if (h.cooldown) {
    const c = h.cooldown;
    body.push(
      el(
        'div',
        { class: 'cooldown-box', role: 'group', 'aria-label': 'Running cooldown' },
        el('strong', { text: `Cooldown: ${c.reason}` }),
        el('div', { text: `${c.scope === 'identity' ? 'Whole identity' : `Limits: ${c.limits.join(', ')}`} · level ${c.level} · since ${dateTime(c.started_at)}` }),
        el('div', {}, countdown(c.ends_at), c.ends_at ? ` (${dateTime(c.ends_at)})` : ' — a person must clear it'),
        h.cooldowns.length > 1 ? el('div', { class: 'muted', text: `${h.cooldowns.length - 1} more running` }) : null,
      ),
    );
  }

  body.push(el('h3', { text: 'Limits' }));
  const limits = h.limits.filter((l) => l.max_limit > 0).sort((a, b) => b.usage - a.usage || a.slug.localeCompare(b.slug));
  body.push(
    el(
      'div',
      { class: 'limit-bars', 'data-testid': 'detail-limits' },
      limits.map((l) =>
        el(
          'div',
          {},
          usageCell(`${l.name} (${windowText(l.window_seconds)})`, l.consumed, l.max_limit),
          l.cooldown
            ? el('div', { class: 'note', text: `cooling down: ${l.cooldown.reason}` })
            : l.remaining === 0 && l.available_at
              ? el('div', { class: 'note', text: `room again at ${time(l.available_at)}` })
              : null,
        ),
      ),
    ),
  );

  body.push(el('h3', { text: 'Activity, last 24 hours' }));
  body.push(activityChart(activity));

  body.push(el('h3', { text: 'Recent errors' }));
  body.push(errorsTable(h.recent_errors));
  $('detail-body').replaceChildren(...body);
}

function errorsTable(errors) {
  if (!errors.length) return el('p', { class: 'muted', 'data-testid': 'recent-errors', text: 'No errors reported.' });
  return el(
    'table',
    { class: 'errors', 'data-testid': 'recent-errors' },
    el('caption', { class: 'visually-hidden', text: 'Recent classified errors, newest first' }),
    el('thead', {}, el('tr', {}, ['When', 'Action', 'Status', 'Classified', 'Cooldown'].map((t) => el('th', { scope: 'col', text: t })))),
    el(
      'tbody',
      {},
      errors.map((e) =>
        el(
          'tr',
          {},
          el('td', { text: dateTime(e.occurred_at) }),
          el('td', { text: e.action_slug.replace(/^linkedin-/, '') }),
          el('td', { class: 'num', text: String(e.status_code) }),
          el('td', { text: `${e.error_label ?? e.type}${e.strike ? ' (strike)' : ''}` }),
          el('td', { text: e.cooldown_id ? 'started/extended' : '—' }),
        ),
      ),
    ),
  );
}

/** Lines per limit (up to 5 busiest, the rest merged as "other"): counts per hour, never summed across limits. */
function activityChart(a) {
  const used = a.limits.filter((l) => l.total > 0).sort((x, y) => y.total - x.total);
  const series = used.slice(0, 5).map((l, i) => ({ name: l.name, total: l.total, counts: l.counts.map((c) => c ?? 0), cls: `c${i + 1}` }));
  if (used.length > 5) {
    const rest = used.slice(5);
    series.push({ name: 'other limits', total: rest.reduce((t, l) => t + l.total, 0), counts: a.buckets.map((_, j) => rest.reduce((t, l) => t + (l.counts[j] ?? 0), 0)), cls: 'c6' });
  }
  const summary = series.length ? `Activity over 24 hours: ${series.map((s) => `${nf.format(s.total)} ${s.name.toLowerCase()}`).join(', ')}` : 'Activity over 24 hours: nothing recorded';

  const W = 600;
  const H = 190;
  const m = { l: 34, r: 10, t: 10, b: 24 };
  const n = a.buckets.length;
  const max = Math.max(1, ...series.flatMap((s) => s.counts));
  const x = (j) => m.l + ((j + 0.5) * (W - m.l - m.r)) / n;
  const y = (v) => H - m.b - (v / max) * (H - m.t - m.b);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': summary, 'data-testid': 'activity-chart' });
  chart.append(svg('line', { class: 'axis', x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b }), svg('line', { class: 'axis', x1: m.l, x2: W - m.r, y1: m.t, y2: m.t }));
  const top = svg('text', { x: m.l - 6, y: m.t + 4, 'text-anchor': 'end' });
  top.textContent = nf.format(max);
  const zero = svg('text', { x: m.l - 6, y: H - m.b + 4, 'text-anchor': 'end' });
  zero.textContent = '0';
  chart.append(top, zero);
  a.buckets.forEach((b, j) => {
    if (j % 4 !== 0) return;
    const t = svg('text', { x: x(j), y: H - 6, 'text-anchor': 'middle' });
    t.textContent = time(b);
    chart.append(t);
  });
  for (const s of series) {
    const g = svg('g', { class: s.cls });
    const line = svg('polyline', { points: s.counts.map((c, j) => `${x(j).toFixed(1)},${y(c).toFixed(1)}`).join(' '), fill: 'none', 'stroke-width': 2 });
    line.style.stroke = `var(--chart-${s.cls.slice(1)})`;
    g.append(line);
    s.counts.forEach((c, j) => {
      if (c > 0) g.append(svg('circle', { cx: x(j).toFixed(1), cy: y(c).toFixed(1), r: 2.6 }));
    });
    chart.append(g);
  }

  const legend = el('ul', { class: 'legend', 'aria-hidden': 'true' }, series.map((s) => el('li', {}, el('span', { class: `swatch ${s.cls}` }), `${s.name} (${nf.format(s.total)})`)));
  const table = el(
    'table',
    { class: 'visually-hidden' },
    el('caption', { text: 'Activity per hour, last 24 hours' }),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Hour starting' }), series.map((s) => el('th', { scope: 'col', text: s.name })))),
    el('tbody', {}, a.buckets.map((b, j) => el('tr', {}, el('th', { scope: 'row', text: time(b) }), series.map((s) => el('td', { text: String(s.counts[j]) }))))),
  );
  return el('div', { class: 'chart-wrap' }, chart, legend, table);
}

// ---------- refresh loop ----------

function handleError(e) {
  if (e instanceof Unauthorized) {
    forgetKey('That key was not accepted. Paste a valid workspace API key.');
    return;
  }
  showAlert(e.message);
}

async function refresh() {
  clearTimeout(state.timer);
  if (!state.key) return showLogin();
  if (Date.now() < state.notBefore) return schedule(state.notBefore - Date.now());
  try {
    await loadOverview();
    if (state.selected) await loadDetail();
    showAlert('');
  } catch (e) {
    handleError(e);
    if (!state.key) return;
  }
  schedule(state.refreshMs);
}

function schedule(ms) {
  clearTimeout(state.timer);
  state.timer = setTimeout(() => {
    if (document.hidden) return; // resumed by visibilitychange
    refresh();
  }, Math.max(ms, 1000));
}
document.addEventListener('visibilitychange', () => {
  if (!document.hidden && state.key) refresh();
});

// ---------- start ----------

if (state.key) {
  $('login').hidden = true;
  $('main').hidden = false;
  $('forget-key').hidden = false;
  refresh();
} else {
  showLogin();
}
