// histogram_quantile as Prometheus computes it (promql/quantile.go): find the bucket the rank
// falls in and interpolate linearly inside it; a rank in the +Inf bucket answers the upper bound
// of the last finite bucket. Buckets are cumulative counts by upper bound `le`.

export interface Bucket {
  le: number;
  count: number;
}

/** undefined when there are no observations (no data, never 0). */
export function histogramQuantile(q: number, buckets: Bucket[]): number | undefined {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  if (sorted.length < 2 || sorted[sorted.length - 1]!.le !== Infinity) return undefined;
  // Counts must not decrease; a scrape racing an increment can show that, Prometheus clamps too.
  for (let i = 1; i < sorted.length; i++) sorted[i]!.count = Math.max(sorted[i]!.count, sorted[i - 1]!.count);
  const total = sorted[sorted.length - 1]!.count;
  if (!(total > 0)) return undefined;
  const rank = q * total;
  let b = sorted.findIndex((x) => x.count >= rank);
  if (b === sorted.length - 1) return sorted[sorted.length - 2]!.le;
  if (b === 0 && sorted[0]!.le <= 0) return sorted[0]!.le;
  let start = 0;
  let below = 0;
  if (b > 0) {
    start = sorted[b - 1]!.le;
    below = sorted[b - 1]!.count;
  } else b = 0;
  const end = sorted[b]!.le;
  const inBucket = sorted[b]!.count - below;
  return inBucket === 0 ? end : start + (end - start) * ((rank - below) / inBucket);
}
