// Runs `cutover demo` as a user would (the built CLI, as a process) and checks its exit code and
// its report: a whole cycle with zero failed plain requests and no plain request on the color
// under test before promotion, and the versions users saw in each phase.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DemoReport } from '../src/demo/run.js';

test('cutover demo runs a whole blue-green cycle with no failed or leaked plain request', () => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-test-'));
  try {
    const reportFile = join(dir, 'report.json');
    const res = spawnSync(
      process.execPath,
      ['bin/cutover.js', 'demo', '--drain-seconds', '2', '--users', '4', '--report', reportFile],
      { encoding: 'utf8', timeout: 240_000, env: { ...process.env, CI: 'true' } },
    );
    assert.equal(res.status, 0, `demo failed:\n${res.stdout}\n${res.stderr.slice(-3000)}`);
    assert.match(res.stdout, /^PASS: \d+ requests .* 0 plain requests failed; 0 plain requests reached/m);
    // The dashboard is served over the demo cluster, its URL (with the access token) printed first.
    assert.match(res.stderr, /^watch it live: http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/m);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as DemoReport;
    assert.equal(report.ok, true);
    assert.equal(report.totals.plainFailures, 0);
    assert.equal(report.totals.plainLeaks, 0);
    assert.ok(report.totals.plainRequests > 500, `too little traffic: ${report.totals.plainRequests}`);
    const phase = (name: string) => report.phases.find((p) => p.phase.startsWith(name))!;
    // Before promotion plain users get v1 only, while testers already reach v2.
    assert.deepEqual(Object.keys(phase('smoke-test v2').plainVersions), ['v1']);
    assert.deepEqual(Object.keys(phase('smoke-test v2').testVersions), ['v2']);
    // After the final promotion and the decommission, everyone is on v2.
    assert.deepEqual(Object.keys(phase('steady on v2').plainVersions), ['v2']);
    assert.deepEqual(
      report.steps.map((s) => s.exitCode),
      report.steps.map(() => 0),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
