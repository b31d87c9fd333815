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
});
