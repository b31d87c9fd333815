// `cutover local status`: is a local cluster running from this state dir, and where.
import { OUTPUT_FLAG, STATE_DIR_FLAG } from '../global-flags.js';
import { join, resolve } from 'node:path';
import type { Command } from '../command.js';
import { DEFAULT_STATE_DIR } from '../../local/state-dir.js';
import { STATE_FILES } from '../../local/cluster.js';
import { readRunningCluster } from './state.js';

const command: Command = {
  path: ['local', 'status'],
  usage: '[--state-dir DIR] [-o json]',
  flags: {
    'state-dir': STATE_DIR_FLAG,
    output: OUTPUT_FLAG,
  },
  exitCodes: [1, 2],
  async run(args, io) {
    const stateDir = resolve(String(args.values['state-dir'] ?? DEFAULT_STATE_DIR));
    const info = await readRunningCluster(stateDir);
    const kubeconfig = join(stateDir, STATE_FILES.kubeconfig);
    if (args.values.output === 'json') {
      io.stdout.write(
        JSON.stringify({ running: Boolean(info), stateDir, kubeconfig, ...info }, null, 2) + '\n',
      );
    } else if (info) {
      io.stdout.write(
        `running (pid ${info.pid})\n  API server: ${info.apiUrl}\n  gateway:    ${info.gatewayUrl}\n` +
          (info.database ? `  PostgreSQL: ${info.database.host}:${info.database.port}\n` : '') +
          (info.prometheusUrl ? `  Prometheus: ${info.prometheusUrl}\n` : '') +
          `  export KUBECONFIG=${kubeconfig}\n`,
      );
    } else {
      io.stdout.write(`not running (state dir ${stateDir})\n`);
    }
    return info ? 0 : 1;
  },
};
export default command;
