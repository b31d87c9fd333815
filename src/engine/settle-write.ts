// After a failed or stopped run: a write whose answer was lost and whose outcome the run could not
// learn (its read-back failed, its tries ran out, or the run was stopped while it was in flight)
// is read once more, on a client that still works, so that the last words and the history say
// whether it took effect — not what the socket said.
import { unsettledWriteOf, type KubeClient } from '../kube/index.js';

/** "patch virtualservices default/myapp was applied (read back afterwards)", or undefined. */
export async function settleLostWrite(kube: KubeClient, err: unknown): Promise<string | undefined> {
  const lost = unsettledWriteOf(err);
  if (!lost) return undefined;
  try {
    const verdict = lost.judge(await kube.getOptional(lost.ref));
    if (verdict.outcome === 'applied') return `${lost.what} was applied (read back afterwards)`;
    if (verdict.outcome === 'not-applied') return `${lost.what} was not applied (read back afterwards)`;
    return `${lost.what} was not applied: another writer changed the object (read back afterwards)`;
  } catch (readErr) {
    const why = readErr instanceof Error ? readErr.message : String(readErr);
    return `whether ${lost.what} was applied is unknown: reading it back failed (${why})`;
  }
}
