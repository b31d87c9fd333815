// Fields the local gateway accepts but does not act on are reported once per object and field,
// so a user is never silently mis-routed: the message says what is ignored and how traffic flows.

export type GatewayLog = (line: string) => void;

export class ConfigReporter {
  private readonly seen = new Set<string>();
  constructor(private readonly log: GatewayLog) {}

  /** `gateway: VirtualService default/x: field http[0].fault is not emulated by the local gateway; …` */
  notEmulated(
    kind: string,
    ns: string,
    name: string,
    field: string,
    consequence = 'traffic is routed as if it were absent',
  ): void {
    this.once(`${kind} ${ns}/${name}: field ${field} is not emulated by the local gateway; ${consequence}`);
  }

  /** A configuration Istio would reject or ignore, with what the gateway does instead. */
  problem(kind: string, ns: string, name: string, message: string): void {
    this.once(`${kind} ${ns}/${name}: ${message}`);
  }

  private once(text: string): void {
    if (this.seen.has(text)) return;
    this.seen.add(text);
    this.log(`gateway: ${text}`);
  }
}

/** Reports every key of `obj` outside `handled`, each as `${path}${key}`. */
export function reportUnhandledKeys(
  reporter: ConfigReporter,
  ref: { kind: string; ns: string; name: string },
  obj: unknown,
  handled: ReadonlySet<string>,
  path: string,
): void {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return;
  for (const key of Object.keys(obj)) {
    if (!handled.has(key)) reporter.notEmulated(ref.kind, ref.ns, ref.name, `${path}${key}`);
  }
}
