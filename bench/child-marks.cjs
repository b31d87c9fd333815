// Preloaded into a measured `cutover` process by bench/rollback-breakdown.ts (BENCH_MARKS=1,
// through NODE_OPTIONS=--require): stamps, on the process's own clock, when Node's process began
// (performance.timeOrigin), when Node had started and ran the first line of JavaScript outside
// itself (this file), when cutover created its first HTTP request, and when it exited; written
// as one JSON line to BENCH_MARKS_FILE at exit. HTTP requests are seen through Node's
// diagnostics channel, so this file loads nothing that cutover would load later itself.
'use strict';
const { performance } = require('node:perf_hooks');
const { subscribe, unsubscribe } = require('node:diagnostics_channel');
const { appendFileSync } = require('node:fs');

const marks = { origin: performance.timeOrigin, preload: performance.now() };
const onRequest = () => {
  marks.firstRequest = performance.now();
  unsubscribe('http.client.request.start', onRequest);
};
subscribe('http.client.request.start', onRequest);
process.on('exit', () => {
  marks.exit = performance.now();
  appendFileSync(process.env.BENCH_MARKS_FILE, `${JSON.stringify(marks)}\n`);
});
