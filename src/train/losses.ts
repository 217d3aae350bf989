import * as tf from '@tensorflow/tfjs';
import { nativeMeanSquaredError } from '../backend/native-mse';
import { nativeMrStft, nativeMrStftApplies } from '../backend/native-mrstft';
import { MR_STFT_DEFAULTS, MR_STFT_POWER_FLOOR, mrStftTerms, MrStftOptions } from '../eval/reconstruction';
import { melFilterbank } from '../eval/mel';
import { stftPowers } from '../eval/spectrum';
import { LOSS_NAMES, LossName, LossSpec, LossTerm, MR_STFT_LOSS_DEFAULTS, MrStftTermConfig } from './losses/spec';

export { LOSS_NAMES } from './losses/spec';
export type { LossName, LossSpec } from './losses/spec';
/** What the trainers hold: `train.loss` as the resolved config has it. */
export type ReconstructionLoss = LossSpec;

/** One loss of the table: the mean over the batch of a per-example error of `output` against `target` [batch, length]. */
type LossFunction = (target: tf.Tensor2D, output: tf.Tensor2D, term: LossTerm) => tf.Scalar;

/**
 * The loss table, name → function. `train.loss` names one entry or weights several; the config's list of names
 * (LOSS_NAMES) must equal this table's keys, which the mapped type enforces at compile time.
 */
export const LOSS_TABLE: { readonly [K in LossName]: LossFunction } = {
  mse: (target, output) => meanSquaredError(output, target),
  mae: (target, output) => tf.tidy(() => tf.mean(tf.abs(tf.sub(output, target))) as tf.Scalar),
  mr_stft: (target, output, term) => mrStftLoss(target, output, mrStftOptionsOf(term)),
  log_mel: (target, output) => logMelLoss(target, output),
  envelope: (target, output) => envelopeLoss(target, output),
};

/**
 * train.loss of `target` and its reconstruction `output`: one loss, or Σ weight·loss over the map's entries.
 * A plain 'mse' is exactly the fused native MSE (the same numbers, and the same run hash, as before the table).
 */
export function reconstructionLoss(spec: ReconstructionLoss, target: tf.Tensor, output: tf.Tensor): tf.Scalar {
  const x = target as tf.Tensor2D;
  const y = (output.shape.length === 2 ? output : output.reshape(target.shape)) as tf.Tensor2D;
  if (typeof spec === 'string') return LOSS_TABLE[spec](x, y, 1);
  const entries = LOSS_NAMES.filter((name) => spec[name] !== undefined).map((name) => [name, spec[name]!] as const);
  if (entries.length === 0) throw new RangeError('train.loss: a weighted sum needs at least one loss');
  return tf.tidy(() => {
    let total: tf.Scalar | null = null;
    for (const [name, term] of entries) {
      const part = tf.mul(LOSS_TABLE[name](x, y, term), weightOf(term)) as tf.Scalar;
      total = total ? (tf.add(total, part) as tf.Scalar) : part;
    }
    return total!;
  });
}

function weightOf(term: LossTerm): number {
  return typeof term === 'number' ? term : (term.weight ?? MR_STFT_LOSS_DEFAULTS.weight);
}

/** mr_stft's options from its config entry (a bare weight: all defaults). */
export function mrStftOptionsOf(term: LossTerm): MrStftOptions {
  const c: MrStftTermConfig = typeof term === 'number' ? {} : term;
  return {
    fftSizes: c.fft_sizes ?? MR_STFT_LOSS_DEFAULTS.fft_sizes,
    hopRatio: c.hop_ratio ?? MR_STFT_LOSS_DEFAULTS.hop_ratio,
    scWeight: c.sc_weight ?? MR_STFT_LOSS_DEFAULTS.sc_weight,
    magWeight: c.mag_weight ?? MR_STFT_LOSS_DEFAULTS.mag_weight,
  };
}

/**
 * mean over the batch of scWeight·SC + magWeight·LM (src/eval/reconstruction.ts: the metric's own definition).
 * With the native kernels on wasm, value and gradient come from one native call that implements that definition with
 * real FFTs (src/backend/native-mrstft.ts), differentiable in `output` only (the target is the data), like
 * meanSquaredError; elsewhere the tfjs ops of mrStftTerms, differentiable in both.
 */
export function mrStftLoss(target: tf.Tensor2D, output: tf.Tensor2D, options: MrStftOptions = MR_STFT_DEFAULTS): tf.Scalar {
  if (nativeMrStftApplies(target, output, options)) {
    // (customGrad's typings take rest arguments: the output, then the save function)
    const loss = tf.customGrad(((out: tf.Tensor, save: tf.GradSaveFunc) => {
      const batch = out.shape[0]!;
      const fused = nativeMrStft(target, out as tf.Tensor2D, options, MR_STFT_POWER_FLOOR, 1 / batch)!;
      save([fused.gradient]);
      let total = 0;
      for (let b = 0; b < batch; b++) total += options.scWeight * fused.sc[b]! + options.magWeight * fused.lm[b]!;
      return { value: tf.scalar(total / batch), gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [scaledBy(saved[0]!, dy)] };
    }) as unknown as Parameters<typeof tf.customGrad<tf.Scalar>>[0]);
    return loss(output) as tf.Scalar;
  }
  return tf.tidy(() => {
    const { sc, lm } = mrStftTerms(target, output, options);
    return tf.mean(tf.add(tf.mul(sc, options.scWeight), tf.mul(lm, options.magWeight))) as tf.Scalar;
  });
}

/**
 * The log-mel distance's fixed parameters: the FFT, hop and bands of the eval mel features (src/eval/mel.ts) at
 * the datasets' 44.1 kHz; the power floor 1e-5 (a magnitude of ~3e-3 in unnormalised sums, ~−100 dB below a
 * full-scale sine at N = 1024) keeps silent bands from dominating through round-off.
 */
export const LOG_MEL_LOSS = { fftSize: 1024, hop: 256, bands: 64, sampleRate: 44100, powerFloor: 1e-5 } as const;

const melMatrices = new Map<string, tf.Tensor2D>();

/** The mel filterbank as a dense [bins, bands] matrix (cached per backend). */
function melMatrix(): tf.Tensor2D {
  const key = tf.getBackend();
  let m = melMatrices.get(key);
  if (!m || m.isDisposed) {
    const { fftSize, bands, sampleRate } = LOG_MEL_LOSS;
    const bins = fftSize / 2 + 1;
    const data = new Float32Array(bins * bands);
    melFilterbank(bands, fftSize, sampleRate).forEach((band, b) => {
      band.weights.forEach((w, i) => (data[(band.start + i) * bands + b] = w));
    });
    m = tf.keep(tf.tensor2d(data, [bins, bands]));
    melMatrices.set(key, m);
  }
  return m;
}

/**
 * Log-mel distance: with M = (|STFT|² · mel filterbank) + ε the mel power (Hann, FFT 1024, hop 256, 64 HTK bands),
 * mean over batch, frames and bands of |ln M(x) − ln M(x̂)|. A gain of g dB far above the floor gives g·ln(10)/10.
 */
export function logMelLoss(target: tf.Tensor2D, output: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const { fftSize, hop, powerFloor } = LOG_MEL_LOSS;
    const mel = (x: tf.Tensor2D) => {
      const p = stftPowers(x, fftSize, hop);
      const [batch, frames, bins] = p.shape;
      return tf.log(tf.add(tf.matMul(p.reshape([batch * frames, bins]), melMatrix()), powerFloor));
    };
    return tf.mean(tf.abs(tf.sub(mel(target), mel(output)))) as tf.Scalar;
  });
}

/**
 * The envelope/transient loss's fixed parameters: RMS over 64-sample blocks (1.5 ms at 44.1 kHz, shorter than a
 * drum's attack), blocks weighted 1 + attackBoost·exp(−t/attackSamples) with t the block's first sample: the first
 * 10 ms count up to 5 times as much as the tail, where the study heard its "clicks at the start".
 */
export const ENVELOPE_LOSS = { block: 64, attackSamples: 441, attackBoost: 4, powerFloor: 1e-8 } as const;

/**
 * Envelope/transient loss: with e[b] = sqrt(mean over block b of x² + ε) (the signal zero-padded to whole blocks)
 * and weights w[b] as in ENVELOPE_LOSS, mean over the batch of Σ_b w[b]·|e_x[b] − e_x̂[b]| / Σ_b w[b].
 */
export function envelopeLoss(target: tf.Tensor2D, output: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const { block, attackSamples, attackBoost, powerFloor } = ENVELOPE_LOSS;
    const [batch, length] = target.shape;
    const blocks = Math.max(1, Math.ceil(length / block));
    const envelope = (x: tf.Tensor2D) =>
      tf.sqrt(tf.add(tf.mean(tf.square(tf.pad(x, [[0, 0], [0, blocks * block - length]]).reshape([batch, blocks, block])), 2), powerFloor));
    const w = Float32Array.from({ length: blocks }, (_, b) => 1 + attackBoost * Math.exp(-(b * block) / attackSamples));
    const weightSum = w.reduce((s, v) => s + v, 0);
    const weights = tf.tensor1d(w.map((v) => v / weightSum));
    return tf.mean(tf.sum(tf.mul(tf.abs(tf.sub(envelope(target), envelope(output))), weights), 1)) as tf.Scalar;
  });
}

/**
 * mean((output − target)²), differentiable in `output` only (the target is the data). The gradient is written out,
 * 2·(output − target)/n · dy from the saved difference: tfjs' own chain (mean, square, sub) makes about ten passes
 * over the batch where this makes four, which is a third of the small dense autoencoder's training step on wasm.
 */
export function meanSquaredError(output: tf.Tensor, target: tf.Tensor): tf.Scalar {
  // (customGrad's typings take rest arguments: the output, then the save function)
  const mse = tf.customGrad(((out: tf.Tensor, save: tf.GradSaveFunc) => {
    // With the native kernels: value and 2·(y − x)/n in one pass; then the gradient is that times dy.
    const fused = nativeMeanSquaredError(out, target);
    if (fused) {
      save([fused.gradient]);
      return { value: fused.value, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [scaledBy(saved[0]!, dy)] };
    }
    const diff = tf.sub(out, target);
    save([diff]);
    return {
      value: tf.mean(tf.square(diff)) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const d = saved[0]!;
        return [tf.mul(d, tf.mul(dy, 2 / d.size))];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad<tf.Scalar>>[0]);
  return mse(output) as tf.Scalar;
}

/** g·dy for a scalar dy; the common dy = 1 (the loss itself is minimised) needs no pass over g. */
function scaledBy(g: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  return dy.size === 1 && dy.dataSync()[0] === 1 ? g.clone() : tf.mul(g, dy);
}
