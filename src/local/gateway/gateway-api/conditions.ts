// Status conditions in the shape metav1.Condition has, and the merge a controller does before a
// status write: lastTransitionTime moves only when a condition's status changes.
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration: number;
  lastTransitionTime: string;
}

export function condition(
  type: string,
  ok: boolean,
  reason: string,
  message: string,
  generation: number,
): Condition {
  return {
    type,
    status: ok ? 'True' : 'False',
    reason,
    message,
    observedGeneration: generation,
    lastTransitionTime: '',
  };
}

/** Desired conditions with the previous lastTransitionTime kept where the status did not change. */
export function withTransitionTimes(desired: Condition[], previous: unknown, now: string): Condition[] {
  const old = Array.isArray(previous) ? (previous as Array<Partial<Condition>>) : [];
  return desired.map((c) => {
    const before = old.find((o) => o?.type === c.type);
    const keep = before && before.status === c.status && typeof before.lastTransitionTime === 'string';
    return { ...c, lastTransitionTime: keep ? before.lastTransitionTime! : now };
  });
}
