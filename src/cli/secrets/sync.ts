// `cutover secrets sync --color C | --tag TAG [--prefix P]`: writes a color's settings from CI
// variables named `<P><COLOR>_<KEY>` into the color's Kubernetes Secret (cutover.yaml `secrets`,
// the seed's env-blue / env-green), so pods read them with envFrom and no value passes through a
// manifest or a log. Runs under the app's lock and refuses the live color (exit 3), as deploy
// does: the live pods' settings change only by releasing.
import { MUTATING_EXIT_CODES } from '../command.js';
import type { Command } from '../command.js';
import type { Color } from '../../config/types.js';
import { chooseDeployColor } from '../../engine/deploy.js';
import { readAppState, routesOf } from '../../engine/app-state.js';
import { locked } from '../../engine/operation.js';
import type { EngineContext } from '../../engine/context.js';
import { InputError } from '../../errors.js';
import type { KubeObject } from '../../kube/types.js';
import { withSession } from '../engine-session.js';
import { MUTATING_FLAGS, str } from '../global-flags.js';
import { colorFlag } from '../deploy/index.js';
import { DEFAULT_SETTINGS_PREFIX, checkPrefix } from '../../ci/input.js';
import { parseReleaseTag } from '../../engine/release-tag.js';
import { collectSettings, colorPrefix } from './collect.js';
import { desiredSecret, sameData } from './secret-object.js';

export interface SyncResult {
  operation: 'secrets-sync';
  app: string;
  namespace: string;
  color: Color;
  secret: string;
  /** Setting names only; values are never part of a result. */
  keys: string[];
  outcome: 'created' | 'updated' | 'unchanged' | 'planned';
  durationMs: number;
}

function secretNameFor(ctx: EngineContext, color: Color): string {
  const name = ctx.config.secrets[color];
  if (!name) {
    throw new InputError(`cutover.yaml names no Secret for ${color}`, {
      file: ctx.config.file,
      field: `secrets.${color}`,
      remedy: `add \`secrets: { ${color}: env-${color} }\` (and the other color), or drop the settings sync step`,
    });
  }
  return name;
}

async function writeSecret(
  ctx: EngineContext,
  secret: string,
  color: Color,
  settings: Record<string, string>,
) {
  const ref = { apiVersion: 'v1', kind: 'Secret', name: secret, namespace: ctx.namespace };
  const live = await ctx.kube.getOptional<KubeObject>(ref);
  if (sameData(live, settings)) return 'unchanged' as const;
  if (ctx.dryRun) return 'planned' as const;
  const desired = desiredSecret(
    { name: secret, namespace: ctx.namespace, app: ctx.app, color },
    settings,
    live,
  );
  if (live) {
    await ctx.kube.replace(desired);
    return 'updated' as const;
  }
  await ctx.kube.create(desired);
  return 'created' as const;
}

async function sync(
  ctx: EngineContext,
  input: { color?: Color; tag?: string; prefix: string; noWait: boolean },
) {
  if (input.tag) parseReleaseTag(input.tag);
  return locked(
    ctx,
    { operation: 'secrets-sync', release: input.tag },
    { noWait: input.noWait },
    async () => {
      // The same choice deploy makes next (tag color, flag, else the idle color), and its guard.
      const routes = routesOf(ctx, await readAppState(ctx));
      const color = chooseDeployColor(ctx, routes, { color: input.color, tag: input.tag });
      const secret = secretNameFor(ctx, color);
      const settings = collectSettings(ctx.deps.env, input.prefix, color);
      const keys = Object.keys(settings);
      if (keys.length === 0) {
        throw new InputError(`no CI variables named ${colorPrefix(input.prefix, color)}* are set`, {
          remedy: `define the ${color} settings as CI secrets/variables named ${colorPrefix(input.prefix, color)}<NAME> (see docs/ci/)`,
        });
      }
      const outcome = await writeSecret(ctx, secret, color, settings);
      const result: SyncResult = {
        operation: 'secrets-sync',
        app: ctx.app,
        namespace: ctx.namespace,
        color,
        secret,
        keys,
        outcome,
        durationMs: 0,
      };
      return { result, outcome: { color, detail: `${secret}: ${outcome}, keys ${keys.join(', ')}` } };
    },
  );
}

function syncText(r: SyncResult): string {
  return `${r.namespace}/${r.secret} (${r.color}): ${r.outcome}, ${r.keys.length} setting${r.keys.length === 1 ? '' : 's'} (${r.keys.join(', ')})`;
}

const command: Command = {
  path: ['secrets', 'sync'],
  usage: '(--color blue|green | --tag TAG) [--prefix CUTOVER_ENV_] [--dry-run] [--no-wait]',
  flags: {
    ...MUTATING_FLAGS,
    color: { type: 'string', value: 'blue|green', description: 'the color whose Secret is written' },
    tag: { type: 'string', value: 'TAG', description: 'a release tag; its color, else the idle one' },
    prefix: {
      type: 'string',
      value: 'PREFIX',
      description: "CI variables with this prefix become the color's settings",
      defaultText: 'secrets.prefix of cutover.yaml, CUTOVER_ENV_',
    },
  },
  examples: [
    {
      command: 'secrets sync --tag v2.0-green',
      description: "write green's Secret from CUTOVER_ENV_* variables",
    },
  ],
  exitCodes: MUTATING_EXIT_CODES,
  async run(args, io) {
    const color = colorFlag(str(args, 'color'));
    const tag = str(args, 'tag');
    if (!color && !tag) {
      throw new InputError(
        'name the color: --color blue|green, or --tag TAG (the color the tag names, else the idle one)',
        {
          remedy: 'run `cutover secrets sync --tag "$RELEASE_TAG"`',
        },
      );
    }
    const prefix = str(args, 'prefix') ?? DEFAULT_SETTINGS_PREFIX;
    checkPrefix(prefix);
    return withSession(args, io, async ({ ctx, options, out }) => {
      out.result(await sync(ctx, { color, tag, prefix, noWait: options.noWait }), syncText);
      return 0;
    });
  },
};

export default command;
