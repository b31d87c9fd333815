// Values as Go's %q / %#v print them inside field errors, so messages read as the real server's:
// strings quoted, numbers bare, `map[string]string{"app":"web"}`, `v1.LabelSelector{…}`.

/** A value printed verbatim after `Invalid value: ` (already formatted). */
export class GoLiteral {
  constructor(readonly text: string) {}
  toJSON(): string {
    return this.text;
  }
}

export function goValue(value: unknown): string {
  if (value instanceof GoLiteral) return value.text;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'null';
  if (isStringMap(value)) return goStringMap(value);
  return JSON.stringify(value);
}

function isStringMap(value: unknown): value is Record<string, string> {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}

/** `map[string]string{"a":"1", "b":"2"}` (Go sorts map keys when printing); nil prints as `map[string]string(nil)`. */
export function goStringMap(map: Record<string, string> | undefined): string {
  if (!map) return 'map[string]string(nil)';
  const entries = Object.keys(map)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(map[k])}`);
  return `map[string]string{${entries.join(', ')}}`;
}

interface Requirement {
  key?: string;
  operator?: string;
  values?: string[];
}

/** `v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}` */
export function goLabelSelector(
  selector: { matchLabels?: Record<string, string>; matchExpressions?: Requirement[] } | undefined,
): string {
  const labels = goStringMap(selector?.matchLabels);
  const exprs = selector?.matchExpressions;
  const req = (r: Requirement) =>
    `v1.LabelSelectorRequirement{Key:${JSON.stringify(r.key ?? '')}, Operator:${JSON.stringify(r.operator ?? '')}, Values:${r.values ? `[]string{${r.values.map((v) => JSON.stringify(v)).join(', ')}}` : '[]string(nil)'}}`;
  const expressions = exprs
    ? `[]v1.LabelSelectorRequirement{${exprs.map(req).join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${labels}, MatchExpressions:${expressions}}`;
}
