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

/** The learning-rate schedule of a run, in the config's terms (train.lr and train.lr_*). */
export interface LrScheduleSpec {
  lr: number;
  schedule: 'constant' | 'step' | 'cosine';
  warmupEpochs: number;
  stepEvery: number;
  stepGamma: number;
  minLr: number;
  /** The run's length in epochs (the cosine curve spans it). */
  epochs: number;
}

/**
 * The learning rate for the step that starts at `epochPosition` (epochs done, with the fraction of the current
 * epoch: step / batches per epoch), as a pure function so that resume continues it exactly.
 *   constant: lr;
 *   step:     lr · gamma^floor(epoch / every)              (epoch = whole epochs done);
 *   cosine:   min + (lr − min) · (1 + cos(π · t)) / 2     (t = epochPosition / epochs, clamped to [0, 1]);
 * then, during the first `warmupEpochs`, scaled by (epochPosition / warmupEpochs) — a linear ramp from 0, so that
 * Adam's first, noisy moment estimates do not take full-size steps.
 */
export function learningRate(epochPosition: number, spec: LrScheduleSpec): number {
  let rate: number;
  switch (spec.schedule) {
    case 'constant':
      rate = spec.lr;
      break;
    case 'step':
      rate = spec.lr * spec.stepGamma ** Math.floor(epochPosition / spec.stepEvery + 1e-9);
      break;
    case 'cosine': {
      const t = Math.min(1, Math.max(0, epochPosition / spec.epochs));
      rate = spec.minLr + (spec.lr - spec.minLr) * 0.5 * (1 + Math.cos(Math.PI * t));
      break;
    }
  }
  if (spec.warmupEpochs > 0 && epochPosition < spec.warmupEpochs) rate *= epochPosition / spec.warmupEpochs;
  return rate;
}
