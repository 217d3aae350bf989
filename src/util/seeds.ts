/**
 * Per-step randomness derived from (seed, stream, counter) instead of one advancing generator: a resumed run
 * then draws exactly what an uninterrupted run draws, with nothing but counters in the checkpoint.
 */
export function deriveSeed(seed: number, stream: number, counter: number): number {
  // murmur3-style finalizer over the three words; result is a non-negative 31-bit integer (tf ops want that).
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  h = Math.imul((h ^ (h >>> 13) ^ Math.imul(stream + 0x632be5ab, 0xc2b2ae35)) >>> 0, 0x85ebca6b) >>> 0;
  h = Math.imul((h ^ (h >>> 16) ^ Math.imul(counter + 0x7f4a7c15, 0x27d4eb2f)) >>> 0, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h & 0x7fffffff;
}

/** Streams of randomness, so that adding one never changes the numbers of another. */
export const SeedStream = {
  init: 1,
  split: 2,
  epochOrder: 3,
  step: 4,
  preview: 5,
  validation: 6,
  /** train.augment's draws for the batch of one step (counter: the step). */
  augment: 7,
} as const;
