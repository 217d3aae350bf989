/**
 * Reconstruction metrics for one pair (target x, reconstruction x̂) of equal length. Set-level numbers are the
 * mean over pairs (see summary.ts). Formulas are repeated in docs/metrics.md.
 */
import * as tf from '@tensorflow/tfjs';
import { powerSpectrogram, stftMagnitudes } from './spectrum';

/** Mean squared error: (1/N)·Σ (x[n] − x̂[n])². An empty pair has no error (0). */
export function mse(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkSameLength(x, y, 'mse');
  if (x.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i]! - y[i]!;
    s += d * d;
  }
  return s / x.length;
}

/** FFT sizes of the multi-resolution STFT distance (hop = size/4, Hann window), as the metric reports it. */
export const MR_STFT_SIZES: readonly number[] = [2048, 1024, 512, 256, 128];

/**
 * Power floor ε of the STFT magnitudes, |S| = sqrt(|X|² + ε): it keeps the logarithm and the gradient of the
 * square root finite on silent bins. 1e-7 is Parallel WaveGAN's clamp on the power; magnitudes are unnormalised
 * sums (a full-scale sine reaches ~N/4), so the floor 3.2e-4 is ~−110 dB below full scale at N = 128 and lower at
 * larger N, and it sits above the float32 round-off of a 2048-point DFT of full-scale audio (~1e-5), so silent
 * regions of two signals compare as equal rather than as the ratio of two round-off noises.
 */
export const MR_STFT_POWER_FLOOR = 1e-7;

/** The parameters of the multi-resolution STFT distance (the loss reads them from the config, the metric uses the defaults). */
export interface MrStftOptions {
  /** FFT sizes N, powers of two. */
  fftSizes: readonly number[];
  /** hop = N · hopRatio; 1/hopRatio must be an integer (frames are assembled from hop-long blocks). */
  hopRatio: number;
  /** Weights of the spectral-convergence and log-magnitude parts. */
  scWeight: number;
  magWeight: number;
}

export const MR_STFT_DEFAULTS: Readonly<MrStftOptions> = { fftSizes: MR_STFT_SIZES, hopRatio: 0.25, scWeight: 1, magWeight: 1 };

/** Multi-resolution STFT distance and its two parts, each averaged over the FFT sizes. */
export interface MrStftDistance {
  /** mean over sizes of (spectral convergence + log-magnitude L1). */
  total: number;
  /** mean over sizes of ‖|S| − |Ŝ|‖_F / ‖|S|‖_F. */
  spectralConvergence: number;
  /** mean over sizes of mean_{f,k} |ln|S| − ln|Ŝ||. */
  logMagnitude: number;
}

/**
 * sqrt with gradient 0.5/sqrt(v) that is 0 where v = 0: the norm of a zero difference (a perfect reconstruction)
 * would otherwise give 0·∞ = NaN, though its true subgradient 0 is what the difference's own gradient gives.
 */
const normFromSquare = tf.customGrad(((v: tf.Tensor, save: tf.GradSaveFunc) => {
  const root = tf.sqrt(v);
  save([root]);
  return { value: root, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.divNoNan(tf.mul(dy, 0.5), saved[0]!)] };
}) as unknown as Parameters<typeof tf.customGrad<tf.Tensor>>[0]);

/**
 * THE definition of the multi-resolution STFT distance, used by the `mr_stft` training loss and by `evaluate`'s
 * metric alike. For each N in fftSizes (hop N·hopRatio, periodic Hann, framing of spectrum.ts), with
 * |S| = sqrt(|STFT(x)|² + ε) and |Ŝ| likewise for x̂, per example:
 *   SC_N = ‖|S| − |Ŝ|‖_F / ‖|S|‖_F,   LM_N = mean over frames and bins of |ln|S| − ln|Ŝ||,
 * and returns [batch] vectors sc = mean_N SC_N and lm = mean_N LM_N (the distance is scWeight·sc + magWeight·lm).
 * x is the target (the reference of SC), y the reconstruction. Differentiable in both. Call inside tf.tidy.
 * The training loss on wasm with the native kernels runs native/src/mrstft_isa.inc instead, an implementation of this
 * definition with real FFTs that test/backend/native-mrstft.test.ts holds to this function.
 */
export function mrStftTerms(x: tf.Tensor2D, y: tf.Tensor2D, options: MrStftOptions): { sc: tf.Tensor1D; lm: tf.Tensor1D } {
  if (options.fftSizes.length === 0) throw new RangeError('mr_stft: at least one FFT size is needed');
  if (!tf.util.arraysEqual(x.shape, y.shape)) throw new RangeError(`mr_stft: shapes differ (${x.shape} vs ${y.shape})`);
  let sc: tf.Tensor = tf.zeros([x.shape[0]]);
  let lm: tf.Tensor = tf.zeros([x.shape[0]]);
  for (const size of options.fftSizes) {
    const hop = size * options.hopRatio;
    if (!Number.isInteger(hop) || !Number.isInteger(size / hop)) {
      throw new RangeError(`mr_stft: hop ratio ${options.hopRatio} does not give a hop that divides FFT size ${size}`);
    }
    const s = stftMagnitudes(x, size, hop, MR_STFT_POWER_FLOOR);
    const t = stftMagnitudes(y, size, hop, MR_STFT_POWER_FLOOR);
    const numerator = normFromSquare(tf.sum(tf.square(tf.sub(s, t)), 1));
    const denominator = tf.sqrt(tf.sum(tf.square(s), 1)); // >= sqrt(frames·bins·ε) > 0
    sc = tf.add(sc, tf.div(numerator, denominator));
    lm = tf.add(lm, tf.mean(tf.abs(tf.sub(tf.log(s), tf.log(t))), 1));
  }
  const count = options.fftSizes.length;
  return { sc: tf.div(sc, count) as tf.Tensor1D, lm: tf.div(lm, count) as tf.Tensor1D };
}

/**
 * The metric: the multi-resolution STFT distance of one pair (see mrStftTerms; hop N/4, both parts weighted 1),
 * computed in float32 on the active TF.js backend. Identical inputs give exactly 0; a copy scaled by a > 0 gives
 * SC ≈ |1 − a| and LM ≈ |ln a| (exactly so away from the ε floor).
 */
export function mrStftDistance(x: ArrayLike<number>, y: ArrayLike<number>, sizes: readonly number[] = MR_STFT_SIZES): MrStftDistance {
  checkSameLength(x, y, 'mrStftDistance');
  if (sizes.length === 0) throw new RangeError('mrStftDistance: at least one FFT size is needed');
  const [sc, lm] = tf.tidy(() => {
    const terms = mrStftTerms(tf.tensor2d(Float32Array.from(x), [1, x.length]), tf.tensor2d(Float32Array.from(y), [1, y.length]), {
      ...MR_STFT_DEFAULTS,
      fftSizes: sizes,
    });
    return [terms.sc, terms.lm];
  });
  const spectralConvergence = sc!.dataSync()[0]!;
  const logMagnitude = lm!.dataSync()[0]!;
  tf.dispose([sc!, lm!]);
  return { total: spectralConvergence + logMagnitude, spectralConvergence, logMagnitude };
}

/** FFT size and hop of the log-spectral distance. */
export const LSD_FFT_SIZE = 2048;
export const LSD_HOP = 512;
/**
 * Power floor of the log-spectral distance: 1e-10 is −100 dB relative to a unit-variance white noise bin
 * (powers are divided by the window energy, see powerSpectrogram), below anything audible in a 24-bit sample,
 * so near-silent tails do not dominate the distance with the ratio of two round-off noises.
 */
export const LSD_EPSILON = 1e-10;

/**
 * Log-spectral distance in dB: with P, P̂ the power spectrograms (FFT 2048, hop 512, Hann),
 *   LSD = mean over frames f of sqrt( mean over bins k of (10·log10((P[f,k] + ε)/(P̂[f,k] + ε)))² ).
 * Identical inputs give 0; a copy scaled by a gives ≈ |20·log10 a|.
 */
export function logSpectralDistance(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  fftSize = LSD_FFT_SIZE,
  hop = LSD_HOP,
  epsilon = LSD_EPSILON,
): number {
  checkSameLength(x, y, 'logSpectralDistance');
  const p = powerSpectrogram(x, fftSize, hop);
  const q = powerSpectrogram(y, fftSize, hop);
  let total = 0;
  for (let f = 0; f < p.frames; f++) {
    let s = 0;
    for (let k = 0; k < p.bins; k++) {
      const i = f * p.bins + k;
      const d = 10 * Math.log10((p.data[i]! + epsilon) / (q.data[i]! + epsilon));
      s += d * d;
    }
    total += Math.sqrt(s / p.bins);
  }
  return total / p.frames;
}

function checkSameLength(x: ArrayLike<number>, y: ArrayLike<number>, what: string): void {
  if (x.length !== y.length) {
    throw new RangeError(`${what}: the two signals differ in length (${x.length} vs ${y.length} samples)`);
  }
}
