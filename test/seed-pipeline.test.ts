// The seed article's blue-green pipeline, run verbatim against the local cluster with the real
// kubectl, envsubst, jq and curl — once with each kubectl the machine ships (1.27 … 1.33), one
// after the other on one shared cluster, each in a namespace of its own that is deleted when
// its run ends. Only the cluster connection (KUBECONFIG, with that namespace) and the image name
// (DOCKER_USERNAME=demo, SEMAPHORE_WORKFLOW_ID=v1|v2, so `demo/myapp:v1`) differ from the article.
// After every step, requests through the gateway show which version plain users and `test=true`
// users get.
//
// The job texts below are the article's (semaphoreci/papers, reference seed-demo.md §4.1). Each
// runs in one `bash -c`, as a Semaphore job runs its commands in one shell session. Jobs of several
// commands get `set -e` first: Semaphore stops a job at its first failing command. Single-command
// jobs (the `if …; fi` checks) run without it, so a failure inside their `if` body is judged by
// the command's final status, as Semaphore judges it.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startLocalCluster, type LocalCluster } from '../src/local/cluster.js';
import { seedJobScript, type SeedJob } from '../examples/seed-pipeline/jobs.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
/** The seed's manifests/ folder, byte for byte as the article publishes it (seed-demo.md §3). */
const SEED_MANIFESTS = join(REPO, 'examples', 'seed-manifests');
const DEMO_APP = join(REPO, 'examples', 'demo-app');
const DEADLINE_MS = 30_000;

/** What the cluster looked like when a job failed, for the failure message. */
const DIAGNOSTICS = `kubectl get pods -o wide; kubectl get endpoints myapp -o jsonpath='{.subsets}'; echo; kubectl get virtualservice myapp-blue-green -o jsonpath='{.spec.http}'; echo; kubectl get destinationrule myapp-blue-green -o jsonpath='{.spec.subsets}'; echo`;

interface JobResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const VERSIONS = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33'];

/** A folder with `kubectl` → kubectl.<version> from beside the machine's kubectl, first on PATH. */
async function kubectlDir(into: string, version: string): Promise<string> {
  const real = execFileSync('readlink', [
    '-f',
    execFileSync('bash', ['-c', 'command -v kubectl']).toString().trim(),
  ])
    .toString()
    .trim();
  const dir = join(into, 'bin');
  await mkdir(dir, { recursive: true });
  await symlink(join(dirname(real), `kubectl.${version}`), join(dir, 'kubectl'));
  return dir;
}

function runJob(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<JobResult> {
  return new Promise((resolve, reject) => {
    // stdin is not a terminal, as in CI: `kubectl exec -it` warns and goes on.
    const child = spawn('bash', ['-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** What one request through the gateway answered: the version header, or the failure. */
async function versionAt(url: string, testUser: boolean): Promise<string> {
  const res = await fetch(`${url}/ready`, { headers: testUser ? { cookie: 'test=true' } : {} });
  const body = await res.text();
  return res.status === 200
    ? (res.headers.get('x-app-version') ?? 'no version header')
    : `HTTP ${res.status} ${body.slice(0, 80)}`;
}

/**
 * Waits (with a deadline) until the gateway answers plain and test users with the expected
 * versions — routes reach the gateway asynchronously, as they reach Envoy — then checks that
 * ten requests in a row of each kind agree.
 */
async function expectVersions(url: string, expected: { plain: string; test: string }): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  let seen = { plain: '', test: '' };
  while (Date.now() < deadline) {
    seen = { plain: await versionAt(url, false), test: await versionAt(url, true) };
    if (seen.plain === expected.plain && seen.test === expected.test) break;
    await new Promise((r) => setImmediate(r));
  }
  assert.deepEqual(seen, expected, 'versions answered through the gateway (plain users, test=true users)');
  for (let i = 0; i < 10; i++) {
    assert.deepEqual({ plain: await versionAt(url, false), test: await versionAt(url, true) }, expected);
  }
}

async function waitFor(what: string, condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((r) => setImmediate(r));
  }
  assert.fail(`timed out waiting for ${what}`);
}

let cluster: LocalCluster;
let stateDir: string;

before(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'cutover-seed-'));
  cluster = await startLocalCluster({ stateDir, log: () => {} });
  // The images the article's CI would push, as the local cluster's image table knows them; the
  // command is the seed Dockerfile's CMD (`node src/app.js`) for the TypeScript sources.
  for (const version of ['v1', 'v2']) {
    cluster.images.add(`demo/myapp:${version}`, {
      dir: DEMO_APP,
      env: { APP_VERSION: version },
      command: ['node', '--import', 'tsx', 'src/app.ts'],
    });
  }
});

after(async () => {
  await cluster?.stop();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

for (const kubectlVersion of VERSIONS) {
  describe(`the seed article pipeline, verbatim, with kubectl ${kubectlVersion}`, () => {
    const namespace = `seed-${kubectlVersion.replace('.', '')}`;
    let work: string;
    let baseEnv: NodeJS.ProcessEnv;

    const job = async (name: SeedJob, env: Record<string, string> = {}): Promise<JobResult> =>
      runJob(seedJobScript(name), work, { ...baseEnv, ...env });
    const mustPass = async (name: SeedJob, env: Record<string, string> = {}): Promise<JobResult> => {
      const res = await job(name, env);
      if (res.code !== 0) {
        const state = await runJob(DIAGNOSTICS, work, baseEnv);
        assert.fail(
          `job ${name} ${JSON.stringify(env)} exited ${res.code}:\n${res.stdout}\n${res.stderr}\n--- cluster state:\n${state.stdout}${state.stderr}`,
        );
      }
      return res;
    };

    before(async () => {
      work = join(stateDir, namespace);
      await cp(SEED_MANIFESTS, join(work, 'manifests'), { recursive: true });
      // The CI machine's kubeconfig points at the namespace the pipeline deploys to.
      const kubeconfig = join(work, 'kubeconfig');
      await writeFile(
        kubeconfig,
        (await readFile(cluster.kubeconfigPath, 'utf8')).replace(
          /namespace: default/,
          `namespace: ${namespace}`,
        ),
      );
      const db = cluster.database!;
      baseEnv = {
        PATH: `${await kubectlDir(work, kubectlVersion)}:${process.env.PATH}`,
        HOME: work, // kubectl's discovery cache lives here, as on a CI machine
        KUBECONFIG: kubeconfig,
        // The image name: $DOCKER_USERNAME/myapp:$SEMAPHORE_WORKFLOW_ID → demo/myapp:v1 or v2.
        DOCKER_USERNAME: 'demo',
        // The env-blue / env-green secrets: the embedded PostgreSQL (it accepts any credentials).
        DB_HOST: db.host,
        DB_PORT: String(db.port),
        DB_SCHEMA: 'postgres',
        DB_USER: 'postgres',
        DB_PASSWORD: 'seed-demo-password',
      };
      const created = await runJob(`kubectl create namespace ${namespace}`, work, baseEnv);
      assert.equal(created.code, 0, created.stderr);
    });

    // The next kubectl's run starts from a cluster without this one's routes and workloads.
    after(async () => {
      if (!baseEnv) return;
      await runJob(`kubectl delete namespace ${namespace}`, work, baseEnv);
      await waitFor('the namespace to go', async () => {
        const ns = await runJob(`kubectl get namespace ${namespace} -o name`, work, baseEnv);
        return ns.code !== 0;
      });
    });

    it('creates the dockerhub registry secret as the article does', async () => {
      const res = await mustPass('registrySecret');
      assert.equal(res.stdout.trim(), 'secret/dockerhub created');
      const type = await runJob(`kubectl get secret dockerhub -o jsonpath='{.type}'`, work, baseEnv);
      assert.equal(type.stdout, 'kubernetes.io/dockerconfigjson');
    });

    it('release v1.0-green: Green not active, Deploy to Green, Smoke Tests', async () => {
      const check = await mustPass('check', { COLOR_TEST: 'green' });
      assert.equal(check.stdout, '', 'no VirtualService yet: the check passes without looking');
      // First release: there is no active color, and the article's Deploy block sets only
      // COLOR_TEST, so route-test.yml's default route gets `subset:` with nothing (YAML null):
      // plain users go to the Service `myapp` without a subset, that is to every pod of it.
      await mustPass('deploy', { COLOR_TEST: 'green', SEMAPHORE_WORKFLOW_ID: 'v1' });
      await expectVersions(cluster.gatewayUrl, { plain: 'v1', test: 'v1' });
      await mustPass('functionalTest', { COLOR_TEST: 'green' });
      const endpoint = await mustPass('endpointTest', { COLOR_TEST: 'green' });
      assert.ok(endpoint.stdout.includes(`Ingress gateway is ${cluster.gatewayUrl}`), endpoint.stdout);
    });

    it('Activate Green, then Decommission Blue (nothing to delete yet)', async () => {
      await mustPass('switchTraffic', { COLOR_ACTIVE: 'green' });
      await expectVersions(cluster.gatewayUrl, { plain: 'v1', test: 'v1' });
      const decommission = await mustPass('decommission', { COLOR_DECOMISSION: 'blue' });
      assert.equal(decommission.stdout, '');
      await expectVersions(cluster.gatewayUrl, { plain: 'v1', test: 'v1' });
    });

    it('Green not active refuses a deploy into the live color', async () => {
      const check = await job('check', { COLOR_TEST: 'green' });
      assert.notEqual(check.code, 0);
      assert.match(check.stdout, /Default route goes to green/);
    });

    it('release v2.0-blue: Blue not active, Deploy to Blue, Smoke Tests', async () => {
      const check = await mustPass('check', { COLOR_TEST: 'blue' });
      assert.match(check.stdout, /Default route goes to green/);
      // The article's Deploy block sets only COLOR_TEST (seed-demo.md §5.1); left unset, the
      // default route's subset would be empty and plain users would be spread over v1 and v2.
      // COLOR_ACTIVE=green is what the flow needs so that plain users stay on the live color.
      await mustPass('deploy', { COLOR_TEST: 'blue', COLOR_ACTIVE: 'green', SEMAPHORE_WORKFLOW_ID: 'v2' });
      await expectVersions(cluster.gatewayUrl, { plain: 'v1', test: 'v2' });
      await mustPass('functionalTest', { COLOR_TEST: 'blue' });
      await mustPass('endpointTest', { COLOR_TEST: 'blue' });
      await expectVersions(cluster.gatewayUrl, { plain: 'v1', test: 'v2' });
    });

    it('Activate Blue', async () => {
      await mustPass('switchTraffic', { COLOR_ACTIVE: 'blue' });
      await expectVersions(cluster.gatewayUrl, { plain: 'v2', test: 'v2' });
    });

    it('Rollback to Green', async () => {
      await mustPass('switchTraffic', { COLOR_ACTIVE: 'green' });
      await expectVersions(cluster.gatewayUrl, { plain: 'v1', test: 'v1' });
    });

    it('Decommission Blue', async () => {
      const res = await mustPass('decommission', { COLOR_DECOMISSION: 'blue' });
      assert.match(res.stdout, /deployment\.apps "myapp-blue" deleted/);
      await expectVersions(cluster.gatewayUrl, { plain: 'v1', test: 'v1' });
      const deployments = await runJob('kubectl get deployments -o name', work, baseEnv);
      assert.equal(deployments.stdout.trim(), 'deployment.apps/myapp-green');
      // Deleting the Deployment removes its ReplicaSet and pods (garbage collection).
      await waitFor('the blue pods to go', async () => {
        const pods = await runJob('kubectl get pods -l app=myapp,color=blue -o name', work, baseEnv);
        return pods.code === 0 && pods.stdout.trim() === '';
      });
    });
  });
}
