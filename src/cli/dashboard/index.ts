// `cutover dashboard`: a local web page over the engine for the apps of one or more cutover.yaml
// files — live colors, traffic and history, and promote / rollback / decommission buttons that
// call the same engine functions, guards and lock as the CLI. Runs until Ctrl-C.
import type { Command } from '../command.js';
import { InputError } from '../../errors.js';
import { connect, loadKubeConfig } from '../../kube/index.js';
import { learnKubeconfig, learnSecrets } from '../../engine/secret-values.js';
import { closeHttpAgents, defaultDeps, httpGet } from '../../engine/default-deps.js';
import { startDashboard } from '../../dashboard/index.js';
import { GLOBAL_FLAGS, globalOptions, str } from '../global-flags.js';
import { loadSessionConfig } from '../engine-session.js';
import { createOutput } from '../output.js';

function port(value: string | undefined): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InputError(`--port ${value} is not a port number`, {
      field: '--port',
      remedy: 'give a number from 1 to 65535, or 0 for any free port',
    });
  }
  return n;
}

const command: Command = {
  path: ['dashboard'],
  usage: '[-f cutover.yaml]… [--address 127.0.0.1] [--port N] [--metrics-url URL] [--no-token]',
  description: [
    'Serves a web page for the apps of one or more cutover.yaml files: which color plain users and',
    "testers reach, each color's release, readiness and pod reasons, live requests/s, error rate and",
    'p99 latency per color from the gateway, the lock and the history. Promote, rollback and',
    'decommission buttons show the plan, ask for confirmation and run the same engine functions,',
    'guards and lock as the CLI. The URL printed carries a random access token; runs until Ctrl-C.',
  ].join('\n'),
  flags: {
    ...GLOBAL_FLAGS,
    config: {
      type: 'string',
      short: 'f',
      multiple: true,
      value: 'FILE',
      description: 'a cutover.yaml whose app to show; repeat for several apps',
      defaultText: './cutover.yaml',
    },
    address: {
      type: 'string',
      value: 'IP',
      description: 'address to listen on; anything but loopback needs the token',
      defaultText: '127.0.0.1',
    },
    port: {
      type: 'string',
      value: 'N',
      description: 'port to listen on; 0 picks a free one',
      defaultText: '0',
    },
    'metrics-url': {
      type: 'string',
      value: 'URL',
      description: 'an Envoy /stats/prometheus to chart traffic from',
      defaultText: "the gateway's, where the engine verifies switches",
    },
    'no-token': { type: 'boolean', description: 'serve without an access token (loopback addresses only)' },
  },
  examples: [
    { command: 'dashboard', description: 'the app of ./cutover.yaml, on a free loopback port' },
    {
      command: 'dashboard -f shop/cutover.yaml -f cart/cutover.yaml --port 8080',
      description: 'two apps on one page',
    },
  ],
  exitCodes: [2, 5],
  async run(args, io) {
    const files = (args.values.config as string[] | undefined) ?? ['cutover.yaml'];
    const options = globalOptions({ ...args, values: { ...args.values, config: undefined } });
    const out = createOutput(io, options.output);
    // Every file is checked before anything is served: a bad one is exit 2, as for any command.
    const apps = files.map((file) => ({
      configFile: file,
      config: loadSessionConfig({ ...options, configFile: file }, io.env),
    }));
    const kube = connect({
      kubeconfig: options.kubeconfig,
      context: options.context,
      namespace: options.namespace ?? apps[0]?.config.namespace,
      env: io.env,
    });
    // The page shows what the CLI would print, through the same redactor: it learns each app's
    // secret values (per-color Secrets, secret-looking env) and the kubeconfig's credentials.
    for (const a of apps) {
      await learnSecrets(io.redactor, a.config, kube, a.config.namespace ?? kube.namespace);
    }
    learnKubeconfig(
      io.redactor,
      loadKubeConfig({ kubeconfig: options.kubeconfig, context: options.context, env: io.env }),
    );
    const dashboard = await startDashboard({
      apps,
      kube,
      deps: (log) => ({ ...defaultDeps(log, io.env, io.signal), redactor: io.redactor }),
      redactor: io.redactor,
      http: httpGet,
      address: str(args, 'address') ?? '127.0.0.1',
      port: port(str(args, 'port')),
      token: args.values['no-token'] === true ? null : undefined,
      metricsUrl: str(args, 'metrics-url'),
      onWarning: (m) => out.log.warn(m),
    });
    // The one secret cutover prints on purpose: the access token, in the URL, to whoever started it.
    if (dashboard.token) io.redactor.allow(dashboard.token);
    try {
      out.result(
        {
          url: dashboard.url,
          apps: apps.map((a) => `${a.config.namespace ?? kube.namespace}/${a.config.app}`),
          metricsUrl: dashboard.metricsUrl,
        },
        (r) =>
          [
            `dashboard: ${r.url}`,
            `apps: ${r.apps.join(', ')}`,
            r.metricsUrl ? `traffic from ${r.metricsUrl}` : 'traffic: no metrics source (pass --metrics-url)',
            'Ctrl-C stops it.',
          ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        if (io.signal.aborted) return resolve();
        io.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      await dashboard.close();
      kube.close();
      closeHttpAgents();
    }
    return 0;
  },
};
export default command;
