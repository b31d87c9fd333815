// Which pod label carries the color in a user's manifests folder: the label the first
// DestinationRule subset selects on (the seed's `color`), else cutover's own.
import { LABELS, type ClassifiedManifests } from './types.js';

export function colorLabelOf(rendered: ClassifiedManifests): string {
  const spec = rendered.destinationRules[0]?.object.spec as
    { subsets?: Array<{ labels?: Record<string, string> }> } | undefined;
  return Object.keys(spec?.subsets?.[0]?.labels ?? {})[0] ?? LABELS.color;
}
