// `local up --api-latency-ms`: the API server answers as one a network away. Each request waits
// the round trip, a connection's first one twice (its handshake), and requests on different
// connections wait side by side, as on a network, not one after the other.
import assert from 'node:assert/strict';
import { Agent, get } from 'node:http';
import { after, before, test } from 'node:test';
import { startTestApiServer, type TestApiServer } from '../src/local/apiserver/testing.js';

const LATENCY_MS = 100;
let server: TestApiServer;
before(async () => {
  server = await startTestApiServer({ latencyMs: LATENCY_MS });
});
after(() => server.close());

function timedGet(path: string, agent: Agent | false): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port: server.api.port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ms: performance.now() - started, status: res.statusCode ?? 0 }));
    }).on('error', reject);
  });
}

test('each request waits the round trip, the first on a connection twice', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await timedGet('/api/v1/namespaces/default', agent);
    const second = await timedGet('/api/v1/namespaces/default', agent);
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    assert.ok(first.ms >= 2 * LATENCY_MS, `first request answered after ${first.ms} ms`);
    assert.ok(second.ms >= LATENCY_MS, `second request answered after ${second.ms} ms`);
  } finally {
    agent.destroy();
  }
});

test('requests on separate connections wait side by side', async () => {
  const started = performance.now();
  const answers = await Promise.all(
    Array.from({ length: 5 }, () => timedGet('/api/v1/namespaces/default', false)),
  );
  const ms = performance.now() - started;
  assert.deepEqual(
    answers.map((a) => a.status),
    [200, 200, 200, 200, 200],
  );
  // One after the other, five new connections would take 5 × 2 × 100 ms.
  assert.ok(ms >= 2 * LATENCY_MS && ms < 5 * LATENCY_MS, `five at once answered after ${ms} ms`);
});
