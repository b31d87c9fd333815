// One line about a failure. Connection errors from `pg` can have an empty message (an
// AggregateError when a host name has several addresses), so fall back to their code.
export function errorText(err: unknown): string {
  const e = err as { message?: string; code?: string; errors?: unknown[] };
  if (e?.message) return e.message;
  if (Array.isArray(e?.errors) && e.errors.length) return e.errors.map(errorText).join('; ');
  return e?.code ?? String(err);
}
