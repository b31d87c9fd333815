// The Gateway API's documented match precedence (apis/v1/httproute_types.go, HTTPRouteRule
// matches), checked on the tables the local gateway routes by: which rule a request lands on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../store/types.js';
import { ClusterRegistry } from '../clusters.js';
import { emptyView } from '../config-view.js';
import { ConfigReporter } from '../not-emulated.js';
import type { RequestFacts } from '../request-facts.js';
import type { CompiledRoute } from '../route-types.js';
import type { Attachment } from './attach.js';
import { intersectHostnames } from './hostnames.js';
import { listenerTable } from './listener-table.js';

let clock = 0;
function route(
  name: string,
  rules: unknown[],
  opts: { hostnames?: string[]; ns?: string; age?: number } = {},
): KubeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: {
      name,
      namespace: opts.ns ?? 'default',
      generation: 1,
      creationTimestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, opts.age ?? clock++)).toISOString(),
    },
    spec: { hostnames: opts.hostnames, rules },
  };
}

const to = (svc: string) => ({ backendRefs: [{ name: svc, port: 80 }] });
const prefix = (value: string) => ({ path: { type: 'PathPrefix', value } });
const exact = (value: string) => ({ path: { type: 'Exact', value } });

function facts(
  path: string,
  opts: { host?: string; method?: string; headers?: string[] } = {},
): RequestFacts {
  const q = path.indexOf('?');
  return {
    method: opts.method ?? 'GET',
    authority: opts.host ?? 'app.example.com',
    host: opts.host ?? 'app.example.com',
    path,
    pathOnly: q === -1 ? path : path.slice(0, q),
    query: q === -1 ? '' : path.slice(q + 1),
    rawHeaders: opts.headers ?? [],
  };
}

function tableOf(routes: KubeObject[], listenerHostname?: string) {
  const view = emptyView();
  for (const svc of ['a', 'b', 'c', 'd']) {
    view.services.set(`default/${svc}`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: svc, namespace: 'default' },
      spec: { ports: [{ port: 80 }] },
    });
  }
  const reporter = new ConfigReporter(() => undefined);
  const attachments: Attachment[] = routes.map((r) => ({
    route: r,
    hostnames: intersectHostnames(listenerHostname, (r.spec as { hostnames?: string[] }).hostnames ?? []),
  }));
  return listenerTable(attachments, new ClusterRegistry(view, reporter), 80, 1, reporter);
}

/** The backend Service of the first route that matches, or 404. */
function land(table: ReturnType<typeof tableOf>, f: RequestFacts): string {
  const vhost = table.hosts.lookup(f.host);
  const hit: CompiledRoute | undefined = vhost?.routes.find((r) => r.test(f));
  if (!hit) return '404';
  const action = hit.action;
  if (action.kind !== 'forward') return String(action.status);
  return action.destinations[0]!.clusterName.split('|').pop()!.split('.')[0]!;
}

describe('HTTPRoute match precedence (Gateway API)', () => {
  it('an Exact path beats any PathPrefix, even from an older route', () => {
    const t = tableOf([
      route('old', [{ matches: [prefix('/foo')], ...to('a') }]),
      route('new', [{ matches: [exact('/foo')], ...to('b') }]),
    ]);
    assert.equal(land(t, facts('/foo')), 'b');
    assert.equal(land(t, facts('/foo/x')), 'a');
  });

  it('the longest PathPrefix wins, and prefixes match whole path elements', () => {
    const t = tableOf([
      route('r', [
        { matches: [prefix('/')], ...to('a') },
        { matches: [prefix('/foo')], ...to('b') },
        { matches: [prefix('/foo/bar/')], ...to('c') },
      ]),
    ]);
    assert.equal(land(t, facts('/foo/bar/baz')), 'c');
    assert.equal(land(t, facts('/foo/bar')), 'c');
    assert.equal(land(t, facts('/foo/barn')), 'b');
    assert.equal(land(t, facts('/foobar')), 'a');
    assert.equal(land(t, facts('/foo?x=1')), 'b');
  });

  it('then a method match, then the most header matches, then the most query-parameter matches', () => {
    const t = tableOf([
      route('r', [
        { matches: [prefix('/')], ...to('a') },
        { matches: [{ ...prefix('/'), queryParams: [{ name: 'v', value: '2' }] }], ...to('b') },
        { matches: [{ ...prefix('/'), headers: [{ name: 'x-tier', value: 'gold' }] }], ...to('c') },
        { matches: [{ ...prefix('/'), method: 'POST' }], ...to('d') },
      ]),
    ]);
    assert.equal(land(t, facts('/?v=2', { method: 'POST', headers: ['X-Tier', 'gold'] })), 'd');
    assert.equal(land(t, facts('/?v=2', { headers: ['x-tier', 'gold'] })), 'c');
    assert.equal(land(t, facts('/?v=2')), 'b');
    assert.equal(land(t, facts('/?v=3')), 'a');
  });

  it('ties go to the oldest route, then namespace/name alphabetically, then rule order', () => {
    const t = tableOf([
      route('zeta', [{ ...to('a') }], { age: 5 }),
      route('alpha', [{ ...to('b') }], { age: 5 }),
      route('older', [{ ...to('c') }, { ...to('d') }], { age: 1 }),
    ]);
    assert.equal(land(t, facts('/')), 'c');
    const t2 = tableOf([
      route('zeta', [{ ...to('a') }], { age: 5 }),
      route('alpha', [{ ...to('b') }], { age: 5 }),
    ]);
    assert.equal(land(t2, facts('/')), 'b');
  });

  it('an exact hostname comes before a wildcard one, and falls through to it when none of its rules match', () => {
    const t = tableOf([
      route('wild', [{ matches: [prefix('/')], ...to('a') }], { hostnames: ['*.example.com'], age: 1 }),
      route('exact', [{ matches: [prefix('/api')], ...to('b') }], { hostnames: ['app.example.com'], age: 2 }),
      route('any', [{ matches: [prefix('/')], ...to('c') }], { age: 3 }),
    ]);
    assert.equal(land(t, facts('/api/x')), 'b');
    assert.equal(land(t, facts('/home')), 'a');
    assert.equal(land(t, facts('/home', { host: 'other.test' })), 'c');
    assert.equal(land(t, facts('/home', { host: 'example.com' })), 'c');
  });

  it('a RegularExpression header match is RE2 and must match the whole value', () => {
    const cookie = '(.*;\\s*)?test=true(;.*)?';
    const t = tableOf([
      route('r', [
        { ...to('a') },
        {
          matches: [{ headers: [{ name: 'cookie', type: 'RegularExpression', value: cookie }] }],
          ...to('b'),
        },
      ]),
    ]);
    assert.equal(land(t, facts('/', { headers: ['Cookie', 'a=1; test=true'] })), 'b');
    assert.equal(land(t, facts('/', { headers: ['Cookie', 'test=true'] })), 'b');
    assert.equal(land(t, facts('/', { headers: ['Cookie', 'test=truex'] })), 'a');
    assert.equal(land(t, facts('/', { headers: ['Cookie', 'xtest=true'] })), 'a');
  });

  it('weight 0 sends nothing; a rule whose backends are all invalid answers 500; no rule matching is 404', () => {
    const t = tableOf([
      route('r', [
        {
          matches: [prefix('/zero')],
          backendRefs: [
            { name: 'a', port: 80, weight: 0 },
            { name: 'b', port: 80 },
          ],
        },
        { matches: [prefix('/missing')], backendRefs: [{ name: 'nope', port: 80 }] },
        { matches: [prefix('/none')] },
      ]),
    ]);
    assert.equal(land(t, facts('/zero')), 'b');
    const missing = t.hosts.lookup('app.example.com')!.routes.find((r) => r.test(facts('/missing')))!;
    assert.equal(missing.action.kind === 'forward' && missing.action.destinations[0]!.cluster, undefined);
    assert.equal(missing.action.kind === 'forward' && missing.action.destinations[0]!.localReplyStatus, 500);
    assert.equal(land(t, facts('/none')), '500');
    assert.equal(land(t, facts('/else')), '404');
  });
});

describe('listener and route hostnames', () => {
  it('intersect as the Gateway API describes', () => {
    assert.deepEqual(intersectHostnames(undefined, []), ['*']);
    assert.deepEqual(intersectHostnames('*.example.com', []), ['*.example.com']);
    assert.deepEqual(intersectHostnames('*.example.com', ['a.example.com', 'a.other.com']), [
      'a.example.com',
    ]);
    assert.deepEqual(intersectHostnames('a.example.com', ['*.example.com']), ['a.example.com']);
    assert.deepEqual(intersectHostnames('a.example.com', ['b.example.com']), []);
    assert.deepEqual(intersectHostnames('*.example.com', ['*.a.example.com']), ['*.a.example.com']);
  });
});
