// The state a rollback judges under the lock is read after the lease GET that found the lock
// free has been answered (docs/adr/0016, 0021), never alongside that GET. Here the lease GET's
// answer is held back while the rollback's target color disappears; a rollback that judged what
// it read before that answer would switch every user to a color that is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startHarness } from './engine-harness.js';
import { release } from '../src/engine/release.js';
import { rollback } from '../src/engine/rollback.js';
import { loadConfig } from '../src/config/index.js';
import { connect } from '../src/kube/index.js';
import { createContext } from '../src/engine/context.js';
import { defaultDeps } from '../src/engine/default-deps.js';
import { GuardError } from '../src/errors.js';

/** Polls `cond` every 5 ms until it holds (at most 10 s). */
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`not within 10 s: ${what}`);
    await new Promise((d) => setTimeout(d, 5));
  }
}

test('a rollback judges the state read after the lease was seen free, not the state read beside it', async () => {
  const h = await startHarness({ propagationDelayMs: 0 });
  const api = new URL(h.cluster.apiUrl);
  /** Every request through the proxy, and whether its answer has been passed on. */
  const seen: Array<{ what: string; answered: boolean; whileHeld: boolean }> = [];
  let holdLease: ((forward: () => void) => void) | undefined;
  let held = false;
  const proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
    const entry = { what: `${req.method} ${req.url?.split('?')[0]}`, answered: false, whileHeld: held };
    seen.push(entry);
    const up = request(
      { host: api.hostname, port: api.port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        const forward = () => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
          r.on('end', () => (entry.answered = true));
        };
        const hold = req.method === 'GET' && /\/leases\//.test(entry.what) ? holdLease : undefined;
        holdLease = undefined;
        if (hold) hold(forward);
        else forward();
      },
    );
    up.on('error', () => res.destroy());
    res.on('error', () => up.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  try {
    await release(await h.context(), { image: 'demo/myapp:v1' });
    await release(await h.context(), { image: 'demo/myapp:v2' });
    const vsRef = {
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      name: 'myapp',
      namespace: 'default',
    };
    const routeBefore = JSON.stringify((await h.kube.get(vsRef)).spec);

    const kubeconfig = join(h.dir, 'proxied-kubeconfig');
    const port = (proxy.address() as AddressInfo).port;
    await writeFile(
      kubeconfig,
      (await readFile(h.cluster.kubeconfigPath, 'utf8')).replace(api.origin, `http://127.0.0.1:${port}`),
    );
    const config = loadConfig(h.configPath, { env: h.env });
    const ctx = await createContext({
      config,
      kube: connect({ kubeconfig, env: h.env }),
      deps: defaultDeps({ step: () => {}, info: () => {}, warn: () => {} }, h.env),
    });

    // The server has answered the lease GET (free). Once whatever the rollback sent beside that
    // GET has been answered (nothing for 50 ms, all answered: blue still v1 and ready), blue goes
    // away; then the lease's answer goes on.
    const lastArrival = () => seen.length;
    holdLease = (forward) => {
      held = true;
      void (async () => {
        let count = lastArrival();
        let quietSince = Date.now();
        await until(() => {
          if (lastArrival() !== count) [count, quietSince] = [lastArrival(), Date.now()];
          return Date.now() - quietSince >= 50 && seen.every((e) => !e.whileHeld || e.answered);
        }, 'the requests sent beside the lease GET answered');
        await h.kube.delete({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: 'myapp-blue',
          namespace: 'default',
        });
        held = false;
        forward();
      })();
    };
    await assert.rejects(rollback(ctx, {}), (err: Error) => {
      assert.ok(err instanceof GuardError, `${err.name}: ${err.message}`);
      assert.match(err.message, /myapp-blue does not exist/);
      return true;
    });
    const log = seen.map((e) => `${e.whileHeld ? 'held ' : ''}${e.what}`).join('\n');
    assert.ok(
      seen.some((e) => /^GET .*\/leases\//.test(e.what)),
      log,
    );
    assert.equal(
      JSON.stringify((await h.kube.get(vsRef)).spec),
      routeBefore,
      `the routes were not touched\n${log}`,
    );
    ctx.kube.close();
  } finally {
    proxy.close();
    await h.stop();
  }
});
