import { UserError } from '../errors';
import { Rng } from '../util/rng';
import { deriveSeed, SeedStream } from '../util/seeds';

/**
 * Splits row indices 0..count-1 into a training and a validation set, at random but reproducibly for the
 * generator's seed. Both sets come back sorted (reads then walk samples.f32 forwards). A positive fraction of
 * a dataset with at least two rows always yields at least one validation row and keeps one for training.
 */
export function splitIndices(
  count: number,
  validationFraction: number,
  rng: Rng,
): { train: Int32Array; validation: Int32Array } {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`splitIndices: count must be a non-negative integer, got ${count}`);
  if (!(validationFraction >= 0 && validationFraction < 1)) {
    throw new UserError(`validation fraction must be at least 0 and below 1, got ${validationFraction}`);
  }
  let nVal = Math.round(count * validationFraction);
  if (validationFraction > 0 && count >= 2) nVal = Math.min(Math.max(nVal, 1), count - 1);
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  rng.shuffle(order);
  const validation = order.slice(0, nVal).sort();
  const train = order.slice(nVal).sort();
  return { train, validation };
}

/**
 * One epoch of batches over `indices`: shuffled with `rng` (a fresh order each call, i.e. each epoch), or in
 * the given order when `rng` is null (validation). The last batch is smaller when the size does not divide
 * the count, unless `dropRemainder` is set.
 */
export function* batches(
  indices: ArrayLike<number>,
  batchSize: number,
  rng: Rng | null,
  options: { dropRemainder?: boolean } = {},
): Generator<Int32Array> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new UserError(`batch size must be a positive integer, got ${batchSize}`);
  const order = Int32Array.from(indices);
  if (rng) rng.shuffle(order);
  for (let start = 0; start < order.length; start += batchSize) {
    const end = Math.min(start + batchSize, order.length);
    if (end - start < batchSize && options.dropRemainder) return;
    yield order.slice(start, end);
  }
}

/** Number of batches `batches` yields for `count` indices. */
export function batchCount(count: number, batchSize: number, dropRemainder = false): number {
  return dropRemainder ? Math.floor(count / batchSize) : Math.ceil(count / batchSize);
}

/**
 * The split training uses for a config's (validation fraction, seed): evaluation calls this too, so that
 * `--split validation` means the very rows the model never trained on.
 */
export function trainingSplit(count: number, validationFraction: number, seed: number): { train: Int32Array; validation: Int32Array } {
  return splitIndices(count, validationFraction, new Rng(deriveSeed(seed, SeedStream.split, 0)));
}
