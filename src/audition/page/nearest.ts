/** The training point nearest to `p` (Euclidean distance in the latent space), or null without points. */
export function nearestPoint(points: readonly (readonly number[])[], p: readonly number[]): { index: number; distance: number } | null {
  let best = -1;
  let bestSq = Infinity;
  for (let i = 0; i < points.length; i++) {
    const q = points[i]!;
    let sq = 0;
    for (let k = 0; k < p.length && sq < bestSq; k++) {
      const d = q[k]! - p[k]!;
      sq += d * d;
    }
    if (sq < bestSq) {
      bestSq = sq;
      best = i;
    }
  }
  return best < 0 ? null : { index: best, distance: Math.sqrt(bestSq) };
}
