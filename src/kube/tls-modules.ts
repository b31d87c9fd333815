// node:https and node:tls, loaded on first use: a cluster reached over plain http (the local
// cluster, a kubectl proxy) never needs them, and loading them is a few ms of every start that
// races to a rollback's write (docs/adr/0020-rollback-parity-with-kubectl-apply.md).
import { createRequire } from 'node:module';
import type * as Https from 'node:https';
import type * as Tls from 'node:tls';

const load = createRequire(import.meta.url);

export function httpsModule(): typeof Https {
  return load('node:https') as typeof Https;
}

export function tlsModule(): typeof Tls {
  return load('node:tls') as typeof Tls;
}
