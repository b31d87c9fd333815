// The context smoke tests and hooks run in, for one color.
import type { Color } from '../config/types.js';
import type { CheckContext } from '../checks/types.js';
import type { KubeObject } from '../kube/types.js';
import { LABELS } from '../manifests/types.js';
import type { EngineContext } from './context.js';
import { dataPlaneOf } from './gateway-probe.js';

/** The pods of a color are the pods its Deployment selects (not every pod with the color label). */
export function podSelectorOf(ctx: EngineContext, color: Color, deployment?: KubeObject): string {
  const match = (deployment?.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)
    ?.selector?.matchLabels;
  if (match && Object.keys(match).length)
    return Object.entries(match)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
  return `${ctx.source.settings.colorLabel}=${color}`;
}

export async function checkContext(
  ctx: EngineContext,
  color: Color,
  deployment?: KubeObject,
): Promise<CheckContext> {
  const plane = await dataPlaneOf(ctx, true);
  return {
    config: ctx.config,
    kube: ctx.kube,
    namespace: ctx.namespace,
    deps: ctx.deps,
    color,
    gatewayUrl: plane.url ?? '',
    unreachable: plane.url ? undefined : plane.unverified,
    testerHeaders: plane.headers,
    freshConnections: plane.freshConnections,
    unmarkedAnswers: plane.unmarkedAnswers,
    colorHeader: ctx.source.settings.colorHeader,
    expected: {
      app: ctx.source.settings.appId,
      color,
      release: deployment?.metadata.labels?.[LABELS.release],
    },
    podSelector: podSelectorOf(ctx, color, deployment),
  };
}
