import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../kube/types.js';
import { diagnosePods, remedyFor } from './pod-diagnosis.js';

function pod(name: string, containerStatuses: unknown[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, uid: `uid-${name}` },
    status: { containerStatuses },
  };
}
const event = (podName: string, reason: string, message: string, count = 1) => ({
  reason,
  message,
  count,
  involvedObject: { uid: `uid-${podName}`, name: podName, fieldPath: 'spec.containers{app}' },
});

test('an image pull is certain once it failed `limit` times; an invalid name at once', () => {
  const p = pod('a', [
    { name: 'app', image: 'x:1', state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off' } } },
  ]);
  const once = [event('a', 'Failed', 'Failed to pull image "x:1": not found')];
  assert.equal(diagnosePods([p], once, 3)[0].certain, false);
  const thrice = [event('a', 'Failed', 'Failed to pull image "x:1": not found', 3)];
  const [problem] = diagnosePods([p], thrice, 3);
  assert.deepEqual([problem.kind, problem.failures, problem.certain], ['image', 3, true]);
  assert.match(problem.message, /not found/);
  assert.match(remedyFor(problem, 'green'), /pull Secret \(imagePullSecrets in cutover\.yaml\)/);
  const invalid = pod('b', [{ name: 'app', state: { waiting: { reason: 'InvalidImageName' } } }]);
  assert.equal(diagnosePods([invalid], [], 3)[0].certain, true);
  assert.equal(diagnosePods([p], thrice, 0)[0].certain, false, 'limit 0 never fails early');
});

test('a crash counts the restarts and the run that just failed', () => {
  const crashing = pod('c', [
    {
      name: 'app',
      restartCount: 2,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { exitCode: 3, reason: 'Error' } },
    },
  ]);
  const [problem] = diagnosePods([crashing], [], 3);
  assert.deepEqual([problem.kind, problem.failures, problem.certain], ['crash', 3, true]);
  assert.equal(problem.message, 'exited with code 3 (Error)');
  const healthy = pod('d', [{ name: 'app', ready: true, restartCount: 1, state: { running: {} } }]);
  assert.deepEqual(diagnosePods([healthy], [], 3), []);
});

test('a missing key names the Secret and the key; a failing probe is never certain', () => {
  const message = "couldn't find key password in Secret default/db";
  const missing = pod('e', [
    { name: 'app', state: { waiting: { reason: 'CreateContainerConfigError', message } } },
  ]);
  const [problem] = diagnosePods([missing], [event('e', 'Failed', `Error: ${message}`, 4)], 3);
  assert.equal(problem.certain, true);
  assert.match(
    remedyFor(problem, 'blue'),
    /add the key password to Secret default\/db .*cutover secrets sync --color blue/,
  );
  const unready = pod('f', [{ name: 'app', ready: false, state: { running: {} } }]);
  const probe = diagnosePods([unready], [event('f', 'Unhealthy', 'Readiness probe failed: 503', 50)], 3)[0];
  assert.deepEqual([probe.kind, probe.certain], ['probe', false]);
});
