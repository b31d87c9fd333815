// "Did you mean …": the closest known word by edit distance, when it is close enough to be a typo.

export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      // A swap of two neighbours counts as one edit (deploi, imgae).
      const swapped = i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (swapped) row[j] = Math.min(row[j], diagonal);
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The known word nearest to `typed`, if within a third of its length (at least 1, at most 3). */
export function closest(typed: string, known: string[]): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(typed.length / 3)));
  let best: { word: string; d: number } | undefined;
  for (const word of known) {
    const d = editDistance(typed, word);
    if (d <= limit && (!best || d < best.d)) best = { word, d };
  }
  if (best) return best.word;
  // A prefix the user stopped typing (`promo`, `--ima`) is a good guess too, if only one fits.
  const prefixed = known.filter((w) => typed.length >= 3 && w.startsWith(typed));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
