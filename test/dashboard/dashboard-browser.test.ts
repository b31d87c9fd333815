// The dashboard in a real browser (Debian's Chromium, headless) against the local cluster, with
// `cutover dashboard` running as its own process: the page lists the apps, shows a CLI promote
// within a second, rolls back from a button while plain users at the gateway move, shows a
// guard's refusal, shows an orphaned routing object with its fix, and nobody without the token
// gets anything. Screenshots of the main views go
// to test-artifacts/dashboard/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { demoConfig, REPO_ROOT, spawnCli, startHarness, waitFor, type Harness } from '../engine-harness.js';
import { deploy } from '../../src/engine/deploy.js';
import { test as smokeTest } from '../../src/engine/test.js';
import { promote } from '../../src/engine/promote.js';
import { isFailure, startTraffic, type Traffic } from '../../src/demo/traffic.js';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'dashboard');
let h: Harness;
let browser: Browser;
let dashboard: ReturnType<typeof spawnCli>;
let url: string;
let origin: string;

async function gatewayVersion(): Promise<string | null> {
  const res = await fetch(`${h.cluster.gatewayUrl}/ready`).catch(() => null);
  if (!res) return null;
  await res.arrayBuffer();
  return res.headers.get('x-app-version');
}

before(async () => {
  h = await startHarness({ propagationDelayMs: 100 });
  await deploy(await h.context(), { image: 'demo/myapp:v1', release: 'r1' });
  await smokeTest(await h.context(), { release: 'r1' });
  await promote(await h.context(), { release: 'r1' });
  await deploy(await h.context(), { image: 'demo/myapp:v2', release: 'r2' });
  await smokeTest(await h.context(), { release: 'r2' });
  // From here on, a promote is judged for 3 s after the switch (the page shows it running).
  await h.writeConfig(
    demoConfig(h, {
      analysis: {
        provider: 'gateway',
        metrics: [{ name: 'success-rate', min: 50 }],
        prePromotion: { durationSeconds: 0 },
        postPromotion: { durationSeconds: 3, intervalSeconds: 1 },
      },
    }),
  );
  dashboard = spawnCli(['dashboard', '-f', h.configPath, '-o', 'json'], { cwd: h.dir, env: h.env });
  let printed = '';
  dashboard.child.stdout!.on('data', (c: Buffer) => (printed += c.toString()));
  url = await waitFor('the dashboard URL', async () => /"url": "([^"]+)"/.exec(printed)?.[1], 60_000);
  origin = new URL(url).origin;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox'],
  });
  await mkdir(ARTIFACTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  dashboard?.child.kill('SIGINT');
  await dashboard?.done;
  await h?.stop();
});

/** fetch() may not set Host; node:http may. */
function rawStatus(target: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(target, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

async function openApp(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(url);
  await page.getByRole('link', { name: 'default/myapp' }).click();
  await page.locator('[data-live]').waitFor();
  return page;
}

test('without the token nothing is served, and bad requests do not break the server', async () => {
  for (const path of ['/', '/api/apps', '/api/events', '/assets/client.js']) {
    const res = await fetch(`${origin}${path}`);
    assert.equal(res.status, 401, path);
    await res.arrayBuffer();
  }
  const wrong = await fetch(`${origin}/api/apps`, { headers: { authorization: 'Bearer nope' } });
  assert.equal(wrong.status, 401);
  const token = new URL(url).searchParams.get('token')!;
  const auth = { authorization: `Bearer ${token}` };
  const rebound = await rawStatus(`${origin}/api/apps`, { ...auth, host: 'evil.example:80' });
  assert.equal(rebound, 421, 'a foreign Host header is refused (DNS rebinding)');
  const cookie = (await fetch(url, { redirect: 'manual' })).headers.get('set-cookie')!.split(';')[0]!;
  const crossSite = await fetch(`${origin}/api/apps/default/myapp/actions`, {
    method: 'POST',
    headers: { cookie, origin: 'http://evil.example', 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'rollback' }),
  });
  assert.equal(crossSite.status, 403, 'a write from another site is refused');
  const badJson = await fetch(`${origin}/api/apps/default/myapp/plan`, {
    method: 'POST',
    headers: auth,
    body: '{',
  });
  assert.equal(badJson.status, 400);
  const badAction = await fetch(`${origin}/api/apps/default/myapp/plan`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ action: 'delete-everything' }),
  });
  assert.equal(badAction.status, 400);
  const apps = await fetch(`${origin}/api/apps`, { headers: auth });
  assert.equal(apps.status, 200, 'still serving after bad requests');
  assert.deepEqual(
    ((await apps.json()) as { apps: Array<{ id: string }> }).apps.map((a) => a.id),
    ['default/myapp'],
  );
});

test('the page lists the apps and shows a CLI promote within a second', async () => {
  // Another app cutover manages in the namespace, with no cutover.yaml given: listed read-only.
  await h.kube.create({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'cart-blue',
      namespace: 'default',
      labels: {
        app: 'cart',
        color: 'blue',
        'cutover.dev/release': 'c7',
        'app.kubernetes.io/managed-by': 'cutover',
      },
    },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'cart', color: 'blue' } },
      template: {
        metadata: { labels: { app: 'cart', color: 'blue' } },
        spec: { containers: [{ name: 'cart', image: 'demo/myapp:v1' }] },
      },
    },
  });
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(url);
  assert.ok(!page.url().includes('token='), 'the token leaves the address bar');
  await page.getByRole('link', { name: 'default/myapp' }).waitFor();
  await page.locator('[data-other="default/cart"]').getByText('c7, 0/0 ready').waitFor();
  await page.screenshot({ path: join(ARTIFACTS, 'apps.png'), fullPage: true });
  await page.getByRole('link', { name: 'default/myapp' }).click();
  await page.waitForSelector('[data-live="blue"]');
  // Users keep coming, so the post-promotion analysis has data to judge.
  const traffic = startTraffic({
    url: h.cluster.gatewayUrl,
    path: '/ready',
    plainLoops: 1,
    testLoops: 0,
    pauseMs: 20,
  });
  try {
    const promote = spawnCli(['promote', '--release', 'r2', '-f', h.configPath], { cwd: h.dir, env: h.env });
    // The switch is written before the analysis starts: the page must show it within a second.
    await waitFor(
      'the switch in the CLI log',
      async () =>
        /switch all traffic to green/.test(promote.stderrSoFar()) && /✔/.test(promote.stderrSoFar())
          ? true
          : undefined,
      60_000,
    );
    const switchedAt = Date.now();
    await page.waitForSelector('[data-live="green"]', { timeout: 5000 });
    const shownAfterMs = Date.now() - switchedAt;
    assert.ok(
      shownAfterMs < 1000,
      `the page showed the promote ${shownAfterMs} ms after the CLI logged the switch`,
    );
    await page.waitForSelector('.color.green [data-analysis="running"] progress');
    await page.screenshot({ path: join(ARTIFACTS, 'app-analysis-running.png'), fullPage: true });
    const run = await promote.done;
    assert.equal(run.code, 0, run.stderr);
    await page.waitForSelector('.color.green [data-analysis="passed"]', { timeout: 5000 });
    await page.screenshot({ path: join(ARTIFACTS, 'app-green-live.png'), fullPage: true });
  } finally {
    await traffic.stop();
  }
  await page.close();
});

test('a rollback from the button moves plain users at the gateway, with the verified time to effect', async () => {
  let traffic: Traffic | undefined;
  try {
    traffic = startTraffic({
      url: h.cluster.gatewayUrl,
      path: '/ready',
      plainLoops: 2,
      testLoops: 0,
      pauseMs: 20,
    });
    assert.equal(
      await waitFor('v2 live at the gateway', async () =>
        (await gatewayVersion()) === 'v2' ? 'v2' : undefined,
      ),
      'v2',
    );
    const page = await openApp();
    // Traffic charts fill from the gateway's own metrics.
    await page.waitForFunction(
      `document.querySelector('.color.green [data-metric="requests/s"]')?.textContent?.includes('rps')`,
      null,
      { timeout: 10_000 },
    );
    await page.getByRole('button', { name: 'Roll back…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('plan: rollback to blue').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'rollback-plan.png'), fullPage: true });
    const clickedAt = Date.now();
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await waitFor(
      'plain users on v1 at the gateway',
      async () => ((await gatewayVersion()) === 'v1' ? true : undefined),
      15_000,
    );
    const atGatewayMs = Date.now() - clickedAt;
    await page.locator('[data-outcome="done"]').waitFor({ timeout: 20_000 });
    const text = await page.locator('[data-outcome="done"]').textContent();
    assert.match(
      text ?? '',
      /rolled back to blue \(release r1\); in effect at the gateway after \d+ ms, verified after \d+ ms/,
    );
    assert.ok(atGatewayMs < 10_000, `plain users moved ${atGatewayMs} ms after the click`);
    await page.waitForSelector('[data-live="blue"]');
    await page.screenshot({ path: join(ARTIFACTS, 'rollback-done.png'), fullPage: true });
    await page.close();
    const failed = traffic.samples.filter((s) => s.kind === 'plain' && isFailure(s));
    assert.equal(failed.length, 0, 'no plain request failed during the rollback');
  } finally {
    await traffic?.stop();
  }
});

test("a guard's refusal shows its reason and fix, and nothing is written", async () => {
  const before = await h.kube.get({
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'VirtualService',
    name: 'myapp',
    namespace: 'default',
  });
  const page = await openApp();
  // Nothing is under test after the rollback: promote has nothing to promote. Driven by the
  // keyboard alone: focus the button, Enter opens the plan, Escape closes it.
  await page.getByRole('button', { name: 'Promote…' }).focus();
  await page.keyboard.press('Enter');
  const refusal = page.getByRole('dialog').locator('[data-outcome="refused"]');
  await refusal.waitFor();
  assert.match((await refusal.textContent()) ?? '', /no color is under test.*fix: /s);
  assert.equal(await page.getByRole('button', { name: 'Confirm' }).isDisabled(), true);
  await page.screenshot({ path: join(ARTIFACTS, 'promote-refused.png'), fullPage: true });
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'hidden' });
  // A phone-width screen still shows everything without sideways scrolling.
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate<number>(
    'document.documentElement.scrollWidth - document.documentElement.clientWidth',
  );
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px on a phone`);
  await page.screenshot({ path: join(ARTIFACTS, 'phone.png'), fullPage: true });
  await page.close();
  const after = await h.kube.get({
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'VirtualService',
    name: 'myapp',
    namespace: 'default',
  });
  assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
});

test('a routing object cutover made that cutover.yaml no longer names is shown with its fix', async () => {
  // What a renamed VirtualService leaves behind: cutover's labels, a catch-all route to the app's
  // Service (both colors), bound to the mesh only (the ingress is not changed by it).
  const orphan = {
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'VirtualService',
    metadata: {
      name: 'myapp-old',
      namespace: 'default',
      labels: { app: 'myapp', 'app.kubernetes.io/managed-by': 'cutover' },
    },
    spec: { hosts: ['myapp'], gateways: ['mesh'], http: [{ route: [{ destination: { host: 'myapp' } }] }] },
  };
  await h.kube.create(orphan);
  const page = await openApp();
  try {
    const stray = page.locator('[data-stray]');
    await stray
      .getByText(/VirtualService default\/myapp-old: orphaned, sends plain traffic to blue and green/)
      .waitFor({ timeout: 60_000 });
    assert.match((await stray.textContent()) ?? '', /Fix: adopt it .*`cutover migrate`/);
    await page.screenshot({ path: join(ARTIFACTS, 'orphaned-route.png'), fullPage: true });
  } finally {
    await page.close();
    await h.kube.delete({ ...orphan, name: 'myapp-old', namespace: 'default' });
  }
});
