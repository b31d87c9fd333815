// Each router names its own steps, in its own words, as users read them in the step log, status,
// history and the dashboard; a router that needs nothing at a point has no step there. Pure: the
// plans run as a dry run on an empty view, and the client throws on any call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../src/config/index.js';
import type { KubeClient } from '../src/kube/types.js';
import { createContext, type EngineContext } from '../src/engine/context.js';
import { ClusterView } from '../src/engine/cluster-view.js';
import { deploySteps } from '../src/engine/deploy.js';
import { decommissionSteps } from '../src/engine/decommission.js';
import { switchSteps } from '../src/engine/switch.js';
import { runSteps } from '../src/engine/steps.js';
import { silentLog, type EngineDeps } from '../src/engine/deps.js';

const noApi = new Proxy({ namespace: 'default', requestCount: 0 } as unknown as KubeClient, {
  get(target, prop) {
    if (prop in target) return (target as unknown as Record<string | symbol, unknown>)[prop];
    return () => {
      throw new Error(`a plan must not call the API (${String(prop)})`);
    };
  },
});

async function context(
  router: string,
  gateway: Record<string, unknown> = { create: true },
): Promise<EngineContext> {
  const extra: Record<string, unknown> =
    router === 'service' ? { router } : router === 'gateway-api' ? { router, gateway } : {};
  const config = validateConfig({ app: 'myapp', ...extra }, '/tmp/cutover.yaml', {});
  const deps: EngineDeps = {
    clock: () => Date.parse('2026-12-02T07:00:00.000Z'),
    sleep: async () => {},
    random: () => 0.5,
    http: async () => {
      throw new Error('a plan must not probe');
    },
    runCommand: async () => ({ exitCode: 1, output: '' }),
    acquireLock: async () => {
      throw new Error('a plan takes no lock');
    },
    log: silentLog,
    env: {},
  };
  return createContext({ config, kube: noApi, deps, dryRun: true });
}

/** The names of deploy's steps (first release on blue), of a switch to green while blue is live, of decommissioning blue. */
async function stepNames(router: string, gateway?: Record<string, unknown>) {
  const ctx = await context(router, gateway);
  const desired = ctx.source.deployment({ color: 'blue', image: 'myapp:v1', release: 'r1' });
  const records = await runSteps(
    ctx,
    'deploy',
    deploySteps(ctx, { color: 'blue', release: 'r1', image: 'myapp:v1' }, desired).filter(
      (s) => !s.name.startsWith('wait for'),
    ),
    new ClusterView(),
  );
  const view = new ClusterView();
  return {
    deploy: records.map((r) => `${r.name}: ${r.changes.map((c) => `${c.kind} ${c.name}`).join(', ')}`),
    switch: switchSteps(ctx, view, 'green', 'r2', undefined, () => {}).map((s) => s.name),
    decommission: decommissionSteps(ctx, 'blue').map((s) => s.name),
  };
}

test('istio names its steps after the gateway and DestinationRule subsets', async () => {
  const n = await stepNames('istio');
  assert.deepEqual(n.deploy, [
    'ensure shared objects: Service myapp',
    'apply Deployment myapp-blue: Deployment myapp-blue',
    'ensure gateway and subsets: Gateway myapp-gateway, DestinationRule myapp',
    'send testers to blue: VirtualService myapp',
  ]);
  assert.equal(n.switch[0], 'ensure subset green');
  assert.ok(n.decommission.includes('remove subset blue'), n.decommission.join(' | '));
});

test('gateway-api names its steps after the Gateway, the color Services and the HTTPRoute', async () => {
  const n = await stepNames('gateway-api');
  assert.deepEqual(n.deploy, [
    'ensure shared objects: Service myapp',
    'apply Deployment myapp-blue: Deployment myapp-blue',
    'ensure Gateway and color Service myapp-blue: Gateway myapp-gateway, Service myapp-blue',
    'send testers to blue: HTTPRoute myapp',
  ]);
  assert.equal(n.switch[0], 'ensure color Service myapp-green');
  assert.ok(n.decommission.includes('delete color Service myapp-blue'), n.decommission.join(' | '));
  assert.ok(!JSON.stringify(n).includes('subset'), 'no Istio word under gateway-api');
});

test('gateway-api with your own Gateway: the deploy step names the color Service only', async () => {
  const n = await stepNames('gateway-api', { name: 'shared', create: false });
  assert.equal(n.deploy[2], 'ensure color Service myapp-blue: Service myapp-blue');
});

test('service has no step for what it does not need: no per-color step; the preview Service is written when testers are sent', async () => {
  const n = await stepNames('service');
  assert.deepEqual(n.deploy, [
    'ensure shared objects: ',
    'apply Deployment myapp-blue: Deployment myapp-blue',
    'send testers to blue: Service myapp-preview',
  ]);
  assert.ok(!n.switch.some((s) => /subset|ensure/.test(s)), n.switch.join(' | '));
  assert.ok(!n.decommission.some((s) => /subset|color Service/.test(s)), n.decommission.join(' | '));
  assert.ok(!JSON.stringify(n).includes('subset'), 'no Istio word under service');
});
