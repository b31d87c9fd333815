// `cutover ci semaphore|github|gitlab [--out DIR] [-f cutover.yaml] [--force] [--check]`:
// writes ready-to-commit pipeline files for the app in cutover.yaml.
import { resolve } from 'node:path';
import type { Command } from '../command.js';
import { ciCommand, ciInputFromConfig } from '../../ci/input.js';
import { loadCiConfig } from '../../ci/load.js';
import { CI_SYSTEMS, checkCiSystem, planCi, setupHint } from '../../ci/plan.js';
import { checkCiFiles, writeCiFiles, type CheckedFile, type WrittenFile } from '../../ci/write.js';
import { parseInstall } from '../../ci/install.js';
import { str } from '../global-flags.js';
import { InputError, OperationFailedError } from '../../errors.js';
import { packageVersion } from '../../package-root.js';

function report(files: WrittenFile[], json: boolean): string {
  if (json) return JSON.stringify({ files }, null, 2);
  return files.map((f) => `${f.outcome.padEnd(9)} ${f.path}`).join('\n');
}

function checkReport(files: CheckedFile[], json: boolean): string {
  if (json) return JSON.stringify({ files }, null, 2);
  return files
    .map((f) => [`${f.state.padEnd(10)} ${f.path}`, ...(f.diff ? [f.diff] : [])].join('\n'))
    .join('\n');
}

function settingsKeys(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const keys = String(value)
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  const bad = keys.filter((k) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k));
  if (bad.length || keys.length === 0) {
    throw new InputError(`--settings ${String(value)}: ${bad.length ? bad.join(', ') : 'no names'}`, {
      remedy:
        'give the setting names, comma-separated, as the pods read them: --settings DB_PASSWORD,DB_USER',
    });
  }
  return [...new Set(keys)].sort();
}

const command: Command = {
  path: ['ci'],
  usage: `${CI_SYSTEMS.join('|')} [--out DIR] [-f cutover.yaml] [--install-from npm|preinstalled|PATH|URL [--install-sha256 HEX]] [--settings KEY,… | --no-settings-sync] [--prefix P] [--build] [--force] [--check]`,
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
    settings: {
      type: 'string',
      value: 'KEY,…',
      description:
        'names of the per-color settings (GitHub passes a step only the secrets it names: <PREFIX>BLUE_KEY, <PREFIX>GREEN_KEY)',
    },
    'install-from': {
      type: 'string',
      value: 'npm|preinstalled|PATH|URL',
      description:
        'how jobs get cutover: the published package, the runner image, or a vendored tarball (checked by sha256)',
      defaultText: 'npm (exactly this version)',
    },
    'install-sha256': {
      type: 'string',
      value: 'HEX',
      description: 'sha256 of the tarball --install-from names (required for a URL; computed for a path)',
    },
    build: {
      type: 'boolean',
      default: false,
      description: 'add a job that builds and pushes <image>:<tag> from the Dockerfile; deploy waits for it',
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
      install: parseInstall({ from: str(args, 'install-from'), sha256: str(args, 'install-sha256') }, root),
      settingsKeys: settingsKeys(args.values.settings),
      build: Boolean(args.values.build),
    });
    const files = planCi(system, input);
    const json = args.values.output === 'json';
    if (args.values.check) {
      const result = await checkCiFiles(root, files);
      io.stdout.write(checkReport(result, json) + '\n');
      const stale = result.filter((f) => f.state !== 'up to date').map((f) => f.path);
      if (stale.length) {
        throw new OperationFailedError(`${stale.join(', ')} not up to date with ${args.values.config}`, {
          remedy: `run \`${ciCommand(system, input)}\` and commit the result`,
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
