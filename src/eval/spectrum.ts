/**
 * Short-time spectra shared by every spectral metric: one framing convention, one window, one FFT library, so
 * that two metrics that say "FFT 1024" look at exactly the same numbers.
 *
 * Framing: frames start at sample 0 and advance by `hop`; the signal is zero-padded at the end so that every
 * sample lies in at least one frame, and a signal shorter than the FFT size becomes one zero-padded frame. No
 * centring/reflection padding: one-shots start at their attack, and reflecting it would invent a second one.
 */
import * as tf from '@tensorflow/tfjs';
import FFT = require('fft.js');

/** A row-major frames × bins matrix of real values (magnitudes or powers) for bins 0 … fftSize/2. */
export interface Spectrogram {
  frames: number;
  bins: number;
  data: Float64Array;
}

// FFT plans and windows are costly to build and immutable once built, so they are shared per size.
const plans = new Map<number, FFT>();
const windows = new Map<number, Float64Array>();

function plan(size: number): FFT {
  let p = plans.get(size);
  if (!p) {
    p = new FFT(size);
    plans.set(size, p);
  }
  return p;
}

/** Checks an FFT size: a power of two of at least 4 (fft.js's radix-4 plan needs a power of two). */
export function checkFftSize(size: number): void {
  if (!Number.isInteger(size) || size < 4 || (size & (size - 1)) !== 0) {
    throw new RangeError(`FFT size must be a power of two >= 4, got ${size}`);
  }
}

function checkHop(hop: number): void {
  if (!Number.isInteger(hop) || hop < 1) throw new RangeError(`STFT hop must be a positive integer, got ${hop}`);
}

/**
 * The periodic Hann window w[n] = 0.5 − 0.5·cos(2πn/N), n = 0 … N−1 (periodic, as scipy.signal.get_window and
 * torch.hann_window use for spectral analysis, so that overlapped frames at hop N/4 sum to a constant).
 * The returned array is shared: do not modify it.
 */
export function hannWindow(size: number): Float64Array {
  let w = windows.get(size);
  if (!w) {
    w = new Float64Array(size);
    for (let n = 0; n < size; n++) w[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / size);
    windows.set(size, w);
  }
  return w;
}

/** Frames for a signal of `length` samples: 1 when it fits in one FFT, else 1 + ceil((length − size)/hop). */
export function frameCount(length: number, fftSize: number, hop: number): number {
  if (length <= fftSize) return 1;
  return 1 + Math.ceil((length - fftSize) / hop);
}

/**
 * Calls `visit(frame, spectrum)` for each Hann-windowed frame, where `spectrum` holds the complex FFT of the
 * frame as interleaved re/im for bins 0 … size/2 (the buffer is reused between calls).
 */
function forEachFrame(
  x: ArrayLike<number>,
  fftSize: number,
  hop: number,
  visit: (frame: number, spectrum: Float64Array) => void,
): number {
  checkFftSize(fftSize);
  checkHop(hop);
  const fft = plan(fftSize);
  const w = hannWindow(fftSize);
  const frames = frameCount(x.length, fftSize, hop);
  const input = new Float64Array(fftSize);
  const out = new Float64Array(2 * fftSize);
  for (let f = 0; f < frames; f++) {
    const start = f * hop;
    const end = Math.min(start + fftSize, x.length);
    let n = 0;
    for (let i = start; i < end; i++, n++) input[n] = x[i]! * w[n]!;
    for (; n < fftSize; n++) input[n] = 0;
    fft.realTransform(out, input);
    visit(f, out);
  }
  return frames;
}

/** Magnitudes |X[f, k]| of the Hann-windowed STFT, unnormalised (the plain sum Σ x[n]·w[n]·e^{−2πikn/N}). */
export function magnitudeSpectrogram(x: ArrayLike<number>, fftSize: number, hop: number): Spectrogram {
  const bins = fftSize / 2 + 1;
  const data = new Float64Array(frameCount(x.length, fftSize, hop) * bins);
  const frames = forEachFrame(x, fftSize, hop, (f, s) => {
    const row = f * bins;
    for (let k = 0; k < bins; k++) data[row + k] = Math.hypot(s[2 * k]!, s[2 * k + 1]!);
  });
  return { frames, bins, data };
}

/**
 * Power spectrogram P[f, k] = |X[f, k]|² / Σ w[n]²: dividing by the window's energy makes the expected value
 * of every bin equal σ² for white noise of variance σ², whatever the FFT size, so dB levels compare across sizes.
 */
export function powerSpectrogram(x: ArrayLike<number>, fftSize: number, hop: number): Spectrogram {
  const bins = fftSize / 2 + 1;
  const w = hannWindow(fftSize);
  let energy = 0;
  for (let n = 0; n < fftSize; n++) energy += w[n]! * w[n]!;
  const data = new Float64Array(frameCount(x.length, fftSize, hop) * bins);
  const frames = forEachFrame(x, fftSize, hop, (f, s) => {
    const row = f * bins;
    for (let k = 0; k < bins; k++) {
      const re = s[2 * k]!;
      const im = s[2 * k + 1]!;
      data[row + k] = (re * re + im * im) / energy;
    }
  });
  return { frames, bins, data };
}

/** Welch's estimate: the power spectrogram averaged over frames (bins 0 … fftSize/2). */
export function welchPowerSpectrum(x: ArrayLike<number>, fftSize: number, hop: number): Float64Array {
  const p = powerSpectrogram(x, fftSize, hop);
  const mean = new Float64Array(p.bins);
  for (let f = 0; f < p.frames; f++) {
    for (let k = 0; k < p.bins; k++) mean[k]! += p.data[f * p.bins + k]!;
  }
  for (let k = 0; k < p.bins; k++) mean[k]! /= p.frames;
  return mean;
}

/** The centre frequency in Hz of FFT bin k. */
export function binFrequency(k: number, fftSize: number, sampleRate: number): number {
  return (k * sampleRate) / fftSize;
}

// ---------------------------------------------------------------------------------------------------------------
// The same STFT on TF.js tensors, for losses (differentiable) and for the metrics that share their definition.
// tfjs-backend-wasm has no FFT kernel, so the DFT is a product with a fixed basis: tf.matMul, which the wasm
// backend runs on sampgen's native GEMM. O(N²) per frame instead of O(N log N), but on a kernel that runs near
// peak, and it differentiates with one more GEMM.
// ---------------------------------------------------------------------------------------------------------------
/** Real and imaginary DFT rows of the windowed frame, side by side: [N, 2·(N/2+1)] (cached per size and backend). */
const dftBases = new Map<string, tf.Tensor2D>();

function dftBasis(fftSize: number): tf.Tensor2D {
  const key = `${tf.getBackend()}:${fftSize}`;
  let basis = dftBases.get(key);
  if (!basis || basis.isDisposed) {
    const bins = fftSize / 2 + 1;
    const w = hannWindow(fftSize);
    const data = new Float32Array(fftSize * 2 * bins);
    for (let n = 0; n < fftSize; n++) {
      for (let k = 0; k < bins; k++) {
        // (k·n mod N) keeps the angle small, so float64 cos/sin are exact to the last bit of float32.
        const angle = (2 * Math.PI * ((k * n) % fftSize)) / fftSize;
        data[n * 2 * bins + k] = w[n]! * Math.cos(angle);
        data[n * 2 * bins + bins + k] = -w[n]! * Math.sin(angle);
      }
    }
    basis = tf.keep(tf.tensor2d(data, [fftSize, 2 * bins]));
    dftBases.set(key, basis);
  }
  return basis;
}

/**
 * Hann-windowed frames of each row of x [batch, length], with the framing of `magnitudeSpectrogram` (frames from
 * sample 0, zero-padded at the end), as [batch·frames, N]. The hop must divide N: the padded signal is cut into
 * hop-long blocks and frame f is blocks f … f + N/hop − 1, so framing is N/hop slices and a concat (both cheap and
 * differentiable on every backend, unlike a gather).
 */
function frameRows(x: tf.Tensor2D, fftSize: number, hop: number): { frames: tf.Tensor2D; count: number } {
  checkFftSize(fftSize);
  checkHop(hop);
  if (fftSize % hop !== 0) throw new RangeError(`STFT hop ${hop} must divide the FFT size ${fftSize}`);
  const [batch, length] = x.shape;
  const count = frameCount(length, fftSize, hop);
  const blocksPerFrame = fftSize / hop;
  const blocks = count - 1 + blocksPerFrame;
  const padded = tf.pad(x, [[0, 0], [0, blocks * hop - length]]).reshape([batch, blocks, hop]);
  const parts: tf.Tensor[] = [];
  for (let j = 0; j < blocksPerFrame; j++) parts.push(tf.slice(padded, [0, j, 0], [batch, count, hop]));
  const frames = (parts.length === 1 ? parts[0]! : tf.concat(parts, 2)).reshape([batch * count, fftSize]) as tf.Tensor2D;
  return { frames, count };
}

/**
 * Smoothed STFT magnitudes sqrt(|X[f, k]|² + ε) of each row of x [batch, length], as [batch, frames·bins]: the
 * unnormalised sums of `magnitudeSpectrogram` (same window and framing), with a power floor ε that keeps the
 * gradient of the square root finite where a bin is exactly 0. Call inside tf.tidy.
 */
export function stftMagnitudes(x: tf.Tensor2D, fftSize: number, hop: number, powerFloor: number): tf.Tensor2D {
  const { frames } = frameRows(x, fftSize, hop);
  const spectrum = tf.matMul(frames, dftBasis(fftSize));
  const bins = fftSize / 2 + 1;
  const power = tf.add(tf.square(spectrum).reshape([-1, 2, bins]).sum(1), powerFloor);
  return tf.sqrt(power).reshape([x.shape[0], -1]) as tf.Tensor2D;
}

/** Powers |X[f, k]|² (no floor) of each row of x [batch, length], as [batch, frames, bins]. Call inside tf.tidy. */
export function stftPowers(x: tf.Tensor2D, fftSize: number, hop: number): tf.Tensor3D {
  const { frames, count } = frameRows(x, fftSize, hop);
  const spectrum = tf.matMul(frames, dftBasis(fftSize));
  const bins = fftSize / 2 + 1;
  return tf.square(spectrum).reshape([-1, 2, bins]).sum(1).reshape([x.shape[0], count, bins]) as tf.Tensor3D;
}
