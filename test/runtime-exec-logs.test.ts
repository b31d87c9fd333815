// pods/exec and pods/log through the API server, driven by @kubernetes/client-node and the real
// kubectl: exit codes, stdin, `exec -it` without a terminal, logs with their options, follow,
// --previous, and `kubectl rollout status` against the controllers.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { PassThrough, Readable, Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { DEPLOYMENTS, PODS } from '../src/local/controllers/kinds.js';
import {
  deploymentObject,
  kubectlPath,
  PROBE_APP_DIR,
  podObject,
  startNode,
  waitFor,
  type TestNode,
} from './runtime-harness.js';

let node: TestNode;
let kc: k8s.KubeConfig;
const KUBECTL = kubectlPath();

before(async () => {
  node = await startNode({ api: true, backoffBaseMs: 300 });
  kc = new k8s.KubeConfig();
  kc.loadFromFile(node.kubeconfigPath!);
  node.store.create(PODS, podObject('shell'));
  await waitFor('shell ready', () => ready('shell'));
});
after(() => node.close());

function ready(name: string): boolean {
  const s = node.store.get(PODS, 'default', name)?.status as
    { conditions?: Array<{ type: string; status: string }> } | undefined;
  return s?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

function podIp(name: string): string {
  return (node.store.get(PODS, 'default', name)!.status as { podIP: string }).podIP;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function kubectlStream(args: string[], input?: string): { output: () => string; done: Promise<Run> } {
  const child = spawn(KUBECTL, args, {
    env: { ...process.env, KUBECONFIG: node.kubeconfigPath! },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.end(input ?? '');
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return { output: () => stdout, done };
}

function kubectl(args: string[], input?: string): Promise<Run> {
  return kubectlStream(args, input).done;
}

function collector(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

async function clientExec(
  command: string[],
  stdin?: string,
): Promise<{ stdout: string; stderr: string; status: k8s.V1Status }> {
  const out = collector();
  const err = collector();
  const input = stdin === undefined ? null : Readable.from([Buffer.from(stdin)]);
  const status = await new Promise<k8s.V1Status>((resolve, reject) => {
    new k8s.Exec(kc)
      .exec('default', 'shell', 'app', command, out.stream, err.stream, input, false, resolve)
      .catch(reject);
  });
  // The status frame arrives after all output; give the streams' pending writes a turn.
  await new Promise((r) => setImmediate(r));
  return { stdout: out.text(), stderr: err.text(), status };
}

test('client-node exec: output, exit status, stdin, the container env and directory', async () => {
  const ok = await clientExec(['sh', '-c', 'echo "$HOSTNAME $POD_IP $(pwd)"; echo to-stderr >&2']);
  assert.equal(ok.stdout, `shell ${podIp('shell')} ${PROBE_APP_DIR}\n`);
  assert.equal(ok.stderr, 'to-stderr\n');
  assert.equal(ok.status.status, 'Success');
  const failed = await clientExec(['sh', '-c', 'exit 7']);
  assert.equal(failed.status.status, 'Failure');
  assert.equal(failed.status.reason, 'NonZeroExitCode');
  assert.deepEqual(failed.status.details?.causes, [{ reason: 'ExitCode', message: '7' }]);
  const echoed = await clientExec(['cat'], 'from stdin\n');
  assert.equal(echoed.stdout, 'from stdin\n');
});

test('kubectl exec passes exit codes through, reads stdin, and -it works without a terminal', async () => {
  const ok = await kubectl(['exec', 'shell', '--', 'sh', '-c', 'echo hi']);
  assert.deepEqual([ok.code, ok.stdout], [0, 'hi\n']);
  const failed = await kubectl(['exec', 'shell', '--', 'sh', '-c', 'exit 3']);
  assert.equal(failed.code, 3);
  assert.match(failed.stderr, /command terminated with exit code 3/);
  const piped = await kubectl(['exec', '-i', 'shell', '--', 'sh', '-c', 'tr a-z A-Z'], 'shout\n');
  assert.deepEqual([piped.code, piped.stdout], [0, 'SHOUT\n']);
  // As in CI: stdin is not a terminal, kubectl warns and goes on without a TTY.
  const it = await kubectl(
    ['exec', '-it', 'shell', '--', 'sh', '-c', 'read x; echo "got $x"; exit 4'],
    'line\n',
  );
  assert.equal(it.code, 4, it.stderr);
  assert.equal(it.stdout, 'got line\n');
  const missing = await kubectl(['exec', 'shell', '-c', 'nope', '--', 'true']);
  assert.notEqual(missing.code, 0);
});

test('kubectl logs: lines, --tail, --timestamps, and --previous after a restart that ends -f', async () => {
  node.store.create(PODS, podObject('talker'));
  await waitFor('talker ready', () => ready('talker'));
  const all = await kubectl(['logs', 'talker']);
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stdout, new RegExp(`listening on ${podIp('talker').replace(/\./g, '\\.')}:8080\\n$`));
  const stamped = await kubectl(['logs', 'talker', '--timestamps', '--tail=1']);
  assert.match(stamped.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \S+ listening on /);
  const following = kubectlStream(['logs', '-f', 'talker']);
  await waitFor('kubectl logs -f attached', () => following.output().includes('listening on'));
  await fetch(`http://${podIp('talker')}:8080/exit?code=9`);
  const followed = await following.done;
  assert.equal(followed.code, 0, followed.stderr);
  assert.match(followed.stdout, /exiting with 9\n$/, 'follow ends when the container exits');
  await waitFor('talker restarted', () => ready('talker'));
  const previous = await kubectl(['logs', 'talker', '--previous']);
  assert.match(previous.stdout, /exiting with 9\n$/);
  const none = await kubectl(['logs', 'shell', '--previous']);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /previous terminated container "app" in pod "shell" not found/);
});

test('kubectl logs --limit-bytes, --since and --since-time', async () => {
  const limited = await kubectl(['logs', 'shell', '--limit-bytes=7']);
  assert.equal(limited.stdout.length, 7);
  const recent = await kubectl(['logs', 'shell', '--since=1h']);
  assert.match(recent.stdout, /listening on/);
  const future = new Date(Date.now() + 3_600_000).toISOString();
  const none = await kubectl(['logs', 'shell', `--since-time=${future}`]);
  assert.deepEqual([none.code, none.stdout], [0, '']);
});

test('client-node Log streams with follow until the client aborts', async () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  const abort = await new k8s.Log(kc).log('default', 'shell', 'app', out, { follow: true, tailLines: 1 });
  await waitFor('first line', () => text.includes('listening on'));
  await fetch(`http://${podIp('shell')}:8080/exit?code=0`).catch(() => undefined);
  await waitFor('line written while following', () => text.includes('exiting with 0'));
  abort.abort();
  await waitFor('shell ready again', () => ready('shell'));
});

test('kubectl rollout status follows a rollout to success, and reports an exceeded deadline', async () => {
  node.store.create(DEPLOYMENTS, deploymentObject('rollme', { replicas: 2 }));
  const ok = await kubectl(['rollout', 'status', 'deployment/rollme', '--timeout=60s']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /deployment "rollme" successfully rolled out/);
  node.store.create(
    DEPLOYMENTS,
    deploymentObject('hopeless', {
      replicas: 1,
      progressDeadlineSeconds: 2,
      containerOptions: { image: 'missing:0' },
    }),
  );
  const failed = await kubectl(['rollout', 'status', 'deployment/hopeless', '--timeout=60s']);
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /deployment "hopeless" exceeded its progress deadline/);
});
