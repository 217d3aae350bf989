/**
 * "Did you mean …?" for unknown config keys. Hand-written: a 20-line edit distance is smaller than a
 * dependency, and the ranking rules (same section first, then the same key in another section) are ours.
 */
import { knownPaths, schemaAt } from './schema';

/**
 * Edit distance counting an insertion, a deletion, a substitution or a swap of two neighbours as 1 (optimal
 * string alignment): "trian" is one typo away from "train", not two.
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known key path that an unknown one was most likely meant to be: a close spelling among its siblings
 * (model.sise → model.size), else the same key in another place (lr at the top → train.lr); undefined if
 * nothing is close.
 */
export function suggestPath(unknown: readonly string[]): string | undefined {
  const key = unknown[unknown.length - 1]!;
  const parent = unknown.slice(0, -1);
  const siblings = Object.keys(schemaAt(parent)?.properties ?? {});
  // A third of the key's length, at least 1, at most 3: "lr" → "lt" is a typo, "lr" → "d" is not.
  const limit = Math.min(3, Math.max(1, Math.floor(key.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const s of siblings) {
    const d = editDistance(key.toLowerCase(), s.toLowerCase());
    if (d <= limit && d < bestDistance) {
      best = s;
      bestDistance = d;
    }
  }
  if (best !== undefined) return [...parent, best].join('.');
  const elsewhere = knownPaths().find((p) => p[p.length - 1] === key.toLowerCase() && p.length > 0);
  return elsewhere?.join('.');
}
