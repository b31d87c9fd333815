// Flags every cluster command takes, kubectl's names where kubectl has them.
import type { FlagSpec, ParsedArgs } from './command.js';
import { InputError } from '../errors.js';

export const GLOBAL_FLAGS: FlagSpec = {
  context: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  kubeconfig: { type: 'string' },
  config: { type: 'string', short: 'f' },
  output: { type: 'string', short: 'o' },
};

/** Mutating commands: plan only, and the lock behaviour. */
export const MUTATING_FLAGS: FlagSpec = {
  ...GLOBAL_FLAGS,
  'dry-run': { type: 'boolean' },
  'no-wait': { type: 'boolean' },
};

export interface GlobalOptions {
  context?: string;
  namespace?: string;
  kubeconfig?: string;
  configFile: string;
  output: 'text' | 'json';
  dryRun: boolean;
  noWait: boolean;
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
  };
}
