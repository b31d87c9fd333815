// A unified diff of two texts by lines (longest common subsequence), for `cutover ci --check`:
// it says exactly which lines of a committed pipeline file differ from what cutover would write.
// Pipeline files are a few hundred lines, so the quadratic table is small.

const CONTEXT = 2;
const MAX_LINES = 80;

type Op = { kind: ' ' | '-' | '+'; text: string; oldNo: number; newNo: number };

function ops(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: length of the LCS of a[i..] and b[j..].
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) out.push({ kind: ' ', text: a[i], oldNo: ++i, newNo: ++j });
    // Removals before additions, as diff -u prints a changed line.
    else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1]))
      out.push({ kind: '-', text: a[i], oldNo: ++i, newNo: j });
    else out.push({ kind: '+', text: b[j], oldNo: i, newNo: ++j });
  }
  return out;
}

/** `--- path (committed)` / `+++ path (cutover would write)` with hunks; '' when equal. */
export function lineDiff(current: string, planned: string, path: string): string {
  const all = ops(current.split('\n'), planned.split('\n'));
  const changed = all.map((o, k) => (o.kind === ' ' ? -1 : k)).filter((k) => k >= 0);
  if (changed.length === 0) return '';
  const keep = new Set<number>();
  for (const k of changed) {
    for (let c = Math.max(0, k - CONTEXT); c <= Math.min(all.length - 1, k + CONTEXT); c++) keep.add(c);
  }
  const lines = [`--- ${path} (committed)`, `+++ ${path} (cutover would write)`];
  let last = -2;
  for (const k of [...keep].sort((x, y) => x - y)) {
    if (k !== last + 1) lines.push(`@@ line ${all[k].oldNo || 1} @@`);
    lines.push(`${all[k].kind}${all[k].text}`);
    last = k;
  }
  if (lines.length > MAX_LINES) {
    return [...lines.slice(0, MAX_LINES), `… ${lines.length - MAX_LINES} more diff lines`].join('\n');
  }
  return lines.join('\n');
}
