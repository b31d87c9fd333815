import { test } from 'node:test';
import assert from 'node:assert/strict';
import { istioInputProblems } from './input-checks.js';
import type { RouteSettings } from './settings.js';

const base: RouteSettings = {
  namespace: 'default',
  serviceHost: 'myapp',
  virtualServiceName: 'myapp',
  destinationRuleName: 'myapp',
  gateways: ['myapp-gateway'],
  hosts: ['*'],
  testMatch: [{ headers: { cookie: { regex: '^(.*?;\\s*)?test=true(;.*)?$' } } }],
  testHeaders: { cookie: 'test=true' },
  colorLabel: 'color',
  colorHeader: 'x-cutover-color',
  appId: 'default/myapp',
  routeNames: { test: 'myapp-test', default: 'myapp-default' },
  annotationPrefix: 'cutover.dev',
};

test('a regex istiod or Envoy would refuse is named in cutover.yaml terms, or in the manifest’s', () => {
  assert.deepEqual(istioInputProblems(base), []);
  const long = 'a'.repeat(1025);
  const [fromYaml] = istioInputProblems({ ...base, testMatch: [{ headers: { cookie: { regex: long } } }] });
  assert.equal(fromYaml!.field, 'testMatch.regex');
  assert.match(fromYaml!.message, /is longer than Istio's limit of 1024 characters; the gateway would never/);
  const [fromDir] = istioInputProblems({
    ...base,
    fromManifests: true,
    testMatch: [{ headers: { cookie: { regex: 'a(?=b)' } } }, { headers: { x: { regex: '*' } } }],
  });
  assert.equal(fromDir!.field, 'spec.http[myapp-test].match[0].headers.cookie.regex');
  assert.equal(fromDir!.inManifests, true);
  assert.match(fromDir!.message, /^VirtualService myapp: `a\(\?=b\)` is not a valid RE2 regex/);
});
