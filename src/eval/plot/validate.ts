/** Checks of plot inputs shared by several plots; a bad value is a UserError that names it. */
import { UserError } from '../../errors';

export function checkSampleRate(sampleRate: number): void {
  if (!Number.isFinite(sampleRate) || sampleRate <= 0) {
    throw new UserError(`plot: sample rate must be a positive number of Hz, got ${String(sampleRate)}`);
  }
}
