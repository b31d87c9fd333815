// The real kubectl (1.27, 1.30, 1.33) on the Gateway API kinds the local cluster serves:
// apply, get (the CRDs' printer columns), get -o json (the schema defaults the API server fills
// in), describe, and the CRDs' CEL rules refusing a route a real cluster refuses.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestApiServer, type TestApiServer } from '../src/local/apiserver/testing.js';
import { Kubectl, type KubectlResult } from './helpers/kubectl.js';

const VERSIONS = ['1.27', '1.30', '1.33'];

function objects(ns: string): string {
  return `apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: class-${ns}}
spec: {controllerName: example.com/gateway-controller, description: for ${ns}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: ${ns}}
spec:
  gatewayClassName: class-${ns}
  listeners:
  - {name: http, port: 80, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: ${ns}}
spec:
  parentRefs: [{name: web}]
  hostnames: [web.example.com]
  rules:
  - backendRefs: [{name: web-blue, port: 80}]
  - matches: [{headers: [{name: cookie, type: RegularExpression, value: '(.*; ?)?test=true(;.*)?'}]}]
    backendRefs: [{name: web-green, port: 80}]
`;
}

const NO_PORT = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: no-port}
spec:
  parentRefs: [{name: web}]
  rules:
  - backendRefs: [{name: web-blue}]
`;

function succeeded(r: KubectlResult): string {
  assert.equal(r.code, 0, `exit ${r.code}; stderr: ${r.stderr}`);
  return r.stdout;
}

let server: TestApiServer;
let work: string;

before(async () => {
  server = await startTestApiServer();
  work = await mkdtemp(join(tmpdir(), 'cutover-kubectl-gwapi-'));
});

after(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

function kubectlFor(version: string): Kubectl {
  return new Kubectl({
    version,
    kubeconfigPath: server.kubeconfigPath,
    cacheDir: join(work, `cache-${version}`),
    home: join(work, `home-${version}`),
  });
}

for (const version of VERSIONS) {
  describe(`kubectl ${version} on Gateway API objects`, () => {
    const ns = `gwapi-${version.replace('.', '-')}`;

    it('applies GatewayClass, Gateway and HTTPRoute, and a second apply writes nothing new', async () => {
      const k = kubectlFor(version);
      const file = join(work, `${ns}.yaml`);
      await writeFile(file, objects(ns));
      const out = succeeded(await k.run(['apply', '-f', file]));
      assert.match(out, new RegExp(`gatewayclass.gateway.networking.k8s.io/class-${ns} created`));
      assert.match(out, /gateway.gateway.networking.k8s.io\/web created/);
      assert.match(out, /httproute.gateway.networking.k8s.io\/web created/);
      const before = JSON.parse(succeeded(await k.run(['-n', ns, 'get', 'httproute', 'web', '-o', 'json'])));
      succeeded(await k.run(['apply', '-f', file]));
      const again = JSON.parse(succeeded(await k.run(['-n', ns, 'get', 'httproute', 'web', '-o', 'json'])));
      assert.equal(again.metadata.generation, before.metadata.generation);
    });

    it('get prints the CRDs printer columns', async () => {
      const k = kubectlFor(version);
      const classes = succeeded(await k.run(['get', 'gatewayclass', `class-${ns}`, '-o', 'wide']));
      assert.match(classes.split('\n')[0]!, /^NAME\s+CONTROLLER\s+ACCEPTED\s+AGE\s+DESCRIPTION$/);
      assert.match(classes, new RegExp(`class-${ns}\\s+example.com/gateway-controller\\s+\\S+\\s+for ${ns}`));
      const gateways = succeeded(await k.run(['-n', ns, 'get', 'gateways.gateway.networking.k8s.io']));
      assert.match(gateways.split('\n')[0]!, /^NAME\s+CLASS\s+ADDRESS\s+PROGRAMMED\s+AGE$/);
      assert.match(gateways, new RegExp(`^web\\s+class-${ns}\\s`, 'm'));
      const routes = succeeded(await k.run(['-n', ns, 'get', 'httproutes']));
      assert.match(routes, /^web\s+\["web.example.com"\]\s+\d+s$/m);
    });

    it('get -o json shows the defaults of the CRD schema', async () => {
      const k = kubectlFor(version);
      const route = JSON.parse(succeeded(await k.run(['-n', ns, 'get', 'httproute', 'web', '-o', 'json'])));
      assert.deepEqual(route.spec.parentRefs, [
        { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'web' },
      ]);
      assert.deepEqual(route.spec.rules[0].matches, [{ path: { type: 'PathPrefix', value: '/' } }]);
      assert.deepEqual(route.spec.rules[0].backendRefs, [
        { group: '', kind: 'Service', name: 'web-blue', port: 80, weight: 1 },
      ]);
      assert.equal(route.spec.rules[1].matches[0].headers[0].type, 'RegularExpression');
      assert.equal(route.apiVersion, 'gateway.networking.k8s.io/v1');
      const beta = JSON.parse(
        succeeded(
          await k.run(['-n', ns, 'get', 'httproutes.v1beta1.gateway.networking.k8s.io', 'web', '-o', 'json']),
        ),
      );
      assert.equal(beta.apiVersion, 'gateway.networking.k8s.io/v1beta1');
    });

    it('describe prints the route', async () => {
      const k = kubectlFor(version);
      const out = succeeded(await k.run(['-n', ns, 'describe', 'httproute', 'web']));
      assert.match(out, /^Kind:\s+HTTPRoute$/m);
      assert.match(out, /^API Version:\s+gateway.networking.k8s.io\/v1$/m);
      assert.match(out, /Name:\s+web-green/);
    });

    it('a Service backendRef without a port is refused with the CRD rule', async () => {
      const k = kubectlFor(version);
      const file = join(work, `${ns}-no-port.yaml`);
      await writeFile(file, NO_PORT);
      const r = await k.run(['-n', ns, 'apply', '-f', file]);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /spec.rules\[0\].backendRefs\[0\]: Invalid value: "object": Must have port for Service reference/,
      );
      const get = await k.run(['-n', ns, 'get', 'httproute', 'no-port']);
      assert.equal(get.code, 1);
    });
  });
}
