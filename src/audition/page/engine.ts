import * as tf from '@tensorflow/tfjs';

/**
 * TensorFlow.js in the page: choosing the backend, loading a model's parts from the server, and decoding points
 * as fast as the display refreshes without ever queueing stale work.
 */

export type PageBackend = 'webgl' | 'cpu';

/**
 * The WebGL renderer's name when it is a software rasterizer (SwiftShader, llvmpipe: what a browser without a
 * usable GPU gets), else null. There WebGL is several times slower than the cpu backend (measured in headless
 * Chromium: ~235 ms against ~50 ms for a 384 → 44100 dense layer), so the page does not choose it by default.
 */
function softwareWebGL(): string | null {
  try {
    const gl = document.createElement('canvas').getContext('webgl2') ?? document.createElement('canvas').getContext('webgl');
    if (!gl) return null;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return /swiftshader|llvmpipe|softpipe|software/i.test(renderer) ? renderer : null;
  } catch {
    return null;
  }
}

/**
 * `?backend=cpu` or `?backend=webgl` forces one; otherwise WebGL (a GPU shader per layer, fast for the wide
 * output layers of dense decoders) when it runs on a GPU, and the pure-JS cpu backend where WebGL is missing
 * or only emulated in software.
 */
export async function initPageBackend(requested: string | null): Promise<PageBackend> {
  const order: PageBackend[] =
    requested === 'cpu' ? ['cpu'] : requested === 'webgl' ? ['webgl'] : softwareWebGL() ? ['cpu'] : ['webgl', 'cpu'];
  for (const name of order) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
    } catch {
      // try the next one
    }
  }
  throw new Error(`no TF.js backend could start (tried ${order.join(', ')})`);
}

export interface LoadedParts {
  decoder: tf.LayersModel;
  encoder: tf.LayersModel | null;
}

/** Loads the decoder (or generator) and, when the export has one, the encoder, from the URLs `partUrl` gives. */
export async function loadParts(folder: string, parts: readonly string[], partUrl: (folder: string, part: string) => string): Promise<LoadedParts> {
  const decoderPart = parts.includes('decoder') ? 'decoder' : parts.includes('generator') ? 'generator' : null;
  if (!decoderPart) throw new Error(`model ${folder} has neither a decoder nor a generator (parts: ${parts.join(', ')})`);
  const decoder = await tf.loadLayersModel(partUrl(folder, decoderPart));
  const encoder = parts.includes('encoder') ? await tf.loadLayersModel(partUrl(folder, 'encoder')) : null;
  return { decoder, encoder };
}

export function disposeParts(p: LoadedParts | null): void {
  if (!p) return;
  p.decoder.dispose();
  p.encoder?.dispose();
}

/**
 * Why a point was asked for: the page plays a decode of a press, a release or a key at once, drags throttled;
 * 'start' (a model's first point) and 'share' (a link's) are not played before the user asks.
 */
export type DecodeReason = 'start' | 'share' | 'press' | 'drag' | 'release' | 'key' | 'slider' | 'random' | 'drop' | 'mark' | 'pad' | 'undo' | 'nearest' | 'favourite';

export interface Decoded {
  point: number[];
  /** The condition vector it was decoded with (a conditional model's second input), or null. */
  condition: number[] | null;
  samples: Float32Array;
  reason: DecodeReason;
  /** Milliseconds from starting the decode to having the samples. */
  ms: number;
}

/**
 * Decodes latent points on animation frames, the latest only: a request replaces any that has not started, and
 * at most one decode runs at a time. At a 30 Hz pointer rate on a 60 Hz display every pointer position is
 * decoded when a decode takes under ~30 ms; when it takes longer, intermediate positions are skipped, never
 * queued, so the sound follows the pointer instead of lagging further and further behind.
 */
export class Decoder {
  private pending: { point: number[]; condition: number[] | null; reason: DecodeReason } | null = null;
  private busy = false;
  private frameRequested = false;
  private disposed = false;
  /** Decodes finished and requests replaced before they started (for tests and the status line). */
  decodes = 0;
  dropped = 0;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly latent: number,
    private readonly onDecoded: (d: Decoded) => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** `condition`: a conditional model's second input (conditioning.ts vectorOf), null for any other model. */
  request(point: readonly number[], condition: ArrayLike<number> | null, reason: DecodeReason): void {
    if (this.disposed) return;
    if (this.pending) this.dropped++;
    this.pending = { point: [...point], condition: condition ? Array.from(condition) : null, reason };
    this.schedule();
  }

  dispose(): void {
    this.disposed = true;
    this.pending = null;
  }

  private schedule(): void {
    if (this.frameRequested || this.busy) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      void this.run();
    });
  }

  private async run(): Promise<void> {
    if (this.busy || !this.pending || this.disposed) return;
    const { point, condition, reason } = this.pending;
    this.pending = null;
    this.busy = true;
    const t0 = performance.now();
    try {
      const y = tf.tidy(() => (this.model.predict(modelInputs(tf.tensor2d(point, [1, this.latent]), condition)) as tf.Tensor).reshape([-1]));
      // data(), not dataSync(): on WebGL it waits for the GPU without blocking the page.
      const samples = (await y.data()) as Float32Array;
      y.dispose();
      if (!this.disposed) {
        this.decodes++;
        this.onDecoded({ point, condition, samples, reason, ms: performance.now() - t0 });
      }
    } catch (err) {
      this.onError(err);
    } finally {
      this.busy = false;
      if (this.pending) this.schedule();
    }
  }
}

/** One point decoded at once, outside the pad's queue (a kit's sounds, a dropped file's reconstruction). */
export async function decodePoint(model: tf.LayersModel, point: readonly number[], condition: ArrayLike<number> | null): Promise<Float32Array> {
  const y = tf.tidy(() => (model.predict(modelInputs(tf.tensor2d([...point], [1, point.length]), condition)) as tf.Tensor).reshape([-1]));
  const samples = (await y.data()) as Float32Array;
  y.dispose();
  return samples;
}

/** A conditional model's two inputs [x, condition] (its decoder's and its encoder's alike), or x alone. */
function modelInputs(x: tf.Tensor2D, condition: ArrayLike<number> | null): tf.Tensor2D | tf.Tensor2D[] {
  return condition ? [x, tf.tensor2d(Array.from(condition), [1, condition.length])] : x;
}

/** A preprocessed row (the model's length) → its latent point, through the encoder (with the row's condition vector for a conditional model). */
export async function encodeRow(encoder: tf.LayersModel, row: Float32Array, condition: ArrayLike<number> | null = null): Promise<number[]> {
  const z = tf.tidy(() => (encoder.predict(modelInputs(tf.tensor2d(row, [1, row.length]), condition)) as tf.Tensor).reshape([-1]));
  const values = Array.from((await z.data()) as Float32Array);
  z.dispose();
  return values;
}
