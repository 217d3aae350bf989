/**
 * Schedules: values that change with the optimisation step. Each is a pure function of the step counter, so
 * a resumed run (which restores the counter) continues a schedule exactly where it stopped, with no state.
 */

export interface KlSchedule {
  /** β once the ramp is over (vae.kl_factor). */
  factor: number;
  /** Steps the linear ramp from 0 to `factor` takes (vae.kl_ramp_steps); 0: `factor` from the first step. */
  rampSteps: number;
}

/**
 * The KL weight of a VAE's loss at `step` (the number of optimisation steps already applied, so the first
 * step sees step 0): β(step) = factor · min(1, step / rampSteps), the study's linear warm-up over 30000
 * batches that lets the decoder learn before the KL term pulls the posteriors to the prior.
 */
export function klBeta(step: number, schedule: KlSchedule): number {
  const { factor, rampSteps } = schedule;
  if (!Number.isInteger(step) || step < 0) throw new RangeError(`klBeta: step must be a non-negative integer, got ${step}`);
  if (!(factor >= 0) || !Number.isFinite(factor)) throw new RangeError(`klBeta: factor must be a finite number >= 0, got ${factor}`);
  if (!Number.isInteger(rampSteps) || rampSteps < 0) {
    throw new RangeError(`klBeta: rampSteps must be a non-negative integer, got ${rampSteps}`);
  }
  if (rampSteps === 0) return factor;
  return factor * Math.min(1, step / rampSteps);
}
