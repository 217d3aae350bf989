import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';
import { Rng } from '../util/rng';
import { absLeakyRelu, phaseShuffleOp } from './critic-ops';
import { CONV_LAYERS, downsampleLayers, LEAKY_ALPHA, LENGTH_UNIT, Upsample, upsampleLayers } from './conv';

/** WaveGAN's window: 16 · 4^5 samples. */
export const WAVEGAN_LENGTH = 16 * LENGTH_UNIT;

/**
 * WaveGAN (Donahue et al. 2019): a generator from a latent vector (uniform in [−1, 1]) to a window of samples, and
 * a critic with phase shuffle, trained as WGAN-GP (src/train/gan-trainer.ts).
 *
 * The generator is made of stock layers only (it is what gets exported). The critic is never exported and holds
 * one custom layer, AbsLeakyReLU: the gradient penalty differentiates the critic's input gradient with respect to
 * its weights, and tfjs cannot differentiate the stock LeakyReLU twice (its gradient uses `Greater`, which has no
 * gradient: "gradient function not found for Greater").
 */

/**
 * LeakyReLU(α) as ((1+α)/2)·x + ((1−α)/2)·|x|, the same function (0.6·x + 0.4·|x| for α = 0.2) written so that tfjs
 * differentiates it to any order: its gradient is dy·0.6 + (dy·0.4)·step(x) with step = 1 above 0 and −1 at and
 * below (the slope is α at 0, as in tfjs' leakyRelu gradient), and that gradient's own derivative in x is 0, as it
 * is almost everywhere for the true function. Values agree with leakyRelu to float32 rounding (0.6 and 0.4 are not
 * exact in binary). One op per derivative (critic-ops.ts: a native kernel on wasm, the stock op chain elsewhere).
 */
export function twiceDifferentiableLeakyRelu<T extends tf.Tensor>(x: T, alpha = LEAKY_ALPHA): T {
  return absLeakyRelu(x, alpha);
}

export interface AbsLeakyReLUArgs {
  name?: string;
  alpha?: number;
}

/** The critic's activation layer: twiceDifferentiableLeakyRelu. Registered, so that a critic can be serialized. */
export class AbsLeakyReLU extends tf.layers.Layer {
  static readonly className = 'SampgenAbsLeakyReLU';
  readonly alpha: number;

  constructor(args: AbsLeakyReLUArgs = {}) {
    super({ name: args.name });
    this.alpha = args.alpha ?? LEAKY_ALPHA;
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return twiceDifferentiableLeakyRelu(x, this.alpha);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}
tf.serialization.registerClass(AbsLeakyReLU);

/**
 * Phase shuffle (WaveGAN §3.3) on a [batch, 1, width, channels] activation: example b is shifted by shifts[b]
 * samples along the width, out[b, t] = x[b, reflect(t − shifts[b])], with reflect padding (mirror without repeating
 * the edge sample), so the length is kept and nothing but a shift happens. Its gradient is the map's exact adjoint,
 * and the adjoint's gradient the shuffle again (critic-ops.ts: one native kernel each on wasm; elsewhere slices,
 * reverses, a concat and 0/1 masks, whose gradients tfjs has on every backend, unlike MirrorPad's, which drops the
 * reflected part, or gather's, which has no wasm kernel).
 */
export function phaseShuffle(x: tf.Tensor4D, shifts: ArrayLike<number>, n: number): tf.Tensor4D {
  const [batch, height, width] = x.shape;
  if (shifts.length !== batch) throw new Error(`phaseShuffle: ${shifts.length} shifts for a batch of ${batch}`);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`model.phase_shuffle must be a non-negative integer, got ${n}`);
  for (let b = 0; b < batch; b++) {
    const k = shifts[b]!;
    if (!Number.isInteger(k) || Math.abs(k) > n) throw new Error(`phaseShuffle: shift ${k} outside [-${n}, ${n}]`);
  }
  if (n === 0) return x.clone();
  if (n >= width) throw new UserError(`model.phase_shuffle = ${n} needs activations wider than ${n} samples, got width ${width}`);
  if (height !== 1) throw new Error(`phaseShuffle: expected [batch, 1, width, channels], got [${x.shape}]`);
  return phaseShuffleOp(x, shifts, n);
}

/** Per-example shifts in [−n, n] for each of the critic's first four layers, drawn from `seed`. */
export function phaseShuffleShifts(seed: number, batch: number, n: number): Int32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: CONV_LAYERS - 1 }, () => Int32Array.from({ length: batch }, () => rng.int(2 * n + 1) - n));
}

export interface WaveGanOptions {
  /** Latent size (WaveGAN: 100). */
  latent: number;
  /** Samples per example; a positive multiple of 1024 (WaveGAN: 16384). */
  length: number;
  /** Model size d (WaveGAN: 64). */
  d: number;
  upsample: Upsample;
  /** Seed of the initial weights of both networks. */
  seed: number;
}

export interface WaveGanParts {
  /** latent [B, latent] → samples [B, length]; stock layers only. */
  generator: tf.Sequential;
  /**
   * samples [B, length] → score [B, 1]. Its own `predict` runs it without phase shuffle; training runs it through
   * criticForward, which inserts the phase shuffle.
   */
  critic: tf.Sequential;
}

export function buildWaveGan(opts: WaveGanOptions): WaveGanParts {
  if (!Number.isInteger(opts.seed)) throw new UserError(`train.seed must be an integer, got ${opts.seed}`);
  const rng = new Rng(opts.seed);
  const generator = tf.sequential({
    name: 'generator',
    layers: upsampleLayers({ length: opts.length, d: opts.d, rng, prefix: 'gen', latent: opts.latent, upsample: opts.upsample }),
  });
  const critic = tf.sequential({
    name: 'critic',
    layers: downsampleLayers({
      length: opts.length,
      d: opts.d,
      rng,
      prefix: 'critic',
      outputs: 1,
      activation: (name) => new AbsLeakyReLU({ name, alpha: LEAKY_ALPHA }),
    }),
  });
  return { generator, critic };
}

/**
 * A Conv2D layer's output as tf.conv2d + bias (the same values the layer gives), or null for any other layer or a
 * configuration this does not cover. tfjs-layers runs such a layer through tf.fused.conv2d, a customGrad op that
 * computes the gradients of ALL its inputs whenever one of them is asked for: the penalty's inner gradient (in the
 * critic's input only) paid for every filter and bias gradient too, and every critic pass for the first layer's
 * input gradient (the data's). conv2d and add have registered gradients, which tfjs computes only for the inputs
 * on a path to what is differentiated: about a fifth of a unit's convolution work less.
 */
function convWithLazyGradients(layer: tf.layers.Layer, x: tf.Tensor): tf.Tensor | null {
  if (layer.getClassName() !== 'Conv2D') return null;
  const config = layer.getConfig();
  const dilation = config.dilationRate as number | number[] | undefined;
  const plain =
    config.dataFormat === 'channelsLast' &&
    (config.activation === 'linear' || config.activation == null) &&
    (dilation == null || [dilation].flat().every((d) => d === 1)) &&
    (config.padding === 'same' || config.padding === 'valid');
  const weights = layer.trainableWeights.map((w) => w.read());
  const kernel = weights.find((w) => w.rank === 4);
  const bias = weights.find((w) => w.rank === 1);
  if (!plain || !kernel || weights.length !== (bias ? 2 : 1) || x.rank !== 4) return null;
  const strides = config.strides as [number, number];
  const y = tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, strides, config.padding as 'same' | 'valid');
  return bias ? tf.add(y, bias) : y;
}

/**
 * The critic's score for a batch of samples [B, length] → [B, 1], with phase shuffle after each of the first four
 * conv+activation blocks when `phase` is given: shifts drawn from phase.seed (so a step's randomness is explicit),
 * or given (phaseShuffleShifts of a whole batch, sliced for a part of it).
 * Runs the critic's layers one by one; the critic is a plain chain (Sequential), so this is its forward pass.
 */
export function criticForward(
  critic: tf.Sequential,
  x: tf.Tensor,
  phase?: { n: number; seed: number } | { n: number; shifts: readonly Int32Array[] } | null,
): tf.Tensor2D {
  const shifts = !phase || phase.n <= 0 ? null : 'shifts' in phase ? phase.shifts : phaseShuffleShifts(phase.seed, x.shape[0]!, phase.n);
  return tf.tidy(() => {
    let h = x;
    let block = 0;
    for (const layer of critic.layers) {
      h = convWithLazyGradients(layer, h) ?? (layer.apply(h) as tf.Tensor);
      if (layer instanceof AbsLeakyReLU) {
        if (shifts && block < shifts.length) h = phaseShuffle(h as tf.Tensor4D, shifts[block]!, phase!.n);
        block++;
      }
    }
    return h as tf.Tensor2D;
  });
}
