// WebSocket upgrades pass through the gateway (Istio enables websocket upgrades by default).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, it } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import {
  put,
  putEndpoints,
  putService,
  seedGateway,
  startHarness,
  startPod,
  visible,
} from './gateway-fixtures.js';

it('routes a WebSocket upgrade to the matched pod and relays frames both ways', async () => {
  const h = await startHarness(0);
  const pod = await startPod(h.store, 'default', 'ws-1', { app: 'ws' });
  const wss = new WebSocketServer({ server: pod.server });
  wss.on('connection', (ws) => ws.on('message', (m) => ws.send(`echo ${m.toString()}`)));
  after(async () => {
    wss.close();
    pod.server.closeAllConnections();
    await h.close();
    await pod.close();
  });
  putService(h.store, 'default', 'ws', { app: 'ws' });
  putEndpoints(h.store, 'default', 'ws', [pod]);
  put(h.store, 'gateways', 'default', 'gw', seedGateway);
  await visible(
    h,
    put(h.store, 'virtualservices', 'default', 'ws', {
      spec: {
        hosts: ['*'],
        gateways: ['gw'],
        http: [{ match: [{ uri: { prefix: '/ws' } }], route: [{ destination: { host: 'ws' } }] }],
      },
    }),
  );

  const client = new WebSocket(`${h.gateway.url.replace('http', 'ws')}/ws`);
  await once(client, 'open');
  client.send('hi');
  const [msg] = await once(client, 'message');
  assert.equal(msg.toString(), 'echo hi');
  client.close();
  await once(client, 'close');

  const rejected = new WebSocket(`${h.gateway.url.replace('http', 'ws')}/nowhere`);
  const [, res] = await once(rejected, 'unexpected-response');
  assert.equal(res.statusCode, 404);
  const aborted = once(rejected, 'error');
  rejected.terminate();
  assert.match(String((await aborted)[0]), /closed before the connection was established/);
  assert.ok(h.gateway.stats().some((s) => s.labels.response_code === '101'));
});
