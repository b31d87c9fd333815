// `cutover init`: writes a commented starter cutover.yaml; refuses to overwrite without --force.
import { existsSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { CliIo, Command } from '../command.js';
import { InputError } from '../../errors.js';
import { validateConfig } from '../../config/load.js';
import { ROUTER_KINDS, type RouterKind } from '../../config/types.js';
import { parse } from 'yaml';
import { renderStarter } from './starter.js';

const command: Command = {
  path: ['init'],
  usage:
    '--app NAME [--router istio|gateway-api|service] [--host HOST]... [--image REPOSITORY] [--namespace NS] [--manifests DIR] [-f FILE] [--force]',
  flags: {
    file: {
      type: 'string',
      short: 'f',
      default: 'cutover.yaml',
      value: 'FILE',
      description: 'the file to write',
    },
    app: {
      type: 'string',
      value: 'NAME',
      description:
        'the app name (names the Service, Deployments, routes and lock); asked for on a terminal, never taken from the folder name',
    },
    router: {
      type: 'string',
      value: 'ROUTER',
      description: `how traffic is switched: ${ROUTER_KINDS.join(', ')} (docs/routers/)`,
      defaultText: 'istio',
    },
    host: {
      type: 'string',
      multiple: true,
      value: 'HOST',
      description: 'a host the app answers on the gateway; one per app when apps share a gateway',
      defaultText: '"*" (every host: only while the app is alone on its gateway)',
    },
    image: {
      type: 'string',
      value: 'REPOSITORY',
      description: 'image repository; releases deploy REPOSITORY:TAG',
    },
    namespace: {
      type: 'string',
      value: 'NS',
      description: 'the namespace the app lives in',
      defaultText: 'default',
    },
    manifests: {
      type: 'string',
      value: 'DIR',
      description: 'use your own manifests folder instead of built-in objects',
    },
    force: { type: 'boolean', default: false, description: 'overwrite an existing file' },
  },
  examples: [
    { command: 'init --app myapp --image registry.example.com/myapp', description: 'a starter for myapp' },
    { command: 'init --manifests ./manifests', description: "a starter over the seed's manifests folder" },
    {
      command: 'init --app myapp --router gateway-api --host myapp.example.com',
      description: 'a starter that switches a Gateway API HTTPRoute',
    },
    {
      command: 'init --app myapp --router service',
      description: 'a starter that switches a plain Service selector (no mesh)',
    },
  ],
  exitCodes: [2],
  async run(args, io) {
    const file = resolve(String(args.values.file));
    if (existsSync(file) && !args.values.force) {
      throw new InputError(`${file} already exists`, {
        file,
        remedy: 'pass --force to overwrite it, or -f to write another file',
      });
    }
    const router = routerKind(args.values.router as string | undefined);
    const hosts = args.values.host as string[] | undefined;
    if (router === 'service' && hosts?.length) {
      throw new InputError('--host does not apply to --router service (a Service has no hosts)', {
        field: '--host',
        remedy:
          'leave --host out; set gatewayUrl / previewUrl in cutover.yaml if a host name reaches the Services',
      });
    }
    const text = renderStarter({
      router,
      app: await appName(args.values.app as string | undefined, io),
      hosts,
      image: args.values.image as string | undefined,
      namespace: args.values.namespace as string | undefined,
      manifests: args.values.manifests as string | undefined,
    });
    // The starter must pass the same validation as any user file (e.g. a bad --app).
    validateConfig(parse(text), file, {});
    writeFileSync(file, text);
    io.stdout.write(`wrote ${file}\n`);
    return 0;
  },
};

/** A value of `router:`; anything else is bad input, never a silent default. */
function routerKind(flag: string | undefined): RouterKind {
  if (flag === undefined) return 'istio';
  if ((ROUTER_KINDS as readonly string[]).includes(flag)) return flag as RouterKind;
  throw new InputError(`--router ${JSON.stringify(flag)} is not a router`, {
    field: '--router',
    remedy: `pass one of ${ROUTER_KINDS.join(', ')}`,
  });
}

/**
 * The app name names objects other apps may sit next to (Service, routes, lock), so it is never
 * guessed: --app, or the answer to a question on a terminal (the folder name is only offered).
 */
async function appName(flag: string | undefined, io: CliIo): Promise<string> {
  if (flag) return flag;
  if (!io.interactive || !process.stdin.isTTY) {
    throw new InputError('cutover init needs the app name', {
      field: '--app',
      remedy: 'pass --app NAME (lower-case letters, digits and -), e.g. --app shop-cart',
    });
  }
  const suggestion = appNameFromDir(process.cwd());
  const rl = createInterface({ input: process.stdin, output: io.stderr });
  try {
    const answer = (
      await rl.question(`app name (names the Service, Deployments and routes) [${suggestion}]: `)
    ).trim();
    return answer || suggestion;
  } finally {
    rl.close();
  }
}

/** A DNS label from the folder name: 'My App_2' → 'my-app-2'. */
export function appNameFromDir(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return /^[a-z0-9]/.test(name) ? name : 'myapp';
}

export default command;
