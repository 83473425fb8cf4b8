/**
 * The operations console: talks only to the public HTTP API with an operator's bearer token,
 * so the same page works against the local cloud and a deployed stack. It polls the orders
 * changed since its last look (`GET /orders?updatedSince=`), reads each changed order with its
 * history, and derives the charts from those histories.
 */
const POLL_MS = 2000;
/** Stock and policy versions change rarely: read less often than orders. */
const STOCK_POLL_MS = 10000;
const WINDOW_MINUTES = 30;
const STATUSES = ['PAYMENT_PENDING', 'PLACED', 'STOCK_LOCKED', 'ROUTED', 'SHIPMENT_REQUESTED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED', 'FAILED'];
const IN_FLIGHT = ['PLACED', 'STOCK_LOCKED', 'ROUTED'];
const MAX_STOCK_SKUS = 8;

const $ = (selector) => document.querySelector(selector);
const el = (tag, attributes = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'style') node.style.cssText = value;
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) if (child !== undefined && child !== null) node.append(child);
  return node;
};
const color = (status) => `var(--${status})`;
const time = (iso) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const short = (orderId) => `…${orderId.slice(-8)}`;

/**
 * The token and API base: from the URL fragment (`#token=…&api=…`), else what this tab kept; the API base
 * defaults to the `config.json` a hosted console is deployed with, else this page's own origin (the local cloud).
 */
function session(config) {
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.has('token')) {
    sessionStorage.setItem('token', fragment.get('token'));
    if (fragment.has('api')) sessionStorage.setItem('api', fragment.get('api'));
    // Keep the token out of the address bar, history and screenshots.
    history.replaceState(null, '', location.pathname);
  }
  const token = sessionStorage.getItem('token');
  const api = (sessionStorage.getItem('api') || config.api || location.origin).replace(/\/$/, '');
  return token ? { token, api } : undefined;
}

function roleOf(token) {
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    const scopes = String(payload.scope ?? payload.scp ?? '').split(/\s+/);
    return { admin: scopes.includes('orders/admin'), support: scopes.includes('orders/support'), subject: payload.sub ?? payload.client_id };
  } catch {
    return { admin: false, support: false };
  }
}

class Api {
  constructor({ token, api }) {
    this.token = token;
    this.base = api;
  }
  async call(method, path) {
    const response = await fetch(`${this.base}${path}`, { method, headers: { authorization: `Bearer ${this.token}` } });
    const body = response.status === 204 ? undefined : await response.json().catch(() => undefined);
    if (!response.ok) {
      const error = new Error(body?.detail ?? body?.message ?? `${response.status} ${response.statusText}`);
      error.status = response.status;
      throw error;
    }
    return body;
  }
}

const state = {
  orders: new Map(),
  overdue: new Set(),
  since: new Date(Date.now() - WINDOW_MINUTES * 60_000).toISOString(),
  selected: undefined,
  statusFilter: '',
  stock: new Map(),
  stockError: undefined,
  policies: undefined,
};

/** Runs `work` over `items`, a few at a time. */
async function inBatches(items, work, size = 6) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

async function poll(api) {
  for (;;) {
    const page = await api.call('GET', `/orders?updatedSince=${encodeURIComponent(state.since)}&limit=100`);
    const changed = page.items.filter((item) => state.orders.get(item.orderId)?.updatedAt !== item.updatedAt);
    await inBatches(changed, async (item) => state.orders.set(item.orderId, await api.call('GET', `/orders/${item.orderId}`)));
    if (page.items.length > 0) state.since = page.items.at(-1).updatedAt;
    if (page.items.length < 100) break;
  }
  const overdue = await api.call('GET', '/orders?overdue=true&limit=100');
  state.overdue = new Set(overdue.items.map((item) => item.orderId));
  const missing = overdue.items.filter((item) => !state.orders.has(item.orderId));
  await inBatches(missing, async (item) => state.orders.set(item.orderId, await api.call('GET', `/orders/${item.orderId}`)));
}

async function pollPolicies(api) {
  try {
    state.policies = await api.call('GET', '/policies/routing/versions');
  } catch (error) {
    state.policies = { error: error.status === 403 ? 'Policy versions need a token with orders/admin.' : error.message };
  }
}

async function pollStock(api) {
  const skus = [...new Set([...state.orders.values()].sort(byUpdatedDesc).flatMap((order) => order.lines.map((line) => line.sku)))].slice(0, MAX_STOCK_SKUS);
  try {
    await inBatches(skus, async (sku) => state.stock.set(sku, await api.call('GET', `/inventory/${encodeURIComponent(sku)}`)));
    state.stockError = undefined;
  } catch (error) {
    state.stockError = error.status === 403 ? 'Stock needs a token with orders/admin.' : error.message;
  }
}

const byUpdatedDesc = (a, b) => (a.updatedAt < b.updatedAt ? 1 : -1);
const minuteOf = (iso) => Math.floor(Date.parse(iso) / 60_000);

// ---- charts (plain SVG) ----

function svg(width, height, children) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  node.setAttribute('viewBox', `0 0 ${width} ${height}`);
  node.setAttribute('preserveAspectRatio', 'none');
  node.innerHTML = children;
  return node;
}

function axes(width, height, pad, max, minutes, unit) {
  const lines = [0, 0.5, 1].map((f) => {
    const y = pad.top + (height - pad.top - pad.bottom) * (1 - f);
    return `<line class="grid-line" x1="${pad.left}" x2="${width - pad.right}" y1="${y}" y2="${y}"/><text x="${pad.left - 6}" y="${y + 3}" text-anchor="end">${Math.round(max * f)}${unit}</text>`;
  });
  const labels = minutes
    .filter((_, i) => i % 5 === 0 || i === minutes.length - 1)
    .map((minute) => {
      const i = minutes.indexOf(minute);
      const x = pad.left + ((width - pad.left - pad.right) / minutes.length) * (i + 0.5);
      return `<text x="${x}" y="${height - 4}" text-anchor="middle">${new Date(minute * 60_000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</text>`;
    });
  return lines.join('') + labels.join('');
}

function windowMinutes() {
  const now = minuteOf(new Date().toISOString());
  return Array.from({ length: WINDOW_MINUTES }, (_, i) => now - WINDOW_MINUTES + 1 + i);
}

function renderFlow() {
  const minutes = windowMinutes();
  const counts = new Map(minutes.map((m) => [m, Object.fromEntries(STATUSES.map((s) => [s, 0]))]));
  for (const order of state.orders.values()) {
    for (const entry of order.history) {
      const bucket = counts.get(minuteOf(entry.at));
      if (bucket && !entry.amendment) bucket[entry.to]++;
    }
  }
  const width = 600, height = 190, pad = { top: 10, right: 8, bottom: 18, left: 34 };
  const totals = minutes.map((m) => Object.values(counts.get(m)).reduce((a, b) => a + b, 0));
  const max = Math.max(4, ...totals);
  const slot = (width - pad.left - pad.right) / minutes.length;
  const plot = height - pad.top - pad.bottom;
  let bars = '';
  minutes.forEach((minute, i) => {
    let y = pad.top + plot;
    for (const status of STATUSES) {
      const n = counts.get(minute)[status];
      if (!n) continue;
      const h = (n / max) * plot;
      y -= h;
      bars += `<rect x="${pad.left + i * slot + 1}" y="${y}" width="${Math.max(1, slot - 2)}" height="${h}" fill="${color(status)}"><title>${status}: ${n}</title></rect>`;
    }
  });
  $('#flow-chart').replaceChildren(svg(width, height, axes(width, height, pad, max, minutes, '') + bars));
  $('#flow-legend').replaceChildren(...STATUSES.map((s) => el('span', {}, el('i', { class: 'swatch', style: `background:${color(s)}` }), s.replace('_', ' ').toLowerCase())));
  $('#window-label').textContent = `last ${WINDOW_MINUTES} min`;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function renderLatency() {
  const minutes = windowMinutes();
  const samples = new Map(minutes.map((m) => [m, []]));
  for (const order of state.orders.values()) {
    const placed = order.history.find((entry) => entry.to === 'PLACED' && !entry.amendment);
    const requested = order.history.find((entry) => entry.to === 'SHIPMENT_REQUESTED' && !entry.amendment);
    if (placed && requested) samples.get(minuteOf(requested.at))?.push(Date.parse(requested.at) - Date.parse(placed.at));
  }
  const series = minutes.map((m) => {
    const sorted = samples.get(m).sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
  });
  const width = 600, height = 190, pad = { top: 10, right: 8, bottom: 18, left: 44 };
  const seconds = Math.max(1, ...series.map((s) => (s.p95 ?? 0) / 1000));
  const max = Math.ceil(seconds);
  const slot = (width - pad.left - pad.right) / minutes.length;
  const plot = height - pad.top - pad.bottom;
  const line = (key, stroke) => {
    const points = series.flatMap((s, i) => (s[key] === undefined ? [] : [[pad.left + slot * (i + 0.5), pad.top + plot * (1 - s[key] / 1000 / max)]]));
    const path = points.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`).join('');
    const dots = points.map(([x, y]) => `<circle cx="${x}" cy="${y}" r="2.5" fill="${stroke}"/>`).join('');
    return `<path d="${path}" fill="none" stroke="${stroke}" stroke-width="2"/>${dots}`;
  };
  $('#latency-chart').replaceChildren(svg(width, height, axes(width, height, pad, max, minutes, 's') + line('p95', 'var(--HELD)') + line('p50', 'var(--accent)')));
}

// ---- tables and detail ----

const statusBadge = (order) => [
  el('span', { class: 'status', style: `--c:${color(order.status)}`, 'data-status': order.status }, order.status.replace('_', ' ')),
  order.hold ? el('span', { class: 'status held', 'data-held': '' }, 'HELD') : undefined,
];

function actionsFor(order, api, role) {
  const act = (label, action, className) =>
    el('button', {
      class: className,
      'data-action': action,
      onclick: async (event) => {
        event.stopPropagation();
        event.target.disabled = true;
        try {
          const after = await api.call('POST', `/orders/${order.orderId}/${action}`);
          state.orders.set(order.orderId, after);
          if (action === 'retry' || action === 'release') state.overdue.delete(order.orderId);
          toast(`${label}: ${short(order.orderId)} is ${after.status}${after.hold ? ' (held)' : ''}`);
        } catch (error) {
          toast(`${label} refused: ${error.message}`, true);
        }
        render(api, role);
      },
    }, label);
  const inFlight = IN_FLIGHT.includes(order.status);
  return [
    // A FAILED order was compensated (its stock given back): a retry fulfils it again from the stock lock.
    state.overdue.has(order.orderId) || order.status === 'FAILED' ? act('Retry', 'retry') : undefined,
    inFlight && !order.hold ? act('Hold', 'hold') : undefined,
    order.hold ? act('Release', 'release') : undefined,
    inFlight && role.admin ? act('Cancel', 'cancel', 'danger') : undefined,
  ];
}

function why(order) {
  if (state.overdue.has(order.orderId)) return `overdue in ${order.status}`;
  if (order.hold) return `held by ${order.hold.by.id}`;
  return order.failureReason ?? order.rejectionReason ?? '';
}

function orderRow(order, api, role, columns) {
  return el('tr', {
    'data-order-id': order.orderId,
    class: state.selected === order.orderId ? 'selected' : undefined,
    onclick: () => {
      state.selected = order.orderId;
      render(api, role);
    },
  },
  el('td', { class: 'mono', title: order.orderId }, short(order.orderId)),
  el('td', {}, order.channel),
  el('td', {}, statusBadge(order)),
  el('td', { class: columns === 'attention' ? 'muted' : '' }, columns === 'attention' ? why(order) : String(order.totals.itemCount)),
  el('td', { class: 'muted' }, time(order.updatedAt)),
  el('td', { class: 'actions' }, actionsFor(order, api, role)));
}

function renderTables(api, role) {
  const orders = [...state.orders.values()].sort(byUpdatedDesc);
  const attention = orders.filter((o) => state.overdue.has(o.orderId) || o.status === 'FAILED' || o.hold);
  $('#attention tbody').replaceChildren(...attention.slice(0, 20).map((o) => orderRow(o, api, role, 'attention')));
  $('#attention-empty').hidden = attention.length > 0;
  const recent = orders.filter((o) => !state.statusFilter || o.status === state.statusFilter).slice(0, 25);
  $('#recent tbody').replaceChildren(...recent.map((o) => orderRow(o, api, role, 'recent')));
}

function renderKpis() {
  const orders = [...state.orders.values()];
  const count = (status) => orders.filter((o) => o.status === status).length;
  const cards = [
    ...STATUSES.map((s) => [s.replace('_', ' ').toLowerCase(), count(s), color(s)]),
    ['held', orders.filter((o) => o.hold).length, color('HELD')],
    ['overdue', state.overdue.size, color('FAILED')],
  ];
  $('#kpis').replaceChildren(...cards.map(([label, n, c]) => el('div', { class: 'kpi', style: `--c:${c}`, 'data-kpi': label }, el('div', { class: 'n' }, String(n)), el('div', { class: 'l' }, label))));
}

function describeChange(change) {
  if (!('from' in change) && !('to' in change)) return `${change.field} changed`;
  return `${change.field}: ${change.from ?? '—'} → ${change.to ?? '—'}`;
}

function renderDetail() {
  const order = state.orders.get(state.selected);
  $('#detail-id').textContent = order ? order.orderId : 'select an order';
  if (!order) return $('#detail-body').replaceChildren(el('p', { class: 'muted' }, 'Click an order to see its timeline, routing and parcels.'));
  const timeline = el('ol', { class: 'timeline' }, order.history.map((entry) =>
    el('li', { style: `--c:${color(entry.amendment === 'HELD' ? 'HELD' : entry.to)}` },
      el('div', {}, el('strong', {}, entry.amendment ? entry.amendment.replaceAll('_', ' ').toLowerCase() : entry.to), ' ', el('span', { class: 'muted' }, time(entry.at))),
      entry.by ? el('div', { class: 'who' }, `by ${entry.by.kind} ${entry.by.id}${entry.from && entry.from !== entry.to ? ` · from ${entry.from}` : ''}`) : undefined,
      entry.reason ? el('div', { class: 'changed' }, entry.reason) : undefined,
      entry.changed ? el('div', { class: 'changed' }, entry.changed.map(describeChange).join(' · ')) : undefined)));
  const explanation = order.route?.explanation ?? order.routingExplanation;
  const best = Math.max(1, ...(explanation?.candidates ?? []).map((c) => c.score ?? 0));
  const routing = explanation
    ? el('div', {},
      el('h3', {}, `Routing · policy v${order.route?.policyVersion ?? explanation.policyVersion ?? '–'}${explanation.rollout ? ` (${explanation.rollout.arm} arm of a ${Math.round(explanation.rollout.share * 100)}% rollout)` : ''}${explanation.rulesFired?.length ? ` · rules: ${explanation.rulesFired.join(', ')}` : ''}`),
      el('table', { class: 'candidates' },
        el('thead', {}, el('tr', {}, el('th', {}, 'Candidate'), el('th', {}, 'Score'), el('th', {}, ''))),
        el('tbody', {}, explanation.candidates.map((c) => el('tr', { class: c.excluded ? 'excluded' : '' },
          el('td', { class: 'mono' }, c.id),
          el('td', {}, c.excluded ? c.excluded.reason : (c.score ?? 0).toFixed(1)),
          el('td', {}, c.excluded ? el('span', { class: 'muted' }, c.excluded.detail) : el('span', { class: 'score-bar', style: `width:${Math.round(((c.score ?? 0) / best) * 80)}px` })))))),
      explanation.candidatesOmitted ? el('p', { class: 'muted' }, `${explanation.candidatesOmitted} more not kept`) : undefined)
    : el('p', { class: 'muted' }, 'Not routed yet.');
  const parcels = order.shipment?.parcels?.length
    ? el('table', { class: 'candidates' }, el('tbody', {}, order.shipment.parcels.map((p) =>
      el('tr', {}, el('td', { class: 'mono' }, p.parcelId), el('td', {}, p.warehouseId), el('td', {}, p.carrier), el('td', { class: 'mono' }, p.trackingNumber), el('td', {}, p.status ?? 'booked')))))
    : el('p', { class: 'muted' }, 'No parcels yet.');
  $('#detail-body').replaceChildren(
    el('div', {}, statusBadge(order), ' ', el('span', { class: 'muted' }, `${order.channel} · ${order.channelOrderId} · ${order.totals.itemCount} items · ${(order.totals.amount / 100).toFixed(2)} ${order.currency}`)),
    el('div', {}, el('h3', {}, 'Timeline'), timeline),
    routing,
    el('div', {}, el('h3', {}, 'Parcels'), parcels),
  );
}

function renderStock() {
  if (state.stockError) return $('#stock').replaceChildren(el('p', { class: 'muted' }, state.stockError));
  if (state.stock.size === 0) return $('#stock').replaceChildren(el('p', { class: 'muted' }, 'No SKUs in the orders seen yet.'));
  $('#stock').replaceChildren(...[...state.stock.values()].map((stock) => el('div', { class: 'sku', 'data-sku': stock.sku },
    el('h4', {}, stock.sku, ' ', el('span', { class: 'muted' }, `ATP ${stock.availableToPromise} · ${stock.shardCount} shard${stock.shardCount === 1 ? '' : 's'}`)),
    el('table', {},
      el('thead', {}, el('tr', {}, el('th', {}, 'Warehouse'), el('th', {}, 'On hand'), el('th', {}, 'Reserved'), el('th', {}, 'Available'))),
      el('tbody', {}, Object.entries(stock.warehouses).map(([id, w]) => el('tr', {}, el('td', {}, id), el('td', {}, String(w.onHand)), el('td', {}, String(w.reserved)), el('td', {}, String(w.available)))),
        stock.shards.map((s) => el('tr', { class: 'muted' }, el('td', {}, `shard ${s.shard}`), el('td', {}, String(s.onHand)), el('td', {}, String(s.reserved)), el('td', {}, String(s.availableToPromise)))))),
    el('div', { class: 'bar-track' }, el('div', { class: 'bar-fill', style: `width:${stock.onHand ? Math.round((stock.availableToPromise / stock.onHand) * 100) : 0}%` })))));
}

function renderPolicies(api, role) {
  const policies = state.policies;
  if (!policies) return;
  if (policies.error) return $('#policies').replaceChildren(el('p', { class: 'muted' }, policies.error));
  const activate = (version) =>
    el('button', {
      'data-action': 'activate',
      onclick: async (event) => {
        event.target.disabled = true;
        try {
          const response = await fetch(`${api.base}/policies/routing/versions/${version}/activate`, {
            method: 'POST',
            headers: { authorization: `Bearer ${api.token}`, 'if-match': `"${policies.live}"` },
          });
          const body = await response.json();
          if (!response.ok) throw new Error(body.detail ?? response.statusText);
          toast(`Version ${version} is live again as version ${body.version}`);
        } catch (error) {
          toast(`Rollback refused: ${error.message}`, true);
        }
        await pollPolicies(api);
        renderPolicies(api, role);
      },
    }, `Activate v${version}`);
  $('#policies').replaceChildren(el('table', { class: 'orders' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Version'), el('th', {}, 'Saved'), el('th', {}, 'Note'), el('th', { class: 'actions' }, ''))),
    el('tbody', {}, policies.items.slice(0, 8).map((item) => el('tr', { 'data-policy-version': String(item.version) },
      el('td', {}, `v${item.version}`, item.version === policies.live ? el('span', { class: 'status', style: `--c:${color('SHIPMENT_REQUESTED')};margin-left:6px` }, 'LIVE') : undefined,
        item.version === policies.candidate?.version
          ? el('span', { class: 'status', style: `--c:${color('ROUTED')};margin-left:6px`, 'data-candidate': '' }, `STAGED ${Math.round(policies.candidate.share * 100)}%`)
          : undefined),
      el('td', { class: 'muted' }, new Date(item.updatedAt).toLocaleString()),
      el('td', { class: 'muted' }, item.activatedFrom ? `rollback to v${item.activatedFrom}` : ''),
      el('td', { class: 'actions' }, item.version !== policies.live && role.admin ? activate(item.version) : undefined))))));
}

function render(api, role) {
  renderKpis();
  renderFlow();
  renderLatency();
  renderTables(api, role);
  renderDetail();
  renderStock();
  renderPolicies(api, role);
}

let toastTimer;
function toast(message, error = false) {
  const node = $('#toast');
  node.textContent = message;
  node.className = `toast show${error ? ' error' : ''}`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (node.className = 'toast'), 4000);
}

function showLogin() {
  $('#login').hidden = false;
  $('#login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem('token', $('#login-token').value.trim());
    const base = $('#login-api').value.trim();
    if (base) sessionStorage.setItem('api', base);
    location.reload();
  });
}

/** `config.json` beside the page (written by `lib/console-hosting.ts`); none locally. */
async function hostedConfig() {
  const response = await fetch('config.json').catch(() => undefined);
  return response?.ok ? response.json().catch(() => ({})) : {};
}

async function main() {
  const current = session(await hostedConfig());
  if (!current) return showLogin();
  const api = new Api(current);
  const role = roleOf(current.token);
  $('#app').hidden = false;
  $('#api-base').textContent = current.api;
  $('#role').textContent = `${role.subject ?? 'operator'} · ${role.admin ? 'admin' : role.support ? 'support' : 'no operator scope'}`;
  for (const status of STATUSES) $('#status-filter').append(el('option', { value: status }, status));
  $('#status-filter').addEventListener('change', (event) => {
    state.statusFilter = event.target.value;
    render(api, role);
  });
  let lastStock = 0;
  for (;;) {
    try {
      await poll(api);
      if (Date.now() - lastStock > STOCK_POLL_MS) {
        await Promise.all([pollStock(api), pollPolicies(api)]);
        lastStock = Date.now();
      }
      $('#live').className = 'live';
      $('#refreshed').textContent = `updated ${time(new Date().toISOString())}`;
      document.body.dataset.polls = String(Number(document.body.dataset.polls ?? 0) + 1);
    } catch (error) {
      $('#live').className = 'live error';
      $('#refreshed').textContent = error.message;
    }
    render(api, role);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

main();
