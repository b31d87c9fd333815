// Zero failed requests under continuous traffic while routes switch between colors and pods come
// and go, when pods leave the Endpoints (and the gateway has seen it) before they stop.
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { after, it } from 'node:test';
import {
  del,
  put,
  putEndpoints,
  putService,
  send,
  seedGateway,
  startHarness,
  startPod,
  visible,
  waitFor,
  type Pod,
} from './gateway-fixtures.js';

it('loses no request through the gateway across blue-green cycles with pods replaced', async () => {
  const h = await startHarness(100);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const live: Pod[] = [];
  after(async () => {
    agent.destroy();
    await h.close();
    await Promise.all(live.map((p) => p.close()));
  });
  putService(h.store, 'default', 'myapp', { app: 'myapp' });
  put(h.store, 'gateways', 'default', 'myapp-gateway', seedGateway);
  put(h.store, 'destinationrules', 'default', 'myapp', {
    spec: { host: 'myapp', subsets: ['blue', 'green'].map((c) => ({ name: c, labels: { color: c } })) },
  });
  const route = (http: unknown[]) =>
    put(h.store, 'virtualservices', 'default', 'myapp', {
      spec: { hosts: ['*'], gateways: ['myapp-gateway'], http },
    });
  const to = (subset: string, weight?: number) => ({
    destination: { host: 'myapp', subset },
    ...(weight === undefined ? {} : { weight }),
  });

  let generation = 0;
  const startColor = async (color: string): Promise<Pod[]> => {
    generation++;
    const pods = await Promise.all(
      [1, 2].map((i) =>
        startPod(h.store, 'default', `myapp-${color}-${generation}-${i}`, { app: 'myapp', color }),
      ),
    );
    live.push(...pods);
    return pods;
  };
  let blue = await startColor('blue');
  await visible(h, putEndpoints(h.store, 'default', 'myapp', blue));
  await visible(h, route([{ route: [to('blue')] }]));

  const counts = new Map<string, number>();
  const failures: string[] = [];
  let total = 0;
  let stop = false;
  const loop = async (): Promise<void> => {
    while (!stop) {
      try {
        const r = await send(h.gateway.url, '/', { agent });
        const key = r.status === 200 ? r.json().pod.replace(/-\d+-\d$/, '') : `${r.status} ${r.body}`;
        if (r.status !== 200) failures.push(key);
        counts.set(key, (counts.get(key) ?? 0) + 1);
        total++;
      } catch (err) {
        failures.push(String(err));
        total++;
      }
    }
  };
  const clients = Array.from({ length: 8 }, loop);
  /** Every step happens under live traffic: wait for more answers before the next one. */
  const flowing = (): Promise<true> => {
    const from = total;
    return waitFor('traffic to flow', () => (total >= from + 20 ? true : undefined), 10_000);
  };

  const retire = async (pods: Pod[], remaining: Pod[]): Promise<void> => {
    // Make before break: out of the Endpoints, seen by the gateway, then stopped and deleted.
    await visible(h, putEndpoints(h.store, 'default', 'myapp', remaining));
    await flowing();
    await Promise.all(pods.map((p) => p.close()));
    await flowing();
    for (const p of pods) del(h.store, 'pods', 'default', p.name);
  };
  for (let cycle = 0; cycle < 2; cycle++) {
    const green = await startColor('green');
    await visible(h, putEndpoints(h.store, 'default', 'myapp', [...blue, ...green]));
    await flowing();
    await visible(h, route([{ route: [to('blue', 50), to('green', 50)] }]));
    await flowing();
    await visible(h, route([{ route: [to('green')] }]));
    await flowing();
    await retire(blue, green);
    blue = await startColor('blue');
    await visible(h, putEndpoints(h.store, 'default', 'myapp', [...green, ...blue]));
    await flowing();
    await visible(h, route([{ route: [to('blue')] }]));
    await flowing();
    await retire(green, blue);
  }
  stop = true;
  await Promise.all(clients);

  assert.deepEqual(
    failures,
    [],
    `failed requests out of ${total}: ${JSON.stringify(Object.fromEntries(counts))}`,
  );
  assert.ok(
    (counts.get('myapp-green') ?? 0) > 0 && (counts.get('myapp-blue') ?? 0) > 0,
    JSON.stringify(Object.fromEntries(counts)),
  );
});
