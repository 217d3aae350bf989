/**
 * Seeds typed by a user (`--seed`) and written in configs (`train.seed`). Rng keeps 32 bits of a seed (`seed >>> 0`):
 * a larger, negative or fractional seed would silently act as another one (1.5 and 2^32 + 1 as 1, -1 as 2^32 − 1,
 * and `Number('abc')` as 0), so anything but a whole number in [0, 2^32 − 1] is refused.
 */
import { UserError } from '../errors';
import { quoteClipped } from './clip';

export const MAX_SEED = 0xffffffff;

/** Whether `value` is a seed Rng uses as it is. */
export function isSeed(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_SEED;
}

/** Parses a seed given as text (decimal digits only: no sign, fraction, exponent or hex); `what` names the option. */
export function parseSeed(text: string, what: string): number {
  const t = text.trim();
  const value = /^\d{1,10}$/.test(t) ? Number(t) : NaN;
  if (!isSeed(value)) throw new UserError(`${what} must be a whole number from 0 to ${MAX_SEED}, got ${quoteClipped(text)}`);
  return value;
}

/** A commander option parser for a seed option, e.g. `.option('--seed <n>', '…', seedOption('--seed'), 1)`. */
export function seedOption(what: string): (text: string) => number {
  return (text) => parseSeed(text, what);
}
