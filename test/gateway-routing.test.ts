// Routing rules of the ingress gateway, each against real pods through real HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  del,
  put,
  putEndpoints,
  putService,
  seedApp,
  send,
  startHarness,
  startPod,
  visible,
  type Harness,
  type Pod,
} from './gateway-fixtures.js';

const SEED_COOKIE = '^(.*?;)?(test=true)(;.*)?$';

describe('gateway routing', () => {
  let h: Harness;
  let blue: Pod;
  let green: Pod;
  before(async () => {
    h = await startHarness(0);
    ({ blue, green } = await seedApp(h));
  });
  after(async () => {
    await h.close();
    await Promise.all([blue.close(), green.close()]);
  });

  /** Replaces the VS and waits until the gateway routes by this exact version. */
  async function route(http: unknown[], extra: Record<string, unknown> = {}): Promise<void> {
    await visible(
      h,
      put(h.store, 'virtualservices', 'default', 'myapp', {
        spec: { hosts: ['*'], gateways: ['myapp-gateway'], http, ...extra },
      }),
    );
  }
  const pod = async (path: string, headers: string[] = [], method = 'GET'): Promise<string> => {
    const r = await send(h.gateway.url, path, { headers, method });
    return r.status === 200 ? r.json().pod : `${r.status}`;
  };
  const to = (subset: string) => [{ destination: { host: 'myapp', subset } }];

  it('answers 404 with an empty body when no VirtualService serves the host (NR)', async () => {
    const r = await send(h.gateway.url, '/');
    assert.equal(r.status, 404);
    assert.equal(r.body, '');
    assert.equal(r.headers.server, 'istio-envoy');
  });

  it('routes the seed test route: cookie regex with RE2 full-match semantics', async () => {
    await route([
      { name: 'myapp-test', match: [{ headers: { cookie: { regex: SEED_COOKIE } } }], route: to('green') },
      { name: 'myapp-default', route: to('blue') },
    ]);
    const cases: Array<[string, string]> = [
      ['test=true', 'myapp-green-1'],
      ['a=1;test=true', 'myapp-green-1'],
      // `(.*?;)?` must end right before `test=true`; the space after ';' leaves no way to match the whole value.
      ['a=1; test=true', 'myapp-blue-1'],
      ['xtest=true', 'myapp-blue-1'],
      ['test=truex', 'myapp-blue-1'],
      ['test=true;b=2', 'myapp-green-1'],
    ];
    for (const [cookie, want] of cases)
      assert.equal(await pod('/', ['cookie', cookie]), want, `cookie ${cookie}`);
    assert.equal(await pod('/'), 'myapp-blue-1', 'no cookie');
    // Repeated Cookie headers are joined with '; ' before matching, so this one does not match either.
    assert.equal(await pod('/', ['cookie', 'a=1', 'cookie', 'test=true']), 'myapp-blue-1');
  });

  it('first matching rule wins; match blocks are ORed, conditions ANDed', async () => {
    await route([
      {
        match: [{ uri: { prefix: '/a' }, headers: { 'x-k': { exact: '1' } } }, { uri: { exact: '/or' } }],
        route: to('green'),
      },
      { match: [{ uri: { prefix: '/a' } }], route: to('blue') },
    ]);
    assert.equal(await pod('/abc', ['x-k', '1']), 'myapp-green-1');
    assert.equal(await pod('/abc', ['x-k', '2']), 'myapp-blue-1');
    assert.equal(await pod('/or'), 'myapp-green-1');
    assert.equal(await pod('/other'), '404');
  });

  it('matches uri exact (without query), prefix (plain string prefix), regex (full match) and ignoreUriCase', async () => {
    await route([
      { match: [{ uri: { exact: '/exact' } }], route: to('green') },
      { match: [{ uri: { regex: '/r/[0-9]+' } }], route: to('green') },
      { match: [{ uri: { prefix: '/Foo' }, ignoreUriCase: true }], route: to('green') },
      { match: [{ uri: { prefix: '/pre' } }], route: to('blue') },
    ]);
    assert.equal(await pod('/exact?x=1'), 'myapp-green-1');
    assert.equal(await pod('/exact/'), '404');
    assert.equal(await pod('/r/123?q'), 'myapp-green-1');
    assert.equal(await pod('/r/123x'), '404');
    assert.equal(await pod('/x/r/123'), '404');
    assert.equal(await pod('/fOObar'), 'myapp-green-1');
    assert.equal(await pod('/prefix'), 'myapp-blue-1');
  });

  it('matches method, authority, scheme, query parameters, withoutHeaders and presence', async () => {
    await route([
      { match: [{ method: { exact: 'POST' } }], route: to('green') },
      { match: [{ authority: { prefix: 'api.' } }], route: to('green') },
      { match: [{ queryParams: { v: { exact: '2' } } }], route: to('green') },
      { match: [{ queryParams: { flag: {} } }], route: to('green') },
      { match: [{ headers: { 'x-present': {} } }], route: to('green') },
      {
        match: [{ uri: { prefix: '/wo' }, withoutHeaders: { 'x-block': { exact: '1' } } }],
        route: to('green'),
      },
      { match: [{ scheme: { exact: 'http' }, uri: { prefix: '/scheme' } }], route: to('green') },
      { route: to('blue') },
    ]);
    assert.equal(await pod('/', [], 'POST'), 'myapp-green-1');
    assert.equal(await pod('/', ['host', 'api.example.com:8080']), 'myapp-green-1');
    assert.equal(await pod('/', ['host', 'web.example.com']), 'myapp-blue-1');
    assert.equal(await pod('/?a=1&v=2'), 'myapp-green-1');
    assert.equal(await pod('/?v=20'), 'myapp-blue-1');
    assert.equal(await pod('/?flag'), 'myapp-green-1');
    assert.equal(await pod('/', ['x-present', '']), 'myapp-green-1');
    assert.equal(
      await pod('/wo'),
      'myapp-green-1',
      'missing header counts as empty, so withoutHeaders matches',
    );
    assert.equal(await pod('/wo', ['x-block', '1']), 'myapp-blue-1');
    assert.equal(await pod('/scheme'), 'myapp-green-1');
  });

  it('joins repeated headers with "," before matching', async () => {
    await route([
      { match: [{ headers: { 'x-multi': { exact: 'a,b' } } }], route: to('green') },
      { route: to('blue') },
    ]);
    assert.equal(await pod('/', ['x-multi', 'a', 'x-multi', 'b']), 'myapp-green-1');
    assert.equal(await pod('/', ['x-multi', 'a, b']), 'myapp-blue-1');
  });

  it('moves catch-all routes last at the gateway, stably, across merged VirtualServices', async () => {
    await route([{ route: to('blue') }, { match: [{ uri: { prefix: '/g' } }], route: to('green') }]);
    // Within one VS nothing after a catch-all is kept, as Istio builds routes.
    assert.equal(await pod('/g'), 'myapp-blue-1');
    const later = put(
      h.store,
      'virtualservices',
      'default',
      'zz-later',
      {
        spec: {
          hosts: ['*'],
          gateways: ['default/myapp-gateway'],
          http: [{ match: [{ uri: { prefix: '/g' } }], route: to('green') }],
        },
      },
      { creationTimestamp: '2999-01-01T00:00:00Z' },
    );
    await visible(h, later);
    assert.equal(
      await pod('/g'),
      'myapp-green-1',
      "the later VS's specific route comes before the earlier catch-all",
    );
    assert.equal(await pod('/x'), 'myapp-blue-1');
    del(h.store, 'virtualservices', 'default', 'zz-later');
  });

  it('answers 503 NC for an undefined subset and 503 UH for a subset without ready pods', async () => {
    put(h.store, 'destinationrules', 'default', 'myapp-blue-green', {
      spec: {
        host: 'myapp',
        subsets: [
          { name: 'blue', labels: { color: 'blue' } },
          { name: 'green', labels: { color: 'green' } },
          { name: 'red', labels: { color: 'red' } },
        ],
      },
    });
    await route([
      { match: [{ uri: { prefix: '/nc' } }], route: to('purple') },
      { match: [{ uri: { prefix: '/uh' } }], route: to('red') },
    ]);
    const nc = await send(h.gateway.url, '/nc');
    assert.equal(nc.status, 503);
    assert.equal(nc.body, '');
    const uh = await send(h.gateway.url, '/uh');
    assert.equal(uh.status, 503);
    assert.equal(uh.body, 'no healthy upstream');
    const stats = h.gateway.stats();
    assert.ok(
      stats.some((s) => s.labels.response_flags === 'NC' && s.labels.destination_subset === 'purple'),
    );
    assert.ok(stats.some((s) => s.labels.response_flags === 'UH' && s.labels.destination_subset === 'red'));
  });

  it('routes without a subset to every ready endpoint of the Service (round-robin)', async () => {
    await route([
      { route: [{ destination: { host: 'myapp.default.svc.cluster.local', port: { number: 80 } } }] },
    ]);
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add(await pod('/'));
    assert.deepEqual([...seen].sort(), ['myapp-blue-1', 'myapp-green-1']);
  });

  it('splits by weight at random, excludes weight 0, and sends all traffic to a single destination', async () => {
    await route([
      {
        route: [
          { destination: { host: 'myapp', subset: 'blue' }, weight: 80 },
          { destination: { host: 'myapp', subset: 'green' }, weight: 20 },
        ],
      },
    ]);
    const n = 400;
    let greens = 0;
    for (let i = 0; i < n; i++) if ((await pod('/')) === 'myapp-green-1') greens++;
    // Binomial(400, 0.2): mean 80, sd 8; ±5 sd.
    assert.ok(greens > 40 && greens < 120, `green got ${greens}/${n}`);
    await route([
      {
        route: [
          { destination: { host: 'myapp', subset: 'blue' }, weight: 0 },
          { destination: { host: 'myapp', subset: 'green' }, weight: 1 },
        ],
      },
    ]);
    for (let i = 0; i < 20; i++) assert.equal(await pod('/'), 'myapp-green-1');
    await route([{ route: [{ destination: { host: 'myapp', subset: 'blue' }, weight: 0 }] }]);
    for (let i = 0; i < 5; i++) assert.equal(await pod('/'), 'myapp-blue-1');
  });

  it('applies request and response header operations at route and destination level', async () => {
    await route([
      {
        headers: {
          request: { set: { 'x-route': 'r', 'x-both': 'route' }, add: { 'x-add': 'a' }, remove: ['x-drop'] },
          response: { set: { 'x-color': 'blue' }, remove: ['x-pod'] },
        },
        route: [
          {
            destination: { host: 'myapp', subset: 'blue' },
            headers: { request: { set: { 'x-both': 'dest' } }, response: { add: { 'x-dest': 'd' } } },
          },
        ],
      },
    ]);
    const r = await send(h.gateway.url, '/', { headers: ['x-drop', '1', 'x-add', 'z'] });
    const up = r.json().headers;
    const values = (name: string) => up.filter((_, i) => i % 2 === 1 && up[i - 1]!.toLowerCase() === name);
    assert.deepEqual(values('x-route'), ['r']);
    assert.deepEqual(values('x-both'), ['dest'], "the destination's set comes after the route's");
    assert.deepEqual(values('x-add'), ['z', 'a']);
    assert.deepEqual(values('x-drop'), []);
    assert.equal(values('x-request-id').length, 1);
    assert.equal(r.headers['x-color'], 'blue');
    assert.equal(r.headers['x-dest'], 'd');
    assert.equal(r.headers['x-pod'], undefined);
    assert.equal(r.headers.server, 'istio-envoy');
    assert.match(String(r.headers['x-envoy-upstream-service-time']), /^\d+$/);
  });

  it('serves redirect and directResponse, and rewrites uri and authority', async () => {
    await route([
      { match: [{ uri: { prefix: '/old' } }], redirect: { uri: '/new', authority: 'example.com' } },
      { match: [{ uri: { exact: '/direct' } }], directResponse: { status: 418, body: { string: 'teapot' } } },
      {
        match: [{ uri: { prefix: '/api/' } }],
        rewrite: { uri: '/v2/', authority: 'internal' },
        route: to('green'),
      },
    ]);
    const red = await send(h.gateway.url, '/old/x?q=1');
    assert.equal(red.status, 301);
    assert.equal(red.headers.location, 'http://example.com/new?q=1');
    const d = await send(h.gateway.url, '/direct');
    assert.equal(d.status, 418);
    assert.equal(d.body, 'teapot');
    const rw = (await send(h.gateway.url, '/api/items?x=1')).json();
    assert.equal(rw.path, '/v2/items?x=1');
    const host = rw.headers[rw.headers.findIndex((v, i) => i % 2 === 0 && v.toLowerCase() === 'host') + 1];
    assert.equal(host, 'internal');
  });

  it('binds VirtualServices through spec.gateways and matches hosts with wildcards and namespaces', async () => {
    put(h.store, 'gateways', 'istio-system', 'shared', {
      spec: {
        selector: { istio: 'ingressgateway' },
        servers: [
          {
            port: { number: 80, name: 'http', protocol: 'HTTP' },
            hosts: ['default/*.example.com', 'other/*'],
          },
        ],
      },
    });
    put(h.store, 'virtualservices', 'default', 'wild', {
      spec: {
        hosts: ['shop.example.com'],
        gateways: ['istio-system/shared', 'mesh'],
        http: [{ route: to('green') }],
      },
    });
    put(h.store, 'virtualservices', 'default', 'not-bound', {
      spec: { hosts: ['nobind.example.com'], http: [{ route: to('green') }] },
    });
    put(h.store, 'virtualservices', 'default', 'wrong-ns', {
      spec: { hosts: ['x.other.org'], gateways: ['istio-system/shared'], http: [{ route: to('green') }] },
    });
    await route([{ route: to('blue') }]);
    assert.equal(await pod('/', ['host', 'shop.example.com']), 'myapp-green-1');
    assert.equal(
      await pod('/', ['host', 'SHOP.example.com:31380']),
      'myapp-green-1',
      'host is case-insensitive and the port is ignored',
    );
    assert.equal(
      await pod('/', ['host', 'nobind.example.com']),
      'myapp-blue-1',
      "a VS without gateways is mesh-only; the seed VS's * catches it",
    );
    assert.equal(
      await pod('/', ['host', 'x.other.org']),
      'myapp-blue-1',
      'server host other/* does not admit VirtualServices from default',
    );
    for (const name of ['wild', 'not-bound', 'wrong-ns']) del(h.store, 'virtualservices', 'default', name);
    del(h.store, 'gateways', 'istio-system', 'shared');
  });

  it('logs a field it does not emulate once per object and field, and still routes', async () => {
    const http = (name: string) => [
      { name, fault: { abort: { httpStatus: 500, percentage: { value: 100 } } }, route: to('blue') },
    ];
    await route(http('one'));
    await route(http('two'));
    assert.equal(await pod('/'), 'myapp-blue-1');
    const lines = h.logs.filter((l) => l.includes('http[0].fault'));
    assert.deepEqual(lines, [
      'gateway: VirtualService default/myapp: field http[0].fault is not emulated by the local gateway; traffic is routed as if it were absent',
    ]);
  });

  it('drops a header operation that cannot go on the wire, says so, and keeps serving', async () => {
    await route([{ headers: { response: { set: { 'x-bad': 'a\nb', 'x-good': 'ok' } } }, route: to('blue') }]);
    const r = await send(h.gateway.url, '/');
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-good'], 'ok');
    assert.equal(r.headers['x-bad'], undefined);
    assert.ok(
      h.logs.some((l) => l.includes('http[0].headers: header x-bad')),
      h.logs.join('\n'),
    );
  });

  it('ignores a VirtualService with an invalid RE2 regex, as Istio rejects it, and says so', async () => {
    await route([{ match: [{ uri: { regex: '(?=x)' } }], route: to('green') }]);
    assert.equal(await pod('/'), '404');
    assert.ok(
      h.logs.some((l) => l.startsWith('gateway: VirtualService default/myapp: http[0].match[0]')),
      h.logs.join('\n'),
    );
  });

  it('refuses HTTP/1.0 with 426 as Envoy does by default, and survives malformed requests', async () => {
    const { connect } = await import('node:net');
    const port = h.gateway.port;
    const raw = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const s = connect(port, '127.0.0.1', () => s.write(text));
        let out = '';
        s.on('data', (d) => (out += d.toString()));
        s.on('end', () => resolve(out));
        s.on('error', reject);
      });
    assert.match(await raw('GET / HTTP/1.0\r\nHost: x\r\n\r\n'), /^HTTP\/1\.1 426 /);
    assert.match(await raw('NOT HTTP AT ALL\r\n\r\n'), /^HTTP\/1\.1 400 /);
    assert.ok((await send(h.gateway.url, '/')).status >= 200, 'still serving after both');
  });

  it('serves Prometheus metrics with Istio labels and buckets', async () => {
    await route([{ route: to('green') }]);
    await pod('/');
    const m = await send(h.gateway.url, '/stats/prometheus');
    assert.equal(m.status, 200);
    const line = m.body
      .split('\n')
      .find(
        (l) =>
          l.startsWith('istio_requests_total{') &&
          l.includes('destination_service="myapp.default.svc.cluster.local"') &&
          l.includes('destination_subset="green"'),
      );
    assert.ok(line, m.body);
    assert.match(line, /reporter="source"/);
    assert.match(line, /destination_version="green"/);
    assert.match(line, /response_code="200",response_flags="-"\} [1-9]\d*$/);
    assert.match(m.body, /istio_request_duration_milliseconds_bucket\{.*le="0\.5"\} \d+/);
    assert.match(m.body, /istio_request_duration_milliseconds_bucket\{.*le="3600000"\} \d+/);
  });

  it('answers 503 after retries when every endpoint refuses connections', async () => {
    const dead = await startPod(h.store, 'default', 'dead-1', { app: 'dead' });
    await dead.close();
    putService(h.store, 'default', 'dead', { app: 'dead' });
    putEndpoints(h.store, 'default', 'dead', [dead]);
    await route([{ route: [{ destination: { host: 'dead' } }] }]);
    const r = await send(h.gateway.url, '/');
    assert.equal(r.status, 503);
    assert.equal(
      r.body,
      'upstream connect error or disconnect/reset before headers. reset reason: connection failure',
    );
  });

  it('retries a connect failure on another endpoint', async () => {
    const dead = await startPod(h.store, 'default', 'mixed-dead', { app: 'mixed' });
    await dead.close();
    const live = await startPod(h.store, 'default', 'mixed-live', { app: 'mixed' });
    putService(h.store, 'default', 'mixed', { app: 'mixed' });
    putEndpoints(h.store, 'default', 'mixed', [dead, live]);
    await route([{ route: [{ destination: { host: 'mixed' } }] }]);
    for (let i = 0; i < 6; i++) assert.equal(await pod('/'), 'mixed-live');
    await live.close();
  });

  it('answers 504 when the route timeout expires', async () => {
    const slow = await startPod(h.store, 'default', 'slow-1', { app: 'slow' }, (req, res) => {
      setTimeout(() => res.end('late'), 2000).unref();
      return true;
    });
    putService(h.store, 'default', 'slow', { app: 'slow' });
    putEndpoints(h.store, 'default', 'slow', [slow]);
    await route([{ timeout: '0.1s', route: [{ destination: { host: 'slow' } }] }]);
    const r = await send(h.gateway.url, '/');
    assert.equal(r.status, 504);
    assert.equal(r.body, 'upstream request timeout');
    slow.server.closeAllConnections();
    await slow.close();
  });
});

describe('gateway metrics port', () => {
  it('serves /stats/prometheus on metricsPort and routes that path on the main port', async () => {
    const { createStore } = await import('../src/local/store/index.js');
    const { startGateway } = await import('../src/local/gateway/index.js');
    const store = await createStore();
    const gw = await startGateway({
      store,
      host: '127.0.0.1',
      port: 0,
      propagationDelayMs: 0,
      metricsPort: 0,
      log: () => undefined,
    });
    after(async () => {
      await gw.close();
      await store.close();
    });
    await send(gw.url, '/anything');
    const metrics = await send(gw.metricsUrl!.replace('/stats/prometheus', ''), '/stats/prometheus');
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /istio_requests_total\{.*response_code="404",response_flags="NR"\} 1/);
    assert.equal(
      (await send(gw.url, '/stats/prometheus')).status,
      404,
      'no VirtualService: routed like any path',
    );
  });
});
