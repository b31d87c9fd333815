// The dashboard page's script: renders the apps from the JSON API, keeps them current from the
// event stream, and drives the buttons (plan → confirm → run → progress → verified result).
// It runs in the browser, compiled at build time; it imports types only. Text from the cluster
// is always set as text, never as HTML.
// Compiled on its own (tsconfig.page.json, with the DOM library): it imports types only, from
// wire.ts, which imports nothing.
import type {
  ActionOutcome,
  ActionView,
  AppData,
  Color,
  ColorView,
  DiscoveredApp,
  TrafficPoint,
} from '../wire.js';

const COLORS: Color[] = ['blue', 'green'];

const KEEP_POINTS = 120;
const apps = new Map<string, AppData>();
let others: DiscoveredApp[] = [];
let trafficError: string | null = null;

type Child = Node | string | null | undefined | false;
function h(
  tag: string,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c) el.append(c);
  return el;
}

function svg(tag: string, attrs: Record<string, string>): SVGElement {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString();
}

function appPath(id: string): string {
  return `/app/${id.split('/').map(encodeURIComponent).join('/')}`;
}

function currentAppId(): string | null {
  const parts = location.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  return parts[0] === 'app' && parts.length === 3 ? `${parts[1]}/${parts[2]}` : null;
}

function badge(color: Color | null | undefined): HTMLElement {
  return h('span', { class: `badge ${color ?? 'none'}` }, color ?? 'none');
}

// ---- overview ---------------------------------------------------------------------------------

function overview(): HTMLElement {
  const list = h('ul', { class: 'apps' });
  for (const app of [...apps.values()].sort((a, b) => a.id.localeCompare(b.id))) {
    const st = app.status;
    list.append(
      h(
        'li',
        { class: 'card', 'data-app': app.id },
        h('h3', {}, h('a', { href: appPath(app.id) }, app.id)),
        st
          ? h(
              'dl',
              { class: 'facts' },
              h('dt', {}, 'live'),
              h('dd', {}, badge(st.activeColor), st.release ? ` release ${st.release}` : ''),
              h('dt', {}, 'testers'),
              h('dd', {}, badge(st.testColor)),
              h('dt', {}, 'lock'),
              h('dd', {}, st.lock.summary),
            )
          : h('p', { class: 'reasons' }, app.error ?? 'reading…'),
      ),
    );
  }
  return h(
    'section',
    { 'aria-labelledby': 'apps-title' },
    h('h1', { id: 'apps-title' }, 'Apps'),
    apps.size ? list : h('p', { class: 'muted' }, 'No apps yet.'),
    others.length ? otherApps() : null,
  );
}

function otherApps(): HTMLElement {
  return h(
    'section',
    { 'aria-labelledby': 'others-title' },
    h('h2', { id: 'others-title' }, 'Also managed by cutover here'),
    h(
      'p',
      { class: 'muted' },
      'Read-only: start the dashboard with -f and their cutover.yaml to act on them.',
    ),
    h(
      'ul',
      { class: 'apps' },
      ...others.map((o) =>
        h(
          'li',
          { class: 'card', 'data-other': o.id },
          h('h3', {}, o.id),
          h(
            'dl',
            { class: 'facts' },
            ...COLORS.flatMap((c) => {
              const x = o.colors[c];
              return [
                h('dt', {}, c),
                h('dd', {}, x ? `${x.release ?? '?'}, ${x.ready}/${x.replicas} ready` : 'not deployed'),
              ];
            }),
          ),
        ),
      ),
    ),
  );
}

// ---- app page ---------------------------------------------------------------------------------

function chart(
  label: string,
  points: TrafficPoint[],
  pick: (p: TrafficPoint) => number | null,
  unit: string,
): HTMLElement {
  const values = points.map(pick);
  const last = [...values].reverse().find((v) => v !== null) ?? null;
  const max = Math.max(1e-9, ...values.map((v) => v ?? 0));
  const w = 240;
  const hgt = 36;
  const step = w / Math.max(1, KEEP_POINTS - 1);
  const offset = w - step * (values.length - 1);
  const coords = values
    .map((v, i) =>
      v === null ? null : `${(offset + i * step).toFixed(1)},${(hgt - 2 - (v / max) * (hgt - 4)).toFixed(1)}`,
    )
    .filter(Boolean)
    .join(' ');
  const graphic = svg('svg', {
    viewBox: `0 0 ${w} ${hgt}`,
    preserveAspectRatio: 'none',
    role: 'img',
    'aria-label': `${label} over the last ${values.length} seconds`,
  });
  graphic.append(svg('polyline', { points: coords }));
  const shown =
    last === null
      ? 'no requests'
      : `${unit === '%' ? (last * 100).toFixed(1) : last.toFixed(unit === 'ms' ? 0 : 1)} ${unit}`;
  return h(
    'div',
    { class: 'chart' },
    h('span', {}, `${label}: `, h('strong', { 'data-metric': label }, shown)),
    graphic,
  );
}

function colorCard(app: AppData, color: Color): HTMLElement {
  const st = app.status!;
  const c = st.colors[color];
  const role = c.live ? 'live' : c.underTest ? 'under test' : c.deployment ? 'idle' : 'not deployed';
  const reasons = app.notReady[color] ?? [];
  const points = app.traffic[color] ?? [];
  return h(
    'section',
    { class: `card color ${color}`, 'aria-label': `${color} color`, 'data-color': color },
    h('h3', {}, badge(color), h('span', { 'data-role': color }, role)),
    c.deployment
      ? h(
          'dl',
          { class: 'facts' },
          h('dt', {}, 'release'),
          h('dd', {}, c.release ?? '?'),
          h('dt', {}, 'image'),
          h('dd', {}, c.image ?? '?'),
          h('dt', {}, 'ready'),
          h('dd', {}, `${c.ready}/${c.replicas}${c.allReady ? '' : ' (not ready)'}`),
          h('dt', {}, 'tests'),
          h(
            'dd',
            {},
            c.tested ? `${c.tested.result} for ${c.tested.release} at ${time(c.tested.at)}` : 'not tested',
          ),
          c.analysis ? h('dt', {}, 'analysis') : null,
          c.analysis ? h('dd', { 'data-analysis': c.analysis.state }, analysisText(app, c.analysis)) : null,
        )
      : h(
          'p',
          { class: 'muted' },
          c.leftover ? `no workload (left for decommission: ${c.leftover})` : 'no workload',
        ),
    reasons.length
      ? h(
          'ul',
          { class: 'reasons', 'aria-label': 'why pods are not ready' },
          ...reasons.map((r) =>
            h(
              'li',
              {},
              `${r.pod}${r.container ? `/${r.container}` : ''}: ${r.reason}${r.message ? ` — ${r.message}` : ''}`,
            ),
          ),
        )
      : null,
    c.deployment
      ? h(
          'div',
          { class: 'charts' },
          chart('requests/s', points, (p) => p.rps, 'rps'),
          chart('errors', points, (p) => p.errorRate, '%'),
          chart('p99 latency', points, (p) => p.p99Ms, 'ms'),
        )
      : null,
  );
}

type Mark = NonNullable<ColorView['analysis']>;

/** The post-promotion analysis: running with its progress through the window, or its verdict. */
function analysisText(app: AppData, mark: Mark): Node {
  if (mark.state !== 'running') {
    return document.createTextNode(
      `${mark.state} for ${mark.release} at ${time(mark.at)}${mark.detail ? `: ${mark.detail}` : ''}`,
    );
  }
  const total = app.analysisSeconds * 1000;
  const done = Math.max(0, Math.min(total, Date.now() - Date.parse(mark.at)));
  const bar = h('progress', {
    max: String(total || 1),
    value: String(done),
    'aria-label': 'post-promotion analysis',
  });
  return h(
    'span',
    {},
    `running for ${mark.release} since ${time(mark.at)} `,
    bar,
    ` ${Math.round(done / 1000)}/${app.analysisSeconds} s`,
  );
}

function summary(app: AppData): HTMLElement {
  const st = app.status;
  if (!st) return h('p', { class: 'reasons', role: 'alert' }, app.error ?? 'reading…');
  const drain = app.drainEndsAt
    ? Date.parse(app.drainEndsAt) > Date.now()
      ? `ends ${time(app.drainEndsAt)}`
      : `ended ${time(app.drainEndsAt)}`
    : 'no switch yet';
  return h(
    'dl',
    { class: 'facts', id: 'summary' },
    h('dt', {}, 'plain users'),
    h(
      'dd',
      { 'data-live': st.activeColor ?? 'none' },
      badge(st.activeColor),
      st.release ? ` release ${st.release}` : '',
    ),
    h('dt', {}, 'testers'),
    h('dd', {}, badge(st.testColor)),
    h('dt', {}, 'last switch'),
    h(
      'dd',
      {},
      st.switchedAt ? `${time(st.switchedAt)}${st.previousColor ? ` from ${st.previousColor}` : ''}` : '—',
    ),
    h('dt', {}, 'drain window'),
    h('dd', {}, `${app.drainSeconds} s, ${drain}`),
    h('dt', {}, 'lock'),
    h('dd', { 'data-lock': '' }, st.lock.summary),
    h('dt', {}, 'routes'),
    h(
      'dd',
      {},
      st.routes.map((r) => `${r.name ?? '?'} → ${r.color ?? '?'}${r.match ? ' (testers)' : ''}`).join(', ') ||
        'none',
    ),
    ...strayFacts(st),
    trafficError ? h('dt', {}, 'traffic') : null,
    trafficError ? h('dd', { class: 'muted' }, trafficError) : null,
  );
}

/** Orphaned or retired routing objects, with the fix; or that they could not be checked. */
function strayFacts(st: NonNullable<AppData['status']>): Array<HTMLElement | null> {
  if (st.strayRoutesUnchecked)
    return [
      h('dt', {}, 'other routes'),
      h('dd', { class: 'muted' }, `not checked: ${st.strayRoutesUnchecked}`),
    ];
  if (!st.strayRoutes.length) return [];
  return [
    h('dt', {}, 'other routes'),
    h(
      'dd',
      { class: 'reasons', role: 'alert', 'data-stray': '' },
      ...st.strayRoutes.map((s) =>
        h(
          'p',
          {},
          `${s.object}: ${s.state === 'retired' ? `retired (${s.retiredBy ?? ''})` : 'orphaned'}, ${s.colors.length ? `sends plain traffic to ${s.colors.join(' and ')}` : 'sends no plain traffic here'}. Fix: ${s.fix}`,
        ),
      ),
    ),
  ];
}

function historyList(app: AppData): HTMLElement {
  const entries = app.status?.history ?? [];
  if (!entries.length) return h('p', { class: 'muted' }, 'Nothing recorded yet.');
  return h(
    'ol',
    { class: 'timeline' },
    ...entries.map((e) =>
      h(
        'li',
        { class: e.result === 'failed' ? 'failed' : '' },
        h('time', { datetime: e.at }, time(e.at)),
        `${e.operation} ${e.result}${e.release ? ` ${e.release}` : ''}${e.color ? ` → ${e.color}` : ''}${e.detail ? `: ${e.detail}` : ''}${e.by ? ` (by ${e.by})` : ''}`,
      ),
    ),
  );
}

const MARKS: Record<string, string> = { start: '…', done: '✔', planned: '-', skipped: '•', failed: '✖' };

function outcomeBox(outcome: ActionOutcome): HTMLElement {
  return h(
    'div',
    {
      class: `outcome ${outcome.kind === 'done' ? 'done' : outcome.kind === 'refused' ? 'refused' : 'failed'}`,
      'data-outcome': outcome.kind,
    },
    h(
      'strong',
      {},
      outcome.kind === 'done'
        ? 'Done: '
        : outcome.kind === 'refused'
          ? 'Refused: '
          : `Failed (exit ${outcome.exitCode}): `,
    ),
    outcome.message,
    outcome.remedy ? h('div', { class: 'fix' }, `fix: ${outcome.remedy}`) : null,
  );
}

function actionProgress(action: ActionView | null): HTMLElement {
  const box = h('div', { id: 'progress', 'aria-live': 'polite' });
  if (!action) return box;
  box.append(
    h(
      'p',
      {},
      `${action.action} ${action.state === 'running' ? 'running since' : 'started'} ${time(action.startedAt)}`,
    ),
  );
  const latest = new Map<string, (typeof action.events)[number]>();
  for (const e of action.events) latest.set(e.step, e);
  box.append(
    h(
      'ul',
      { class: 'progress' },
      ...[...latest.values()].map((e) =>
        h(
          'li',
          { 'data-mark': MARKS[e.status] ?? '' },
          `${e.step}${e.detail ? ` — ${e.detail}` : ''}${e.ms !== undefined ? ` (${e.ms} ms)` : ''}`,
        ),
      ),
    ),
  );
  for (const n of action.notes) box.append(h('p', { class: 'muted' }, n));
  if (action.outcome) box.append(outcomeBox(action.outcome));
  return box;
}

function appPage(id: string): HTMLElement {
  const app = apps.get(id);
  if (!app)
    return h(
      'section',
      {},
      h('h1', {}, id),
      h('p', {}, 'This dashboard does not show this app. '),
      h('a', { href: '/' }, 'All apps'),
    );
  const running = app.action?.state === 'running';
  const st = app.status;
  const button = (action: 'promote' | 'rollback' | 'decommission', label: string) =>
    h('button', { type: 'button', 'data-action': action, disabled: running || !st }, label);
  return h(
    'section',
    { 'aria-labelledby': 'app-title' },
    h('p', {}, h('a', { href: '/' }, '← all apps')),
    h('h1', { id: 'app-title' }, app.id),
    summary(app),
    h('h2', {}, 'Actions'),
    h(
      'div',
      { class: 'actions' },
      button('promote', 'Promote…'),
      button('rollback', 'Roll back…'),
      button('decommission', 'Decommission…'),
    ),
    actionProgress(app.action),
    h('h2', {}, 'Colors'),
    st ? h('div', { class: 'colors' }, ...COLORS.map((c) => colorCard(app, c))) : null,
    h('h2', {}, 'History'),
    historyList(app),
  );
}

// ---- rendering --------------------------------------------------------------------------------

function render(): void {
  const main = document.getElementById('main')!;
  const focused =
    document.activeElement instanceof HTMLElement ? document.activeElement.dataset.action : undefined;
  const id = currentAppId();
  main.replaceChildren(id ? appPage(id) : overview());
  if (focused) (main.querySelector(`[data-action="${focused}"]`) as HTMLElement | null)?.focus();
}

function setConnection(state: 'live' | 'down' | 'connecting', text: string): void {
  const el = document.getElementById('connection')!;
  el.className = `connection ${state}`;
  el.textContent = text;
}

// ---- actions ----------------------------------------------------------------------------------

async function post(path: string, body: unknown): Promise<{ status: number; value: unknown }> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, value: (await res.json()) as unknown };
}

/** The release a button acts on, as the page shows it: the engine refuses if it is stale. */
function releaseFor(app: AppData, action: string): string | undefined {
  const st = app.status;
  if (!st) return undefined;
  if (action === 'promote') return st.testColor ? (st.colors[st.testColor].release ?? undefined) : undefined;
  return st.release ?? undefined;
}

async function onAction(action: 'promote' | 'rollback' | 'decommission'): Promise<void> {
  const id = currentAppId();
  const app = id ? apps.get(id) : undefined;
  if (!id || !app) return;
  const request = { action, release: releaseFor(app, action) };
  const base = `/api/apps/${id.split('/').map(encodeURIComponent).join('/')}`;
  const dialog = document.getElementById('confirm') as HTMLDialogElement;
  const body = document.getElementById('confirm-body')!;
  const ok = document.getElementById('confirm-ok') as HTMLButtonElement;
  document.getElementById('confirm-title')!.textContent = `${action} ${id}`;
  body.replaceChildren(h('p', {}, 'Planning…'));
  ok.disabled = true;
  dialog.showModal();
  const plan = await post(`${base}/plan`, request);
  const outcome = plan.value as ActionOutcome & { error?: string };
  if (plan.status !== 200) {
    body.replaceChildren(h('p', { class: 'reasons' }, outcome.error ?? `HTTP ${plan.status}`));
  } else if (outcome.kind !== 'done') {
    body.replaceChildren(outcomeBox(outcome), h('p', {}, 'Nothing was written.'));
  } else {
    body.replaceChildren(
      h('p', {}, outcome.message),
      h(
        'ol',
        {},
        ...(outcome.steps ?? []).map((s) =>
          h(
            'li',
            {},
            s.name,
            s.writes.length ? h('ul', {}, ...s.writes.map((w) => h('li', {}, h('code', {}, w)))) : null,
          ),
        ),
      ),
    );
    ok.disabled = false;
    ok.focus();
  }
  const choice = await new Promise<string>((resolve) =>
    dialog.addEventListener('close', () => resolve(dialog.returnValue), { once: true }),
  );
  if (choice !== 'ok' || ok.disabled) return;
  const started = await post(`${base}/actions`, request);
  if (started.status !== 202) {
    const current = apps.get(id);
    if (current) {
      current.action = {
        id: 'refused',
        app: id,
        action,
        state: 'failed',
        startedAt: new Date().toISOString(),
        events: [],
        notes: [],
        outcome: {
          exitCode: 1,
          kind: 'failed',
          message: (started.value as { error?: string }).error ?? `HTTP ${started.status}`,
        },
      };
      render();
    }
  }
}

document.addEventListener('click', (e) => {
  const target = (e.target as HTMLElement).closest('button[data-action]') as HTMLButtonElement | null;
  if (target && !target.disabled)
    void onAction(target.dataset.action as 'promote' | 'rollback' | 'decommission');
  const link = (e.target as HTMLElement).closest('a[href^="/"]') as HTMLAnchorElement | null;
  if (link && !e.metaKey && !e.ctrlKey) {
    e.preventDefault();
    history.pushState(null, '', link.getAttribute('href'));
    render();
    document.getElementById('main')!.focus();
  }
});
window.addEventListener('popstate', render);

// ---- data -------------------------------------------------------------------------------------

function store(list: AppData[]): void {
  for (const a of list) apps.set(a.id, a);
}

function connect(): void {
  const source = new EventSource('/api/events');
  source.addEventListener('open', () => setConnection('live', 'live'));
  source.addEventListener('error', () => setConnection('down', 'reconnecting…'));
  source.addEventListener('apps', (e) => {
    apps.clear();
    const data = JSON.parse((e as MessageEvent<string>).data) as { apps: AppData[]; others: DiscoveredApp[] };
    store(data.apps);
    others = data.others;
    render();
  });
  source.addEventListener('others', (e) => {
    others = (JSON.parse((e as MessageEvent<string>).data) as { others: DiscoveredApp[] }).others;
    if (!currentAppId()) render();
  });
  source.addEventListener('app', (e) => {
    const app = JSON.parse((e as MessageEvent<string>).data) as AppData;
    const old = apps.get(app.id);
    // Traffic arrives on its own stream; keep the points already drawn.
    apps.set(app.id, {
      ...app,
      traffic: old && app.traffic.blue.length + app.traffic.green.length === 0 ? old.traffic : app.traffic,
    });
    render();
  });
  source.addEventListener('traffic', (e) => {
    const data = JSON.parse((e as MessageEvent<string>).data) as {
      apps: Record<string, Record<Color, TrafficPoint | null>>;
      error: string | null;
    };
    trafficError = data.error;
    for (const [id, byColor] of Object.entries(data.apps)) {
      const app = apps.get(id);
      if (!app) continue;
      for (const c of COLORS) {
        const p = byColor[c];
        if (!p) continue;
        const list = (app.traffic[c] ??= []);
        list.push(p);
        if (list.length > KEEP_POINTS) list.splice(0, list.length - KEEP_POINTS);
      }
    }
    if (!document.querySelector('dialog[open]')) render();
  });
}

connect();
