// Teaches the redactor what this app must never print: the values of its per-color Secrets
// (read only for that — docs/adr/0011-read-secrets-to-redact.md), its secret-looking `env`
// values, and the credentials of the kubeconfig in use. A Secret we may not read (403) or that
// does not exist yet is skipped: the pattern rules still apply.
import type { CutoverConfig } from '../config/types.js';
import { UnreachableError } from '../errors.js';
import type { KubeClient, ResolvedKubeConfig } from '../kube/types.js';
import type { Redactor } from './redact.js';

export async function learnSecrets(
  redactor: Redactor,
  config: CutoverConfig,
  kube: KubeClient,
  namespace: string,
): Promise<void> {
  redactor.addSecretLooking(config.env);
  // Both colors' Secrets in one round trip: this runs before every command's first request.
  const names = [...new Set(Object.values(config.secrets).filter(Boolean))] as string[];
  const read = await Promise.allSettled(
    names.map((name) => kube.getOptional({ apiVersion: 'v1', kind: 'Secret', name, namespace })),
  );
  for (const r of read) {
    if (r.status === 'fulfilled') redactor.addSecretData(r.value);
    // 403: this account may not read it; everything else is the caller's problem as usual.
    else if (!(r.reason instanceof UnreachableError && /\(403\b/.test(r.reason.message))) throw r.reason;
  }
}

export function learnKubeconfig(redactor: Redactor, resolved: Pick<ResolvedKubeConfig, 'user'>): void {
  redactor.add(resolved.user.token).add(resolved.user.password);
}
