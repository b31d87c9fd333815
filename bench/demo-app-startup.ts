// Time from spawning the demo app to its first `GET /ready` 200, the figure that bounds how fast
// a pod of it becomes Ready in the local cluster; also the embedded database's start time.
//   node --import tsx bench/demo-app-startup.ts [runs]
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startDatabase } from '../src/local/database/index.js';

const APP_DIR = fileURLToPath(new URL('../examples/demo-app/', import.meta.url));
const RUNS = Number(process.argv[2] ?? 5);

async function freePort(): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  return port;
}

async function timeToReady(command: string[], env: NodeJS.ProcessEnv, port: number): Promise<number> {
  const started = performance.now();
  const child = spawn(command[0]!, command.slice(1), { cwd: APP_DIR, env, stdio: 'ignore', detached: true });
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return performance.now() - started;
      if (performance.now() - started > 30_000) throw new Error('app not ready after 30 s');
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    process.kill(-child.pid!, 'SIGKILL');
    await once(child, 'exit');
  }
}

function summary(label: string, ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  return `${label}: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, min ${sorted[0]!.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms (${ms.length} runs)`;
}

const dbStarts: number[] = [];
let db!: Awaited<ReturnType<typeof startDatabase>>;
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  db = await startDatabase({ host: '127.0.0.1', port: 0 });
  dbStarts.push(performance.now() - t);
  if (i < 2) await db.close();
}
const env = {
  ...process.env,
  DB_HOST: db.host,
  DB_PORT: String(db.port),
  HOST: '127.0.0.1',
  APP_VERSION: 'v1',
};
const viaNpm: number[] = [];
const viaNode: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const port = await freePort();
  viaNpm.push(await timeToReady(['npm', 'start'], { ...env, PORT: String(port) }, port));
  viaNode.push(
    await timeToReady(
      [process.execPath, '--import', 'tsx', 'src/app.ts'],
      { ...env, PORT: String(port) },
      port,
    ),
  );
}
await db.close();
console.log(summary('embedded database start (in memory, cached template)', dbStarts));
console.log(summary('demo app: spawn `npm start` to first /ready 200', viaNpm));
console.log(summary('demo app: spawn `node --import tsx src/app.ts` to first /ready 200', viaNode));
