// `cutover ci semaphore|github|gitlab [--out DIR] [-f cutover.yaml] [--force] [--check]`:
// writes ready-to-commit pipeline files for the app in cutover.yaml.
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { ciInputFromConfig } from '../../ci/input.js';
import { loadCiConfig } from '../../ci/load.js';
import { CI_SYSTEMS, checkCiSystem, planCi, setupHint } from '../../ci/plan.js';
import { compareCiFiles, writeCiFiles, type WrittenFile } from '../../ci/write.js';
import { InputError, OperationFailedError } from '../../errors.js';
import { packageVersion } from '../../package-root.js';

function report(files: WrittenFile[], json: boolean): string {
  if (json) return JSON.stringify({ files }, null, 2);
  return files.map((f) => `${f.outcome.padEnd(9)} ${f.path}`).join('\n');
}

const command: Command = {
  path: ['ci'],
  usage: `${CI_SYSTEMS.join('|')} [--out DIR] [-f cutover.yaml] [--prefix CUTOVER_ENV_ | --no-settings-sync] [--force] [--check]`,
  flags: {
    out: { type: 'string', value: 'DIR', description: 'the repository root to write into', defaultText: '.' },
    config: {
      type: 'string',
      short: 'f',
      default: 'cutover.yaml',
      value: 'FILE',
      description: 'the cutover.yaml to read',
    },
    prefix: {
      type: 'string',
      value: 'PREFIX',
      description: "CI variables with this prefix become the color's Secret (cutover secrets sync)",
      defaultText: 'secrets.prefix of cutover.yaml, CUTOVER_ENV_',
    },
    'no-settings-sync': {
      type: 'boolean',
      default: false,
      description: 'leave the `cutover secrets sync` step out',
    },
    force: {
      type: 'boolean',
      default: false,
      description: 'overwrite files that differ from what cutover would write',
    },
    check: {
      type: 'boolean',
      default: false,
      description: 'write nothing; exit 1 when a file is missing or differs',
    },
    output: {
      type: 'string',
      short: 'o',
      value: 'text|json',
      description: 'json prints the files and their outcome',
      defaultText: 'text',
    },
  },
  args: [{ name: 'SYSTEM', description: 'semaphore, github or gitlab' }],
  examples: [
    { command: 'ci github', description: 'write .github/workflows/ for the app in ./cutover.yaml' },
    { command: 'ci semaphore --check', description: 'fail a build when the committed pipeline is stale' },
  ],
  exitCodes: [1, 2],
  async run(args, io) {
    if (args.positionals.length > 1) {
      throw new InputError(`cutover ci takes one CI system, got: ${args.positionals.join(' ')}`, {
        remedy: `run \`cutover ci ${CI_SYSTEMS.join('|')}\``,
      });
    }
    const system = checkCiSystem(args.positionals[0]);
    const root = resolve(String(args.values.out ?? '.'));
    const config = loadCiConfig(String(args.values.config), io.env);
    const input = ciInputFromConfig(config, {
      root,
      settingsPrefix: args.values.prefix as string | undefined,
      cutoverVersion: packageVersion(),
      syncSettings: !args.values['no-settings-sync'],
    });
    const files = planCi(system, input);
    const json = args.values.output === 'json';
    if (args.values.check) {
      const result = await compareCiFiles(root, files);
      io.stdout.write(report(result, json) + '\n');
      const stale = result.filter((f) => f.outcome !== 'unchanged').map((f) => f.path);
      if (stale.length) {
        throw new OperationFailedError(`${stale.join(', ')} not up to date with ${args.values.config}`, {
          remedy: `run \`cutover ci ${system}\` and commit the result`,
        });
      }
      return 0;
    }
    const written = await writeCiFiles(root, files, { force: Boolean(args.values.force) });
    io.stdout.write(report(written, json) + '\n');
    if (!json) io.stdout.write(setupHint(system, input) + '\n');
    return 0;
  },
};

export default command;
