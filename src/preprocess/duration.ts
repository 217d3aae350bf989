/**
 * Durations for `--attack` and `--length`. The study works in seconds (ATTACK_SEC = 0.1, LENGTH_SEC = 0.4); the
 * issue also wants sample counts and writes them as `16384s`. Since `s` would otherwise read as "seconds", the
 * rule is explicit and printed in --help (DURATION_SYNTAX):
 *   plain number      seconds        0.4
 *   `sec`             seconds        0.4sec
 *   `ms`              milliseconds   400ms
 *   `s`               samples        16384s   (whole numbers only, as in the issue)
 *   `samples`/`smp`   samples        16384samples
 * A fractional number with `s` (`0.5s`) is rejected rather than guessed at: the message suggests `0.5`/`0.5sec`.
 */
import { UserError } from '../errors';
import { clip } from '../util/clip';

/** A duration as the user gave it: a sample count is exact at every rate; seconds are converted per rate. */
export type Duration = { samples: number } | { seconds: number };

/** The syntax, for the --help text of every option that takes a duration. */
export const DURATION_SYNTAX =
  'seconds as a plain number or with "sec" (0.4, 0.4sec), milliseconds with "ms" (400ms), ' +
  'or a whole number of samples with "s", "smp" or "samples" (16384s, 16384samples)';

// A decimal number (an exponent is allowed so that formatDuration's output of tiny values reads back), then a unit.
const PATTERN = /^((?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*([a-z]*)$/i;

/** Parse a duration; `what` names the option in the error (e.g. `--attack`). Throws UserError on bad text. */
export function parseDuration(text: string, what: string): Duration {
  const trimmed = text.trim();
  const bad = (why: string): UserError => new UserError(`${what}: invalid duration '${clip(text)}': ${why}`);
  if (/^-/.test(trimmed)) throw bad('a duration cannot be negative');
  const m = PATTERN.exec(trimmed);
  if (!m) throw bad(`expected ${DURATION_SYNTAX}`);
  const numberText = m[1]!;
  const unit = m[2]!.toLowerCase();
  const value = Number(numberText);
  if (!Number.isFinite(value)) throw bad('the number is out of range');
  switch (unit) {
    case '':
    case 'sec':
      return { seconds: value };
    case 'ms':
      return { seconds: value / 1000 };
    case 's':
    case 'smp':
    case 'samples': {
      if (!/^\d+$/.test(numberText)) {
        throw bad(
          `a number with "${m[2]}" counts samples and must be a whole number; ` +
            `for ${numberText} seconds write '${numberText}' or '${numberText}sec'`,
        );
      }
      if (!Number.isSafeInteger(value)) throw bad('the sample count is too large');
      return { samples: value };
    }
    default:
      throw bad(`unknown unit '${m[2]}'; expected ${DURATION_SYNTAX}`);
  }
}

/** Whole samples at `sampleRate`: a sample count as given, seconds rounded with Math.round (the study's np.round). */
export function durationToSamples(d: Duration, sampleRate: number): number {
  if ('samples' in d) return d.samples;
  return Math.round(d.seconds * sampleRate);
}

/**
 * The longest --length or --attack, in samples: 2^23 (about 3 minutes at 44.1 or 48 kHz, 32 MiB per float32 row).
 * One-shots last seconds; a row this long, times the rows in flight, is already a lot of memory, and `--length 1e9`
 * (1e9 seconds) used to end in a RangeError from an allocation instead of a message.
 */
export const MAX_DURATION_SAMPLES = 2 ** 23;

/** durationToSamples, refused with a UserError naming the option above MAX_DURATION_SAMPLES. */
export function boundedSamples(d: Duration, sampleRate: number, what: string): number {
  const n = durationToSamples(d, sampleRate);
  if (n > MAX_DURATION_SAMPLES) {
    const limit = `${MAX_DURATION_SAMPLES} samples (${(MAX_DURATION_SAMPLES / sampleRate).toFixed(1)} s at ${sampleRate} Hz)`;
    throw new UserError(`${what} ${formatDuration(d)} is ${n} samples at ${sampleRate} Hz, more than the limit of ${limit}; one-shots last seconds`);
  }
  return n;
}

/** Text that parseDuration reads back to the same Duration, for logs and dataset metadata. */
export function formatDuration(d: Duration): string {
  return 'samples' in d ? `${d.samples} samples` : `${d.seconds} sec`;
}
