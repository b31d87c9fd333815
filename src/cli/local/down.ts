// `cutover local down`: stop the cluster that `local up` runs from this state dir. Objects stay
// in the state dir, so the next `local up` finds them again.
import { STATE_DIR_FLAG } from '../global-flags.js';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from '../command.js';
import { OperationFailedError } from '../../errors.js';
import { DEFAULT_STATE_DIR } from '../../local/state-dir.js';
import { STATE_FILES } from '../../local/cluster.js';
import { isAlive, readPid } from './state.js';

const command: Command = {
  path: ['local', 'down'],
  usage: '[--state-dir DIR]',
  flags: {
    'state-dir': STATE_DIR_FLAG,
  },
  exitCodes: [1, 2],
  async run(args, io) {
    const stateDir = resolve(String(args.values['state-dir'] ?? DEFAULT_STATE_DIR));
    const pid = await readPid(stateDir);
    if (!pid || !isAlive(pid)) {
      await rm(join(stateDir, STATE_FILES.pid), { force: true });
      io.stdout.write(`no local cluster is running from ${stateDir}\n`);
      return 0;
    }
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 30_000;
    while (isAlive(pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(pid)) {
      throw new OperationFailedError(`the local cluster (pid ${pid}) did not stop within 30 s`, {
        remedy: `kill it with \`kill -9 ${pid}\` and read ${join(stateDir, STATE_FILES.log)}`,
      });
    }
    await rm(join(stateDir, STATE_FILES.pid), { force: true });
    io.stdout.write(`local cluster stopped (state kept in ${stateDir})\n`);
    return 0;
  },
};
export default command;
