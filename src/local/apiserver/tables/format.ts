// Cell formats shared by the printers of k8s.io/kubernetes/pkg/printers/internalversion.

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function record(value: unknown): Json {
  return isRecord(value) ? value : {};
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function int(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : 0;
}

export function str(value: unknown, fallback = ''): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

/** labels.FormatLabels: `a=1,b=2` sorted by key, `<none>` when empty. */
export function formatLabels(labels: unknown): string {
  const map = record(labels);
  const keys = Object.keys(map).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${String(map[k])}`).join(',');
}

/** metav1.FormatLabelSelector: requirements sorted by key, `<none>` for an empty selector. */
export function formatLabelSelector(selector: unknown): string {
  const s = record(selector);
  const parts: Array<{ key: string; text: string }> = [];
  for (const [k, v] of Object.entries(record(s.matchLabels)))
    parts.push({ key: k, text: `${k}=${String(v)}` });
  for (const e of list(s.matchExpressions).map(record)) {
    const key = str(e.key);
    const values = list(e.values).map(String).sort().join(',');
    const text =
      {
        In: `${key} in (${values})`,
        NotIn: `${key} notin (${values})`,
        Exists: key,
        DoesNotExist: `!${key}`,
      }[str(e.operator)] ?? key;
    parts.push({ key, text });
  }
  if (parts.length === 0) return '<none>';
  return parts
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((p) => p.text)
    .join(',');
}

/** Container names and images of a pod template, comma-joined (the wide Containers/Images columns). */
export function containersAndImages(podSpec: unknown): { names: string; images: string } {
  const containers = list(record(podSpec).containers).map(record);
  return {
    names: containers.map((c) => str(c.name)).join(','),
    images: containers.map((c) => str(c.image)).join(','),
  };
}
