import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statusText } from './index.js';
import type { ColorStatus, StatusResult } from '../../engine/status.js';

const color = (extra: Partial<ColorStatus>): ColorStatus => ({
  deployment: null,
  release: null,
  image: null,
  replicas: 0,
  ready: 0,
  available: 0,
  allReady: false,
  live: false,
  underTest: false,
  hasSubset: false,
  leftover: null,
  tested: null,
  analysis: null,
  notReady: [],
  ...extra,
});

test('status says why a color is not ready and when the drain window ends', () => {
  const r: StatusResult = {
    app: 'web',
    namespace: 'shop',
    activeColor: 'blue',
    testColor: 'green',
    release: 'r1',
    previousColor: 'green',
    switchedAt: '2026-12-02T10:00:00.000Z',
    drainEndsAt: '2026-12-02T10:00:30.000Z',
    colors: {
      blue: color({
        deployment: 'web-blue',
        release: 'r1',
        replicas: 1,
        ready: 1,
        allReady: true,
        live: true,
      }),
      green: color({
        deployment: 'web-green',
        release: 'r2',
        replicas: 2,
        ready: 1,
        underTest: true,
        notReady: [
          { pod: 'web-green-abc', container: 'web', reason: 'CrashLoopBackOff', message: 'back-off 10s' },
        ],
      }),
    },
    routes: [],
    strayRoutes: [],
    strayRoutesUnchecked: null,
    lock: {
      namespace: 'shop',
      leaseName: 'web-cutover-lock',
      held: false,
      transitions: 0,
      expired: false,
      summary: 'lock free',
    },
    history: [],
  } as StatusResult;
  const text = statusText(r);
  assert.match(text, /green +under test +release r2 +1\/2 ready/);
  assert.match(text, /^ +web-green-abc\/web: CrashLoopBackOff — back-off 10s$/m);
  assert.match(text, /^drain window: the idle color may be decommissioned from 10:00:30 UTC on$/m);

  // Decommissioned but for the router's part: that part is named, in the router's words.
  r.colors.green = color({ hasSubset: true, leftover: 'delete color Service web-green' });
  const leftover = statusText(r);
  assert.match(
    leftover,
    /^ {2}green +not deployed \(left for decommission: delete color Service web-green\)$/m,
  );
  assert.match(leftover, /^drain window: /m);
  // Nothing left on the idle color: no drain window to wait for.
  r.colors.green = color({});
  const none = statusText(r);
  assert.match(none, /^ {2}green +not deployed$/m);
  assert.doesNotMatch(none, /drain window/);
});

test('status lists orphaned and retired routing objects with their fix, or says it could not look', () => {
  const base = {
    app: 'web',
    namespace: 'shop',
    activeColor: null,
    testColor: null,
    release: null,
    previousColor: null,
    switchedAt: null,
    drainEndsAt: null,
    colors: { blue: color({}), green: color({}) },
    routes: [],
    strayRoutesUnchecked: null,
    lock: { summary: 'lock free' },
    history: [],
  };
  const text = statusText({
    ...base,
    strayRoutes: [
      {
        object: 'VirtualService shop/web',
        state: 'orphaned',
        colors: ['blue'],
        via: 'route "web-default" → Service web, subset blue',
        retiredBy: null,
        fix: 'adopt it, or `cutover migrate`',
      },
      {
        object: 'HTTPRoute shop/web-old',
        state: 'retired',
        colors: [],
        via: null,
        retiredBy: 'migrate/42 to Service shop/web',
        fix: '`kubectl delete httproute web-old -n shop`',
      },
    ],
  } as unknown as StatusResult);
  assert.match(
    text,
    /^routing objects cutover.yaml does not name:\n {2}VirtualService shop\/web: orphaned, sends plain traffic to blue \(route "web-default" → Service web, subset blue\)\n {4}fix: adopt it, or `cutover migrate`$/m,
  );
  assert.match(
    text,
    /^ {2}HTTPRoute shop\/web-old: retired \(migrate\/42 to Service shop\/web\), sends no plain traffic here\n {4}fix: `kubectl delete/m,
  );
  const unchecked = statusText({
    ...base,
    strayRoutes: [],
    strayRoutesUnchecked: 'Forbidden',
  } as unknown as StatusResult);
  assert.match(unchecked, /^other routing objects: not checked \(Forbidden\)$/m);
});
