// The Gateway API router's color Services (`<app>-blue`, `<app>-green`): created when missing;
// the one whose color a deploy has just written is brought to cutover.yaml (port, targetPort,
// selector) in one conditional merge patch. The other color's Service is left as it is: its pods
// still listen where the cutover.yaml of their release said, and when it is live, its users go
// through a rule that names its port. A rule names the port its color's Service has.
import { refOf, type KubeObject } from '../../kube/types.js';
import type { Color, ObjectChange } from '../types.js';
import { colorService } from './route-builder.js';
import type { GatewayApiSettings } from './settings.js';

type Json = Record<string, unknown>;
const MANAGED_BY = 'app.kubernetes.io/managed-by';

export function planColorServices(
  s: GatewayApiSettings,
  services: Partial<Record<Color, KubeObject>>,
  colors: Color[],
  written?: Color,
): ObjectChange[] {
  const out: ObjectChange[] = [];
  for (const c of colors) {
    const want = colorService(s, c);
    const have = services[c];
    if (!have) {
      out.push({
        action: 'create',
        ...refOf(want),
        reason: `create Service ${want.metadata.name} for ${c}`,
        object: want,
      });
    } else if (c === written) {
      out.push(...planReconcile(have, want, c));
    }
  }
  return out;
}

/**
 * A Service cutover made (managed-by label) whose port or selector differ from cutover.yaml: one
 * merge patch conditional on the version read (selector keys no longer wanted are removed). A
 * Service of that name that cutover did not make is not rewritten: the controller's verdict on
 * the route says what is wrong with it.
 */
function planReconcile(have: KubeObject, want: KubeObject, color: Color): ObjectChange[] {
  if (have.metadata.labels?.[MANAGED_BY] !== 'cutover') return [];
  const haveSpec = (have.spec ?? {}) as Json;
  const wantSpec = want.spec as { ports: Json[]; selector: Record<string, string> };
  const haveSelector = (haveSpec.selector ?? {}) as Record<string, string>;
  const what: string[] = [];
  const havePorts = (Array.isArray(haveSpec.ports) ? haveSpec.ports : []) as Json[];
  const entry = havePorts.find((p) => p.name === 'http') ?? havePorts[0];
  const wanted = wantSpec.ports[0]!;
  const target = String(entry?.targetPort ?? entry?.port);
  if (havePorts.length !== 1 || entry?.port !== wanted.port || target !== String(wanted.targetPort))
    what.push(
      `port ${String(entry?.port)}→${target} becomes ${String(wanted.port)}→${String(wanted.targetPort)}`,
    );
  const selectorSame =
    Object.keys(haveSelector).length === Object.keys(wantSpec.selector).length &&
    Object.entries(wantSpec.selector).every(([k, v]) => haveSelector[k] === v);
  if (!selectorSame)
    what.push(`selector ${selectorText(haveSelector)} becomes ${selectorText(wantSpec.selector)}`);
  if (what.length === 0) return [];
  const selector: Record<string, string | null> = { ...wantSpec.selector };
  for (const k of Object.keys(haveSelector)) if (!(k in selector)) selector[k] = null;
  const labels = want.metadata.labels ?? {};
  const missing = Object.fromEntries(
    Object.entries(labels).filter(([k, v]) => have.metadata.labels?.[k] !== v),
  );
  return [
    {
      action: 'merge-patch',
      ...refOf(have),
      reason: `update Service ${have.metadata.name} for ${color} to cutover.yaml: ${what.join(', ')}`,
      patch: {
        metadata: {
          resourceVersion: have.metadata.resourceVersion,
          ...(Object.keys(missing).length ? { labels: missing } : {}),
        },
        spec: { ports: wantSpec.ports, selector },
      },
    },
  ];
}

/**
 * The port a rule names for a color: its Service's (`http`, else the first) when cutover made the
 * Service, which then matches the color's pods; else undefined (cutover.yaml's port, and the
 * controller's verdict says what is wrong with a Service cutover did not make).
 */
export function portOf(service: KubeObject | undefined): number | undefined {
  if (service?.metadata.labels?.[MANAGED_BY] !== 'cutover') return undefined;
  const ports = ((service?.spec as Json | undefined)?.ports ?? []) as Json[];
  const port = (ports.find((p) => p.name === 'http') ?? ports[0])?.port;
  return typeof port === 'number' ? port : undefined;
}

function selectorText(sel: Record<string, string>): string {
  const parts = Object.entries(sel).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(',') : '(none)';
}
