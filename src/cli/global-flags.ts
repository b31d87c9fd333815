// Flags every cluster command takes, kubectl's names where kubectl has them.
import type { FlagDef, FlagSpec, ParsedArgs } from './command.js';
import { InputError } from '../errors.js';

/** -o: every command that prints a result takes it. */
export const OUTPUT_FLAG: FlagDef = {
  type: 'string',
  short: 'o',
  value: 'text|json',
  description: 'json prints one JSON document on stdout',
  defaultText: 'text',
};

/** --release of the commands that act on a release already deployed. */
export const RELEASE_FLAG: FlagDef = {
  type: 'string',
  value: 'ID',
  description: 'the release you mean; refused (exit 3) when the color runs another',
  defaultText: 'the CI run id',
};

/** --state-dir of the `local` commands. */
export const STATE_DIR_FLAG: FlagDef = {
  type: 'string',
  value: 'DIR',
  description: 'where the local cluster keeps its state',
  defaultText: '.cutover/local',
};

export const GLOBAL_FLAGS: FlagSpec = {
  config: {
    type: 'string',
    short: 'f',
    value: 'FILE',
    description: 'the cutover.yaml to read',
    defaultText: './cutover.yaml',
  },
  kubeconfig: {
    type: 'string',
    value: 'FILE',
    description: 'kubeconfig file; otherwise KUBECONFIG, ~/.kube/config, then in-cluster, as kubectl',
  },
  context: { type: 'string', value: 'NAME', description: 'the kubeconfig context to use' },
  namespace: {
    type: 'string',
    short: 'n',
    value: 'NS',
    description: "namespace; overrides cutover.yaml's namespace and the context's",
  },
  output: OUTPUT_FLAG,
  'no-color': {
    type: 'boolean',
    description: 'no colors on a terminal (also NO_COLOR=1; CI and pipes never get colors)',
  },
};

/** Mutating commands: plan only, and the lock behaviour. */
export const MUTATING_FLAGS: FlagSpec = {
  ...GLOBAL_FLAGS,
  'dry-run': {
    type: 'boolean',
    description: 'read the cluster and print the plan; write nothing, take no lock',
  },
  'no-wait': {
    type: 'boolean',
    description: 'fail at once (exit 4) when another run holds the release lock',
  },
  'lock-timeout': {
    type: 'string',
    value: 'SECONDS',
    description: 'how long to wait in line for the release lock before exit 4',
    defaultText: 'lockTimeoutSeconds of cutover.yaml, 600',
  },
};

export interface GlobalOptions {
  context?: string;
  namespace?: string;
  kubeconfig?: string;
  configFile: string;
  output: 'text' | 'json';
  dryRun: boolean;
  noWait: boolean;
  noColor: boolean;
  /** --lock-timeout: overrides lockTimeoutSeconds of cutover.yaml. */
  lockTimeoutSeconds?: number;
}

export function str(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function globalOptions(args: ParsedArgs): GlobalOptions {
  const output = str(args, 'output') ?? 'text';
  if (output !== 'text' && output !== 'json') {
    throw new InputError(`--output ${output} is not supported`, {
      field: '--output',
      remedy: 'use -o json or -o text',
    });
  }
  return {
    context: str(args, 'context'),
    namespace: str(args, 'namespace'),
    kubeconfig: str(args, 'kubeconfig'),
    configFile: str(args, 'config') ?? 'cutover.yaml',
    output,
    dryRun: args.values['dry-run'] === true,
    noWait: args.values['no-wait'] === true,
    noColor: args.values['no-color'] === true,
    lockTimeoutSeconds: lockTimeout(str(args, 'lock-timeout')),
  };
}

function lockTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > 86_400) {
    throw new InputError(`--lock-timeout ${value}: not a number of seconds`, {
      field: '--lock-timeout',
      remedy: 'give whole seconds from 0 to 86400, e.g. --lock-timeout 120 (0 is --no-wait)',
    });
  }
  return Number(value);
}
