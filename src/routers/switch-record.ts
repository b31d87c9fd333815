// The record of a switch, stamped as annotations on the object that holds the live color (the
// VirtualService, the HTTPRoute, the app's Service): which release, when, by whom, and the color
// and release live before, which is what rollback returns to. One set of keys for every router.
import type { KubeObject } from '../kube/types.js';
import { isColor, type Color, type LastSwitch, type SwitchInfo } from './types.js';

export const SWITCH_ANNOTATIONS = {
  previousColor: 'previous-color',
  previousRelease: 'previous-release',
  release: 'release',
  switchedAt: 'switched-at',
  switchedBy: 'switched-by',
} as const;

export type SwitchAnnotation = keyof typeof SWITCH_ANNOTATIONS;

export function switchAnnotationKey(prefix: string, key: SwitchAnnotation): string {
  return `${prefix}/${SWITCH_ANNOTATIONS[key]}`;
}

/** Annotations a switch to `color` writes (null removes a key, as in a merge patch). */
export function switchAnnotations(
  prefix: string,
  holder: KubeObject | undefined,
  activeColor: Color | undefined,
  color: Color,
  info: SwitchInfo,
): Record<string, string | null> {
  const key = (k: SwitchAnnotation) => switchAnnotationKey(prefix, k);
  const current = holder?.metadata.annotations ?? {};
  const out: Record<string, string | null> = { [key('switchedAt')]: info.at };
  out[key('release')] = info.release ?? null;
  out[key('switchedBy')] = info.by ?? null;
  if (activeColor && activeColor !== color) {
    out[key('previousColor')] = activeColor;
    out[key('previousRelease')] = current[key('release')] ?? null;
  }
  return out;
}

/** True when the annotations differ from the holder's in more than the time and the writer. */
export function switchChangesRecord(
  prefix: string,
  holder: KubeObject | undefined,
  annotations: Record<string, string | null>,
): boolean {
  const current = holder?.metadata.annotations ?? {};
  const volatile = new Set([
    switchAnnotationKey(prefix, 'switchedAt'),
    switchAnnotationKey(prefix, 'switchedBy'),
  ]);
  return Object.keys(annotations).some((k) => !volatile.has(k) && (current[k] ?? null) !== annotations[k]);
}

export function readLastSwitch(
  prefix: string,
  holder: KubeObject | undefined,
  color: Color | undefined,
): LastSwitch {
  const ann = holder?.metadata.annotations ?? {};
  const get = (k: SwitchAnnotation) => ann[switchAnnotationKey(prefix, k)];
  const previous = get('previousColor');
  return {
    color,
    release: get('release'),
    at: get('switchedAt'),
    by: get('switchedBy'),
    previousColor: isColor(previous) ? previous : undefined,
    previousRelease: get('previousRelease'),
  };
}
