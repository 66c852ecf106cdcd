// Smart Limits — identity health dashboard. Plain DOM, no build step, no dependencies.
// Everything that comes from the API (labels are user data) goes in through textContent or
// setAttribute, never as HTML. The API key lives in sessionStorage only (this tab).

const KEY_STORE = 'smart-limits.api-key';
const STATUSES = ['restricted', 'at_risk', 'cooldown', 'warning', 'warming_up', 'healthy'];
const STATUS_TEXT = {
  restricted: 'Restricted',
  at_risk: 'At risk',
  cooldown: 'Cooling down',
  warning: 'Near or at a limit', // the group: a badge says which ("Near a limit" below 100 %, "Full" at it)
  warming_up: 'Warming up',
  healthy: 'Healthy',
};
// Cooldown reasons and error labels in plain words, shown beside the code (manual reasons are already words).
const REASON_TEXT = {
  STATUS_429: 'LinkedIn 429',
  STATUS_429_STRIKE_1: 'LinkedIn 429, 1st strike',
  STATUS_429_STRIKE_2: 'LinkedIn 429, 2nd strike',
  STATUS_429_STRIKE_3: 'LinkedIn 429, 3rd strike',
  STATUS_429_MULTIPLE_ACTIONS: 'LinkedIn 429s on several actions',
  BLOCKED_ANTIBOT: 'LinkedIn anti-bot (999)',
  CHALLENGE: 'LinkedIn checkpoint, a person must clear it',
  RESTRICTED: 'Account restricted by LinkedIn',
  AUTH_EXPIRED: 'LinkedIn session expired, reconnect the account',
  NOTE_LIMIT: 'Invitation notes used up (free account)',
  WEEKLY_LIMIT: 'Weekly invitation limit',
  LIMIT_REACHED: 'Our limit reached',
};
const SVG_NS = 'http://www.w3.org/2000/svg';
const MAX_SERIES = 5; // chart: a row for each of the 5 busiest limits, one more for the rest
// The page's own refreshes take at most this share of the workspace's per-minute API budget for the
// overview (it counts like any request; a Trial workspace has 5 a minute), leaving the rest to workers.
const POLL_SHARE = 0.25;

const $ = (id) => document.getElementById(id);
const state = {
  key: sessionStorage.getItem(KEY_STORE),
  epoch: 0, // bumped when the key changes, so late answers for an old key are dropped
  seq: 0, // bumped per overview load, so only the newest answer is drawn
  status: null, // status filter (null: all)
  cursor: null, // cursor of the page on screen (null: first page)
  nextCursor: null,
  selected: null, // identity id of the open detail panel
  refreshMs: 15_000,
  run: 0, // bumped per refresh, so only the newest one reports errors
  lastCounts: null, // status counts last shown, to announce changes
  timer: null,
  due: false, // a refresh was skipped while the tab was hidden
  notBefore: 0, // after a 429: no automatic call before this time (ms)
};

// ---------- small helpers ----------

/** el('div', { class, text, 'data-x': 1 }, ...children): attributes are set, never parsed as HTML. */
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

function svg(tag, attrs = {}, text) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

const nf = new Intl.NumberFormat('en');
const pct = (x) => `${Math.round(x * 100)}\u00a0%`; // no line break before the sign
const hhmm = (iso) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });
const hhmmss = (iso) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const dateTime = (iso) => new Date(iso).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
const nameOf = (x) => x.label || x.external_id;
const accountType = (t) => String(t ?? '').replaceAll('_', ' ');

function windowText(seconds) {
  if (seconds === 86_400) return '24 h';
  if (seconds % 86_400 === 0) return `${seconds / 86_400} days`;
  if (seconds % 3_600 === 0) return `${seconds / 3_600} h`;
  return `${Math.round(seconds / 60)} min`;
}

/** 3h 12m 05s; days when it is long. */
function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3_600);
  const m = Math.floor((s % 3_600) / 60);
  const two = (n) => String(n).padStart(2, '0');
  if (d > 0) return `${d}d ${h}h ${two(m)}m`;
  if (h > 0) return `${h}h ${two(m)}m ${two(s % 60)}s`;
  return `${m}m ${two(s % 60)}s`;
}

// ---------- countdowns: one 1-second ticker updates every [data-ends-at] on the page ----------

function countdown(endsAt) {
  if (!endsAt) return el('span', { class: 'countdown', text: 'until cleared' });
  const span = el('span', { class: 'countdown', 'data-ends-at': endsAt, title: dateTime(endsAt) });
  tick(span);
  return span;
}
function tick(span) {
  const left = Date.parse(span.dataset.endsAt) - Date.now();
  span.textContent = left > 0 ? `ends in ${duration(left)}` : 'ending now';
}
setInterval(() => document.querySelectorAll('[data-ends-at]').forEach(tick), 1000);

// ---------- building blocks ----------

/** The status in words; a `warning` at 100 % of a limit reads "Full", below it "Near a limit". */
function badge(status, usage) {
  const text = status === 'warning' ? (usage >= 1 ? 'Full' : 'Near a limit') : (STATUS_TEXT[status] ?? status);
  return el('span', { class: `badge s-${status}`, 'data-testid': 'status-badge', text });
}

/** "LinkedIn 429, 1st strike" with its code beside it; a reason without plain words (a manual one) as it is. */
function reasonText(code) {
  const words = REASON_TEXT[code];
  return words
    ? el('span', { class: 'reason-text' }, `${words} `, el('code', { class: 'reason-code', text: code }))
    : el('span', { class: 'reason-text', text: code ?? '' });
}

/** A progressbar: green below 80 %, amber from 80 %, red from 100 %. Width set through CSSOM (CSP-safe). */
function usageBar(ariaLabel, consumed, max) {
  const ratio = max > 0 ? consumed / max : 0;
  const level = ratio >= 1 ? 'full' : ratio >= 0.8 ? 'near' : 'ok';
  // aria-valuenow must stay in range (a lowered threshold can sit below what is already used); the text says it all.
  const bar = el('div', {
    class: `bar ${level}`,
    role: 'progressbar',
    'aria-valuemin': 0,
    'aria-valuemax': max,
    'aria-valuenow': Math.min(consumed, max),
    'aria-valuetext': `${nf.format(consumed)} of ${nf.format(max)} (${pct(ratio)})`,
    'aria-label': ariaLabel,
  });
  const fill = el('span', { class: 'fill' });
  fill.style.width = `${Math.min(100, ratio * 100)}%`;
  bar.append(fill);
  return bar;
}

/** Name on the left, "17 / 20" on the right, the bar below. */
function usageBlock(limit, caption = limit.name || limit.slug) {
  return el(
    'div',
    { class: 'usage', 'data-slug': limit.slug },
    el(
      'div',
      { class: 'usage-line' },
      el('span', { class: 'usage-name', title: limit.slug, text: caption }),
      el('span', { class: 'usage-val', text: `${nf.format(limit.consumed)} / ${nf.format(limit.max_limit)}` }),
    ),
    usageBar(caption, limit.consumed, limit.max_limit),
  );
}

function showAlert(message) {
  $('alert').textContent = message || '';
  $('alert').hidden = !message;
}

/** Polite, screen-reader-only news. Cleared first so the same words are announced again. */
function announce(text) {
  $('live').textContent = '';
  setTimeout(() => ($('live').textContent = text), 50);
}

/** Says which status counts moved since the last refresh; silent when nothing did (no chatter every few seconds). */
function announceChanges(counts) {
  const before = state.lastCounts;
  state.lastCounts = counts;
  if (!before) return;
  const moved = STATUSES.filter((st) => (before[st] ?? 0) !== (counts[st] ?? 0)).map((st) => `${STATUS_TEXT[st]}: ${counts[st] ?? 0}`);
  if (moved.length) announce(`Statuses changed. ${moved.join(', ')}`);
}

// ---------- API ----------

/** A 401: its message is the service's own (e.g. that the admin key is not a workspace key). */
class Unauthorized extends Error {}

/** The per-minute quota of a RateLimit-Policy field (IETF draft -11): the policy whose window is 60 s. */
function perMinuteQuota(policy) {
  for (const item of String(policy ?? '').split(',')) {
    const params = Object.fromEntries(
      item
        .split(';')
        .slice(1)
        .map((p) => p.trim().split('=')),
    );
    if (params.w === '60' && Number(params.q) > 0) return Number(params.q);
  }
  return null;
}

async function api(path, onHeaders) {
  let res;
  try {
    res = await fetch(path, { headers: { Authorization: `Bearer ${state.key}`, Accept: 'application/json' } });
  } catch {
    throw new Error('The service did not answer. Trying again shortly.');
  }
  onHeaders?.(res.headers);
  let body = null;
  try {
    body = await res.json();
  } catch {
    /* not JSON: fall back to a generic message below */
  }
  if (res.status === 401) throw new Unauthorized(body?.error?.message ?? '');
  if (res.status === 429) {
    // Retry-After is seconds (or an HTTP date); the next automatic refresh waits for it.
    const ra = res.headers.get('Retry-After');
    const secs = ra === null ? 30 : /^\d+$/.test(ra.trim()) ? Number(ra) : Math.ceil((Date.parse(ra) - Date.now()) / 1000) || 30;
    state.notBefore = Date.now() + Math.max(1, secs) * 1000;
  }
  if (!res.ok) throw new Error(body?.error?.message || `The service answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`);
  return body;
}

// ---------- key form ----------

function showLogin(message = '') {
  clearTimeout(state.timer);
  $('main').hidden = true;
  $('forget-key').hidden = true;
  $('login').hidden = false;
  $('updated').textContent = '';
  $('ws-name').textContent = '';
  $('key-message').textContent = message;
  showAlert('');
  $('api-key').value = '';
  $('api-key').focus();
}

function showDashboard() {
  $('login').hidden = true;
  $('main').hidden = false;
  $('forget-key').hidden = false;
  $('key-message').textContent = '';
}

function forgetKey(message = '') {
  sessionStorage.removeItem(KEY_STORE);
  Object.assign(state, { key: null, epoch: state.epoch + 1, status: null, cursor: null, nextCursor: null, notBefore: 0, lastCounts: null });
  closeDetail(false);
  $('rows').replaceChildren();
  showLogin(message);
}

$('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const key = $('api-key').value.trim();
  if (!key) return;
  sessionStorage.setItem(KEY_STORE, key);
  Object.assign(state, { key, epoch: state.epoch + 1, lastCounts: null }); // another workspace's counts are no news
  $('api-key').value = '';
  showDashboard();
  refresh();
});
$('forget-key').addEventListener('click', () => forgetKey());

// ---------- overview: tier card, status counts, table ----------

function renderTier(data) {
  const t = data.tier;
  $('ws-name').textContent = data.workspace?.name ?? '';
  $('plan-tier').textContent = t.plan_tier ?? '—';
  const n = `${nf.format(t.engagement_identities ?? 0)} engagement ${t.engagement_identities === 1 ? 'identity' : 'identities'}`;
  $('engagement-tier').textContent = t.engagement_tier ? `${t.engagement_tier} · ${n}` : `none · ${n}`;
  $('daily-label').textContent =
    `${nf.format(t.daily_used)} of ${nf.format(t.daily_api_limit)} requests today (${pct(t.daily_usage ?? t.daily_used / (t.daily_api_limit || 1))})`;
  $('daily-bar').replaceChildren(usageBar('API requests today', t.daily_used, t.daily_api_limit));
}

/** The count buttons are built once and updated in place, so keyboard focus survives refreshes. */
function buildCountButtons() {
  const make = (status, label) =>
    el(
      'button',
      { type: 'button', class: 'count', 'data-status': status ?? 'all', 'data-testid': `count-${status ?? 'all'}`, 'aria-pressed': 'false' },
      el('span', { class: 'n', text: '0' }),
      el('span', { class: 'count-label' }, status ? el('span', { class: `dot s-${status}`, 'aria-hidden': 'true' }) : null, label),
    );
  $('status-counts').replaceChildren(make(null, 'All'), ...STATUSES.map((s) => make(s, STATUS_TEXT[s])));
  $('status-counts').addEventListener('click', (e) => {
    const b = e.target.closest('button[data-status]');
    if (!b) return;
    const s = b.dataset.status === 'all' ? null : b.dataset.status;
    setFilter(state.status === s ? null : s);
  });
}

function renderCounts(counts) {
  for (const b of $('status-counts').querySelectorAll('button[data-status]')) {
    const s = b.dataset.status;
    b.querySelector('.n').textContent = nf.format((s === 'all' ? counts.total : counts[s]) ?? 0);
    b.setAttribute('aria-pressed', String((state.status ?? 'all') === s));
  }
}

function row(i) {
  const meta = [
    i.label ? i.external_id : null,
    accountType(i.account_type),
    i.identity_status && i.identity_status !== 'active' ? i.identity_status : null,
  ]
    .filter(Boolean)
    .join(' · ');
  const who = el(
    'td',
    { class: 'who-cell' },
    el('button', {
      type: 'button',
      class: 'who',
      'aria-controls': 'identity-detail',
      'aria-expanded': String(i.id === state.selected),
      text: nameOf(i),
    }),
    el('span', { class: 'meta', text: meta }),
  );
  const busiest = i.top_limit ? el('td', {}, usageBlock(i.top_limit)) : el('td', { class: 'muted', text: 'No use yet' });
  const c = i.cooldown;
  const cd = c
    ? el(
        'td',
        {},
        el('span', { class: 'reason' }, reasonText(c.reason)),
        el(
          'span',
          { class: 'meta' },
          c.scope === 'identity' ? 'whole identity · ' : c.limits?.length ? `${c.limits.join(', ')} · ` : '',
          countdown(c.ends_at),
        ),
      )
    : el('td', { class: 'muted', text: '—' });
  const warm = el('td', { class: 'num', text: i.warmup_factor >= 1 ? 'done' : `day ${i.warmup_day ?? '?'} · ${pct(i.warmup_factor)}` });
  return el(
    'tr',
    { 'data-identity-id': i.id, 'data-status': i.status, class: i.id === state.selected ? 'selected' : null },
    who,
    el('td', {}, badge(i.status, i.usage)),
    busiest,
    cd,
    warm,
  );
}

function renderRows(data) {
  // Keep keyboard focus on the same identity's button when the rows are redrawn.
  const focusedId = document.activeElement?.closest?.('#rows tr')?.dataset.identityId;
  $('rows').replaceChildren(...data.identities.map(row));
  if (focusedId) (document.querySelector(`#rows tr[data-identity-id="${CSS.escape(focusedId)}"] button.who`) ?? $('identities')).focus(); // moved off this page: keep focus in the list
  const none = data.identities.length === 0;
  $('empty').hidden = !none;
  $('empty').textContent = state.status ? `No identities are ${STATUS_TEXT[state.status].toLowerCase()} right now` : 'No identities yet';
  $('table-caption').textContent =
    `${state.status ? `${STATUS_TEXT[state.status]} identities` : 'All identities'}${state.cursor ? ', a later page' : ''}, most at risk first`;
  state.nextCursor = data.next_cursor ?? null;
  $('next-page').hidden = !state.nextCursor;
  $('first-page').hidden = !state.cursor;
}

async function loadOverview() {
  const q = new URLSearchParams({ limit: '50' });
  if (state.status) q.set('status', state.status);
  if (state.cursor) q.set('cursor', state.cursor);
  const seq = ++state.seq;
  const epoch = state.epoch;
  let quota = null;
  const data = await api(`/v1/dashboard?${q}`, (h) => (quota = perMinuteQuota(h.get('RateLimit-Policy'))));
  if (seq !== state.seq || epoch !== state.epoch) return; // a newer load (or another key) took over
  renderTier(data);
  renderCounts(data.counts);
  renderRows(data);
  // As often as the snapshot changes (refresh_seconds), but never under 5 s nor over POLL_SHARE of the quota.
  const snapshotS = Number.isFinite(Number(data.refresh_seconds)) ? Number(data.refresh_seconds) : 15;
  const budgetS = quota ? 60 / (quota * POLL_SHARE) : 0;
  state.refreshMs = Math.ceil(Math.max(5, snapshotS, budgetS)) * 1000;
  const everyS = state.refreshMs / 1000;
  $('updated').textContent =
    `Updated ${hhmmss(data.generated_at)} · refreshes every ${everyS < 120 ? `${everyS} s` : `${Math.round(everyS / 60)} min`}`;
  announceChanges(data.counts);
}

function setFilter(status) {
  state.status = status;
  state.cursor = null;
  refresh();
}
$('next-page').addEventListener('click', () => {
  state.cursor = state.nextCursor;
  refresh().then(() => $('identities').focus()); // the clicked button may be gone now
});
$('first-page').addEventListener('click', () => {
  state.cursor = null;
  refresh().then(() => $('identities').focus());
});
// A click anywhere on a row opens it (the button in the first cell is the keyboard way in).
$('rows').addEventListener('click', (e) => {
  const tr = e.target.closest('tr[data-identity-id]');
  if (tr && !window.getSelection()?.toString()) openDetail(tr.dataset.identityId, tr);
});

// ---------- detail panel ----------

function markSelected() {
  for (const tr of document.querySelectorAll('#rows tr[data-identity-id]')) {
    const on = tr.dataset.identityId === state.selected;
    tr.classList.toggle('selected', on);
    tr.querySelector('button.who')?.setAttribute('aria-expanded', String(on));
  }
}

function openDetail(id, tr) {
  if (state.selected !== id) {
    state.selected = id;
    // Show the panel at once with what the row knows; the full health follows.
    $('detail-title').textContent = tr?.querySelector('button.who')?.textContent ?? '';
    $('detail-body').replaceChildren(el('p', { class: 'muted', text: 'Loading…' }));
  }
  $('identity-detail').hidden = false;
  $('layout').classList.add('with-detail');
  markSelected();
  $('detail-title').focus({ preventScroll: true });
  // Bring the panel into view once it has its full height (below the table on narrow screens).
  const epoch = state.epoch;
  loadDetail()
    .then(() => state.selected === id && $('identity-detail').scrollIntoView({ block: 'nearest' }))
    .catch((e) => epoch === state.epoch && state.selected === id && handleError(e)); // not for a key or panel since replaced
}

function closeDetail(restoreFocus = true) {
  const id = state.selected;
  state.selected = null;
  $('identity-detail').hidden = true;
  $('layout').classList.remove('with-detail');
  markSelected();
  if (restoreFocus && id) document.querySelector(`#rows tr[data-identity-id="${CSS.escape(id)}"] button.who`)?.focus();
}
$('close-detail').addEventListener('click', () => closeDetail());
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && state.selected && $('identity-detail').contains(document.activeElement)) closeDetail();
});

async function loadDetail() {
  const id = state.selected;
  if (!id) return;
  const epoch = state.epoch;
  const p = `/v1/identities/${encodeURIComponent(id)}`;
  // The 30-day history comes from the journal (PostgreSQL): when it cannot answer, the rest still shows.
  const [health, activity, month] = await Promise.all([
    api(`${p}/health`),
    api(`${p}/activity?window=24h&bucket=1h`),
    api(`${p}/activity?window=30d&bucket=1d`).catch(() => null),
  ]);
  if (state.selected !== id || epoch !== state.epoch) return; // closed or switched meanwhile
  renderDetail(health, activity, month);
}

function renderDetail(h, activity, month) {
  $('detail-title').textContent = nameOf(h);
  const meta = [
    h.label ? h.external_id : null,
    accountType(h.account_type),
    h.level ? `${h.level} level` : null,
    h.mode,
    h.identity_status !== 'active' ? h.identity_status : null,
  ]
    .filter(Boolean)
    .join(' · ');
  const body = [el('p', { class: 'detail-status' }, badge(h.status, h.usage), el('span', { class: 'muted', text: meta }))];

  // Why this status.
  body.push(el('h3', { text: 'Why' }));
  body.push(
    h.reasons?.length
      ? el(
          'ul',
          { class: 'reasons', 'data-testid': 'reasons' },
          h.reasons.map((r) => el('li', { text: r })),
        )
      : el('p', { class: 'muted', 'data-testid': 'reasons', text: 'Nothing to report: every limit is below 80\u00a0% and no cooldown is running.' }),
  );
  const risk = h.risk ?? {};
  const riskBits = [
    risk.cooldowns_7d ? `${risk.cooldowns_7d} cooldown${risk.cooldowns_7d === 1 ? '' : 's'} in the last 7 days` : null,
    risk.at_risk ? 'at risk' : null,
    risk.flagged ? 'flagged' : null,
  ].filter(Boolean);
  if (riskBits.length) body.push(el('p', { class: 'muted small', text: `Risk: ${riskBits.join(' · ')}` }));

  // Warm-up.
  const warm =
    h.warmup_complete || h.warmup_factor >= 1
      ? h.warmup_mode === 'none'
        ? 'No warm-up: full limits.'
        : 'Warm-up done: full limits.'
      : `Warm-up day ${h.warmup_day ?? '?'}${h.warmup_mode ? ` (${h.warmup_mode})` : ''}: limits at ${pct(h.warmup_factor)}${h.warmup_frozen_until ? `, ramp frozen until ${dateTime(h.warmup_frozen_until)}` : ''}.`;
  body.push(el('p', { class: 'warmup', 'data-testid': 'warmup', text: warm }));

  // The running cooldown.
  if (h.cooldown) {
    const c = h.cooldown;
    body.push(
      el(
        'div',
        { class: 'cooldown-box', role: 'group', 'aria-label': 'Running cooldown', 'data-testid': 'detail-cooldown' },
        el('strong', {}, 'Cooldown: ', reasonText(c.reason)),
        el('div', {
          text: `${c.scope === 'identity' ? 'Identity-wide (every action)' : `Only ${(c.limits ?? []).join(', ')}`} · level ${c.level}${c.started_at ? ` · since ${dateTime(c.started_at)}` : ''}${c.at_risk ? ' · at risk' : ''}`,
        }),
        el('div', {}, countdown(c.ends_at), c.ends_at ? ` (${dateTime(c.ends_at)})` : ' — a person has to clear it'),
        h.cooldowns?.length > 1
          ? el('div', { class: 'muted small', text: `${h.cooldowns.length - 1} more cooldown${h.cooldowns.length > 2 ? 's' : ''} running` })
          : null,
      ),
    );
  }

  // One bar per limit the account type can use, fullest first.
  body.push(el('h3', { text: 'Limits' }));
  const limits = (h.limits ?? []).filter((l) => l.max_limit > 0).sort((a, b) => b.usage - a.usage || a.slug.localeCompare(b.slug));
  body.push(
    el(
      'div',
      { class: 'limit-bars', 'data-testid': 'detail-limits' },
      limits.length ? null : el('p', { class: 'muted', text: 'No limits apply to this identity.' }),
      limits.map((l) =>
        el(
          'div',
          { class: 'limit' },
          usageBlock(l, `${l.name || l.slug} · ${windowText(l.window_seconds)}`),
          l.cooldown ? el('div', { class: 'note' }, 'cooling down: ', reasonText(l.cooldown.reason), ', ', countdown(l.cooldown.ends_at)) : null,
          l.remaining === 0 && l.available_at ? el('div', { class: 'note', text: `room again at ${when(l.available_at)}` }) : null,
        ),
      ),
    ),
  );

  body.push(el('h3', { text: 'Invitations' }));
  body.push(invitationsBlock(h.invitations));

  body.push(el('h3', { text: 'Activity, last 24 hours' }));
  body.push(activityChart(activity));
  body.push(el('h3', { text: 'Activity, last 30 days' }));
  body.push(
    month
      ? activityChart(month, 'history-chart')
      : el('p', { class: 'muted', 'data-testid': 'history-chart', text: 'The 30-day history is not available right now.' }),
  );
  body.push(el('h3', { text: 'Recent errors' }));
  body.push(errorsTable(h.recent_errors ?? []));
  $('detail-body').replaceChildren(...body);
}

/** Pending invitations, the acceptance rate with its sample, and the invitations to withdraw first. */
function invitationsBlock(inv) {
  if (!inv) return el('p', { class: 'muted', text: 'Not known' });
  const a = inv.acceptance_rate ?? {};
  const rate =
    a.rate === null || a.rate === undefined
      ? `Acceptance rate: not judged yet (${a.sample_size ?? 0} of the ${a.min_sample ?? 20} invitations sent 7–37 days ago it needs)`
      : `Acceptance rate: ${pct(a.rate)} (${a.accepted} of ${a.sample_size} invitations sent 7–37 days ago)`;
  const effect = a.refusing
    ? ' — below 15\u00a0%: invitations refused until it recovers or a person clears it'
    : a.low_acceptance
      ? ' — below 30\u00a0%: invitation limits halved'
      : '';
  const w = inv.to_withdraw ?? { total: 0, today: 0, invitations: [] };
  const pending = `${inv.pending_invitations} pending invitation${inv.pending_invitations === 1 ? '' : 's'} (warning from ${inv.pending_warning_at}, refused from ${inv.pending_refused_at})`;
  return el(
    'div',
    { class: 'invitations', 'data-testid': 'invitations' },
    usageBar(`Pending invitations: ${inv.pending_invitations} of ${inv.pending_refused_at}`, inv.pending_invitations, inv.pending_refused_at),
    el('p', { 'data-testid': 'pending-invitations', text: pending }),
    el('p', { 'data-testid': 'acceptance-rate', class: a.low_acceptance ? 'warn' : '', text: rate + effect }),
    w.total
      ? el(
          'div',
          { 'data-testid': 'to-withdraw' },
          el('p', {
            text: `${w.total} pending for more than ${w.older_than_days} days; withdraw ${w.today} today (at most 100 a day), oldest first:`,
          }),
          el(
            'ol',
            { class: 'withdraw small' },
            (w.invitations ?? []).map((i) =>
              el('li', {
                text: `${i.target ?? '(no target)'} · ${i.sent_at ? `sent ${dateTime(i.sent_at)}` : `known since ${dateTime(i.known_since)}`}`,
              }),
            ),
          ),
        )
      : el('p', { class: 'muted small', 'data-testid': 'to-withdraw', text: `Nothing pending for more than ${w.older_than_days ?? 21} days.` }),
  );
}

/** Time of day for today, with the date otherwise. */
function when(iso) {
  const d = new Date(iso);
  return d.toDateString() === new Date().toDateString() ? hhmm(iso) : dateTime(iso);
}

function errorsTable(errors) {
  if (!errors.length) return el('p', { class: 'muted', 'data-testid': 'recent-errors', text: 'No errors reported' });
  return el(
    'table',
    { class: 'errors', 'data-testid': 'recent-errors' },
    el('caption', { class: 'visually-hidden', text: 'Recent errors, newest first' }),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ['When', 'Action and error', 'Code', 'Cooldown'].map((t) => el('th', { scope: 'col', text: t })),
      ),
    ),
    el(
      'tbody',
      {},
      errors.map((e) =>
        el(
          'tr',
          {},
          el('td', { class: 'when', text: when(e.occurred_at) }),
          el(
            'td',
            { class: 'action' },
            e.action_slug ?? '—',
            el(
              'span',
              { class: 'meta' },
              e.error_label ? reasonText(e.error_label) : null,
              e.error_label ? ' · ' : null,
              [e.type, e.strike ? 'strike' : null].filter(Boolean).join(' · '),
            ),
          ),
          el('td', { class: 'num', text: e.status_code ?? '—' }),
          el('td', { text: e.cooldown_id ? 'started' : '—' }),
        ),
      ),
    ),
  );
}

/**
 * One row of bars per limit (small multiples), busiest first: the 5 busiest limits, the rest merged
 * as "other limits". Not stacked: one action often counts on several limits (an invitation on the
 * daily and the weekly one), so a stack would show twice what was done. Each row has its own scale,
 * with its total and its busiest bucket written beside it; a null bucket (before the limit's window
 * reaches) has no bar and reads "not known" in the table.
 * An accessible name summarises the totals; a visually hidden table holds the same numbers.
 */
function activityChart(a, testId = 'activity-chart') {
  const buckets = a?.buckets ?? [];
  const bucketS = a?.bucket_seconds ?? 3600;
  const used = (a?.limits ?? []).filter((l) => l.total > 0).sort((x, y) => y.total - x.total || x.slug.localeCompare(y.slug));
  const counts = (l) => buckets.map((_, j) => l.counts?.[j] ?? 0);
  const series = used.slice(0, MAX_SERIES).map((l, i) => ({
    name: l.name || l.slug,
    total: l.total,
    counts: counts(l),
    known: buckets.map((_, j) => l.counts?.[j] !== null),
    cls: `c${i + 1}`,
  }));
  if (used.length > MAX_SERIES) {
    const rest = used.slice(MAX_SERIES);
    const restCounts = rest.map(counts);
    series.push({
      name: `${rest.length} other limits`,
      total: rest.reduce((t, l) => t + l.total, 0),
      counts: buckets.map((_, j) => restCounts.reduce((t, c) => t + c[j], 0)),
      known: buckets.map(() => true),
      cls: 'c6',
    });
  }
  const hours = Math.round((bucketS * buckets.length) / 3600);
  const span = hours > 48 ? `${Math.round(hours / 24)} days` : `${hours} hours`;
  const per = bucketS === 3600 ? 'hour' : bucketS === 86_400 ? 'day' : windowText(bucketS);
  const summary = `Activity over ${span}: ${series.length ? series.map((s) => `${nf.format(s.total)} ${s.name}`).join(', ') : 'nothing recorded'}`;
  const label = (b) => (bucketS >= 86_400 ? new Date(b).toLocaleDateString([], { month: 'short', day: 'numeric' }) : hhmm(b));

  // About the panel's width in CSS pixels, so 11px text stays 11px; the stylesheet caps the width.
  const W = 360,
    LABEL = 15,
    BARS = 24,
    GAP = 10,
    AXIS = 16;
  const rowH = LABEL + BARS + GAP;
  const H = Math.max(1, series.length) * rowH + AXIS;
  const n = Math.max(1, buckets.length);
  const slot = W / n;
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': summary, 'data-testid': testId, class: 'chart' });
  if (!series.length) chart.append(svg('text', { x: W / 2, y: rowH / 2, 'text-anchor': 'middle' }, 'No activity recorded in this window'));

  series.forEach((s, i) => {
    const top = i * rowH;
    const base = top + LABEL + BARS;
    const peak = Math.max(...s.counts);
    chart.append(
      svg('text', { class: 'series', x: 0, y: top + 11 }, `${s.name} · ${nf.format(s.total)}`),
      svg('text', { x: W, y: top + 11, 'text-anchor': 'end' }, `most in one ${per}: ${nf.format(peak)}`),
      svg('line', { class: 'axis', x1: 0, x2: W, y1: base + 0.5, y2: base + 0.5 }),
    );
    s.counts.forEach((v, j) => {
      if (!v) return;
      const h = Math.max(2, (v / Math.max(1, peak)) * BARS);
      const r = svg('rect', {
        class: s.cls,
        x: (j * slot + slot * 0.12).toFixed(1),
        width: (slot * 0.76).toFixed(1),
        y: (base - h).toFixed(1),
        height: h.toFixed(1),
      });
      r.append(svg('title', {}, `${label(buckets[j])} · ${s.name}: ${v}`));
      chart.append(r);
    });
  });

  // Start times along the bottom (local time), about eight of them.
  const every = Math.max(1, Math.ceil(n / 8));
  buckets.forEach((b, j) => {
    if (j % every === 0) chart.append(svg('text', { x: j * slot, y: H - 3 }, label(b)));
  });

  // Hidden in a wrapper: a table itself ignores the 1px height and would stretch the panel.
  const table = el(
    'div',
    { class: 'visually-hidden' },
    el(
      'table',
      { 'data-testid': `${testId.replace('-chart', '')}-table` },
      el('caption', { text: `Activity per ${per === 'hour' ? '60 minutes' : per}, last ${span}` }),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { scope: 'col', text: 'Starting' }),
          series.map((s) => el('th', { scope: 'col', text: s.name })),
        ),
      ),
      el(
        'tbody',
        {},
        buckets.map((b, j) =>
          el(
            'tr',
            {},
            el('th', { scope: 'row', text: label(b) }),
            series.map((s) => el('td', { text: s.known[j] ? String(s.counts[j]) : 'not known' })),
          ),
        ),
      ),
    ),
  );
  return el('div', { class: 'chart-wrap' }, chart, table);
}

// ---------- refresh loop ----------

function handleError(e) {
  if (e instanceof Unauthorized) return forgetKey(`That key was not accepted${e.message ? `: ${e.message}` : ''}`);
  const wait = state.notBefore - Date.now();
  showAlert(wait > 0 ? `${e.message} (next refresh in ${Math.ceil(wait / 1000)} s)` : e.message);
}

/** Reload the overview (and the open panel), then schedule the next run. */
async function refresh() {
  clearTimeout(state.timer);
  state.due = false;
  if (!state.key) return showLogin();
  const epoch = state.epoch;
  const run = ++state.run;
  let ok = false;
  try {
    await loadOverview();
    if (state.selected) await loadDetail();
    ok = true;
  } catch (e) {
    if (epoch === state.epoch && run === state.run) handleError(e);
  }
  if (!state.key || epoch !== state.epoch || run !== state.run) return; // a newer refresh took over
  if (ok) showAlert('');
  schedule(Math.max(state.refreshMs, state.notBefore - Date.now()));
}

function schedule(ms) {
  clearTimeout(state.timer);
  state.timer = setTimeout(() => {
    if (document.hidden)
      state.due = true; // picked up by visibilitychange
    else refresh();
  }, ms);
}
document.addEventListener('visibilitychange', () => {
  if (document.hidden || !state.key || !state.due) return;
  const wait = state.notBefore - Date.now();
  if (wait > 0) schedule(wait);
  else refresh();
});

// ---------- start ----------

buildCountButtons();
if (state.key) {
  showDashboard();
  refresh();
} else {
  showLogin();
}
