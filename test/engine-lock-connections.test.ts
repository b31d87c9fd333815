// A rollback reads the state twice before its switch: beside the lease GET (judged dry, so a
// refusal writes nothing), then again under the lock. The second read goes out once the first
// round is answered, on the connections that round opened and freed: on a real cluster each new
// connection is a TCP and a TLS handshake, round trips before the switch (docs/adr/0024). Here
// the recording proxy numbers the client's connections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startHarness } from './engine-harness.js';
import { startRecordingProxy } from './helpers/recording-proxy.js';
import { release } from '../src/engine/release.js';
import { rollback } from '../src/engine/rollback.js';
import { loadConfig } from '../src/config/index.js';
import { connect } from '../src/kube/index.js';
import { createContext } from '../src/engine/context.js';
import { defaultDeps } from '../src/engine/default-deps.js';

test('the state read under the lock goes out on the connections the first read freed', async () => {
  const h = await startHarness({ propagationDelayMs: 0 });
  const proxy = await startRecordingProxy(h.cluster.kubeconfigPath, join(h.dir, 'proxied-kubeconfig'));
  try {
    await release(await h.context(), { image: 'demo/myapp:v1' });
    await release(await h.context(), { image: 'demo/myapp:v2' });
    const ctx = await createContext({
      config: loadConfig(h.configPath, { env: h.env }),
      kube: connect({ kubeconfig: proxy.kubeconfigPath, env: h.env }),
      deps: defaultDeps({ step: () => {}, info: () => {}, warn: () => {} }, h.env),
    });
    const result = await rollback(ctx, {});
    assert.equal(result.color, 'blue');
    ctx.kube.close();

    const seen = proxy.requests.map((r) => ({ what: `${r.method} ${r.path}`, connection: r.connection }));
    const log = seen.map((e) => `#${e.connection} ${e.what}`).join('\n');
    const write = seen.findIndex((e) => /^PATCH .*virtualservices/.test(e.what));
    assert.ok(write > 0, `the rollback switched the route\n${log}`);
    // Each Deployment is read twice before the write: the first read's connections, the second's.
    const reads = seen.slice(0, write).filter((e) => /^GET .*\/deployments\//.test(e.what));
    assert.equal(reads.length, 4, log);
    const [first, second] = [reads.slice(0, 2), reads.slice(2)];
    const firstRound = new Set(seen.slice(0, seen.indexOf(first[1]!) + 1).map((e) => e.connection));
    for (const r of second)
      assert.ok(firstRound.has(r.connection), `${r.what} opened a connection of its own\n${log}`);
  } finally {
    await proxy.close();
    await h.stop();
  }
});
