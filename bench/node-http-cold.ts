// What Node's HTTP client costs a fresh process, before any of cutover's code: a child Node makes
// rounds of GETs to a small loopback server (this process) and reports the CPU time (user + sys)
// of each round. The first round pays for the client's first use; later rounds show the cost of
// a request, on new connections or on kept-alive ones. Prints medians over BENCH_RUNS children.
//
//   node --import tsx bench/node-http-cold.ts          (BENCH_RUNS=9)
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
/** Each round: how many GETs at once. The agent keeps connections alive and opens up to 16. */
const ROUNDS = [1, 1, 6, 6, 12];

// A Deployment-sized JSON answer, as the API server's.
const body = JSON.stringify({
  kind: 'Deployment',
  metadata: { name: 'x', annotations: { a: 'b'.repeat(500) } },
  spec: { replicas: 2 },
  status: {},
});

const CHILD = `
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const get = (path) => new Promise((resolve, reject) => {
  const req = http.request({ host: '127.0.0.1', port: Number(process.argv[1]), path, agent }, (res) => {
    const chunks = [];
    res.on('data', (d) => chunks.push(d));
    res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
  });
  req.on('error', reject);
  req.end();
});
(async () => {
  const out = [];
  for (const n of ${JSON.stringify(ROUNDS)}) {
    const before = process.cpuUsage();
    await Promise.all(Array.from({ length: n }, (_, i) => get('/x' + i)));
    const used = process.cpuUsage(before);
    out.push((used.user + used.system) / 1000);
  }
  agent.destroy();
  process.stdout.write(JSON.stringify(out));
})();
`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const server = createServer((_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(body);
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as AddressInfo).port;
try {
  const runs: number[][] = [];
  for (let i = 0; i < RUNS; i++) {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['-e', CHILD, String(port)], { env: {} }, (err, out) =>
        err ? reject(err) : resolve(out),
      ),
    );
    runs.push(JSON.parse(stdout) as number[]);
  }
  console.log(`Node ${process.version}, a fresh process per run; CPU ms per round, medians of ${RUNS}:`);
  let open = 0;
  ROUNDS.forEach((n, r) => {
    const fresh = Math.max(0, n - open);
    open = Math.max(open, n);
    const where =
      fresh === 0
        ? 'on kept-alive connections'
        : fresh === 1 && n === 1
          ? 'on a new connection'
          : `${fresh} on new connections`;
    const what = `${n} GET${n > 1 ? 's at once' : ''}, ${where}`;
    console.log(`  round ${r + 1}: ${median(runs.map((x) => x[r]!)).toFixed(1)} ms  (${what})`);
  });
} finally {
  server.close();
}
