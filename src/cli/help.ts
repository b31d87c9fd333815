// Every text that describes the commands, derived from one source: the registry (paths and
// summaries) and each command's object (usage, flags, arguments, examples, exit codes).
// `cutover --help`, `cutover help CMD`, `cutover CMD --help` and docs/cli.md all come from here;
// test/cli-help.test.ts fails when docs/cli.md drifts from it.
import { EXIT_CODE_MEANINGS, type Command, type FlagDef } from './command.js';
import { commands, type CommandEntry } from './registry.js';
import { usageLine } from './parse-args.js';

export { usageLine } from './parse-args.js';

const TITLE = 'cutover — blue-green releases for Kubernetes';

export function generalHelp(): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  const lines = commands.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return [
    TITLE,
    '',
    'Usage: cutover <command> [flags]',
    '',
    'Commands:',
    ...lines,
    '',
    'Exit codes:',
    ...exitCodeLines([0, 1, 2, 3, 4, 5]),
    '',
    'Run `cutover help <command>` or `cutover <command> --help` for its flags and examples.',
  ].join('\n');
}

export function flagName(name: string, def: FlagDef): string {
  const value = def.type === 'string' ? ` ${def.value ?? 'VALUE'}` : '';
  return `${def.short ? `-${def.short}, ` : ''}--${name}${value}${def.multiple ? ' …' : ''}`;
}

function flagDefault(def: FlagDef): string {
  if (def.defaultText) return def.defaultText;
  if (def.default === undefined || def.default === false) return '';
  return Array.isArray(def.default) ? def.default.join(', ') : String(def.default);
}

function exitCodeLines(codes: number[]): string[] {
  return codes.map((c) => `  ${c}  ${EXIT_CODE_MEANINGS[c]}`);
}

export function commandHelp(entry: CommandEntry, cmd: Command): string {
  const flags = Object.entries(cmd.flags).map(([name, def]) => [flagName(name, def), def] as const);
  const width = Math.max(0, ...flags.map(([n]) => n.length), ...(cmd.args ?? []).map((a) => a.name.length));
  const out = [`cutover ${entry.path.join(' ')} — ${entry.summary}`, '', `Usage: ${usageLine(cmd)}`];
  if (cmd.description) out.push('', cmd.description);
  if (cmd.args?.length) {
    out.push('', 'Arguments:');
    for (const a of cmd.args) out.push(`  ${a.name.padEnd(width)}  ${a.description}`);
  }
  if (cmd.rest) out.push('', `After --: ${cmd.rest}`);
  out.push('', 'Flags:');
  for (const [name, def] of flags) {
    const dflt = flagDefault(def);
    out.push(`  ${name.padEnd(width)}  ${def.description}${dflt ? ` (default: ${dflt})` : ''}`);
  }
  out.push(`  ${'-h, --help'.padEnd(width)}  show this help`);
  if (cmd.examples?.length) {
    out.push('', 'Examples:');
    for (const e of cmd.examples) out.push(`  # ${e.description}`, `  cutover ${e.command}`);
  }
  out.push('', 'Exit codes:', ...exitCodeLines([0, ...cmd.exitCodes]));
  return out.join('\n');
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The command reference of docs/cli.md (between its GENERATED markers). */
export async function commandReference(): Promise<string> {
  const out: string[] = [];
  for (const entry of commands) {
    const cmd = (await entry.load()).default;
    out.push(`### \`cutover ${entry.path.join(' ')}\``, '', `${entry.summary}.`, '');
    out.push('```', usageLine(cmd), '```', '');
    if (cmd.description) out.push(cmd.description, '');
    if (cmd.args?.length || cmd.rest) {
      out.push('| argument | meaning |', '|---|---|');
      for (const a of cmd.args ?? []) out.push(`| \`${a.name}\` | ${cell(a.description)} |`);
      if (cmd.rest) out.push(`| \`-- …\` | ${cell(cmd.rest)} |`);
      out.push('');
    }
    out.push('| flag | meaning | default |', '|---|---|---|');
    for (const [name, def] of Object.entries(cmd.flags)) {
      const dflt = flagDefault(def);
      out.push(
        `| \`${cell(flagName(name, def))}\` | ${cell(def.description)} | ${dflt ? `\`${cell(dflt)}\`` : ''} |`,
      );
    }
    out.push('');
    if (cmd.examples?.length) {
      out.push('Examples:', '', '```sh');
      for (const e of cmd.examples) out.push(`# ${e.description}`, `cutover ${e.command}`);
      out.push('```', '');
    }
    out.push(`Exit codes: ${[0, ...cmd.exitCodes].join(', ')}.`, '');
  }
  return out.join('\n');
}

export const GENERATED_BEGIN = '<!-- BEGIN GENERATED: command reference (npm run docs:cli) -->';
export const GENERATED_END = '<!-- END GENERATED: command reference -->';

/** docs/cli.md with its generated part replaced by the current reference. */
export async function renderCliDoc(current: string): Promise<string> {
  const begin = current.indexOf(GENERATED_BEGIN);
  const end = current.indexOf(GENERATED_END);
  const head = begin >= 0 ? current.slice(0, begin) : current.replace(/\n*$/, '\n\n');
  const tail = end >= 0 ? current.slice(end + GENERATED_END.length) : '\n';
  return `${head}${GENERATED_BEGIN}\n\n${await commandReference()}${GENERATED_END}${tail}`;
}
