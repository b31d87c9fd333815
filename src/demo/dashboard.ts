// The demo's dashboard: the same `cutover dashboard` server, started in the demo's process over
// the demo cluster, so a newcomer can watch the release happen in a browser while it runs.
import type { Writable } from 'node:stream';
import { loadConfig } from '../config/load.js';
import { connect } from '../kube/index.js';
import { defaultDeps, httpGet } from '../engine/default-deps.js';
import { startDashboard } from '../dashboard/index.js';

export interface DemoDashboard {
  url: string;
  token: string | null;
  close(): Promise<void>;
}

export async function startDemoDashboard(options: {
  kubeconfig: string;
  configFile: string;
  log: Writable;
}): Promise<DemoDashboard> {
  const env = { ...process.env, KUBECONFIG: options.kubeconfig };
  const config = loadConfig(options.configFile, { env });
  const kube = connect({ kubeconfig: options.kubeconfig, env });
  const quiet = { step() {}, info() {}, warn() {} };
  const dashboard = await startDashboard({
    apps: [{ config, configFile: options.configFile }],
    kube,
    deps: () => defaultDeps(quiet, env),
    http: httpGet,
    address: '127.0.0.1',
    port: 0,
    onWarning: () => undefined,
  });
  return {
    url: dashboard.url,
    token: dashboard.token,
    async close() {
      await dashboard.close();
      kube.close();
    },
  };
}
