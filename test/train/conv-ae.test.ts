import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { resolveConfigObject } from '../../src/config';
import { trainModel } from '../../src/train/run';
import { readLog } from '../../src/train/log';
import { loadModelPart, readModelMetadata } from '../../src/export';
import { silentProgress } from '../../src/progress';
import { tempDir, writeTestDataset } from '../helpers/dataset';
import { Rng } from '../../src/util/rng';

const LENGTH = 1024;

/** Drum-like hits that fill the window: decaying sines of varied pitch, level and decay (hundreds of samples). */
function hits(count: number, seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => {
    const f = rng.uniform(0.005, 0.05);
    const a = rng.uniform(0.3, 0.9);
    const d = rng.uniform(150, 500);
    return Float32Array.from({ length: LENGTH }, (_, t) => a * Math.exp(-t / d) * Math.sin(2 * Math.PI * f * t));
  });
}

/**
 * The convolutional autoencoder through the generic loop, on wasm (with sampgen's kernel patches): the backend
 * sampgen trains on without tfjs-node, and far faster here than the cpu backend's scalar conv gradients.
 */
// d = 8: at d = 2..4 a run this short barely moves the loss off its starting plateau.
function config(root: string, data: string, upsample: 'transpose' | 'nn') {
  return resolveConfigObject(
    {
      name: `tiny-conv-ae-${upsample}`,
      model: { type: 'conv-ae', latent: 2, length: LENGTH, d: 8, upsample },
      data: { path: data, validation: 0.25 },
      train: { epochs: 30, batch_size: 4, lr: 2e-3, seed: 5, backend: 'wasm', checkpoint_every: 30, log_every: 1 },
      output: { runs: path.join(root, 'runs'), models: path.join(root, 'models') },
    },
    'test config',
  );
}

describe('trainModel (convolutional autoencoder)', () => {
  for (const upsample of ['transpose', 'nn'] as const) {
    test(`lowers the loss and exports encoder/decoder that stock-load and reproduce the training latents (${upsample})`, async () => {
      const root = tempDir();
      const rows = hits(16, 1);
      const data = writeTestDataset(path.join(root, 'data'), rows);
      const result = await trainModel({ loaded: config(root, data, upsample), progress: silentProgress });
      expect(result.status).toBe('completed');
      expect(result.backend).toBe('wasm');
      const log = readLog(result.runDir);
      
      expect(log).toHaveLength(30);
      // A thin, deep ReLU decoder starts on a plateau (output ≈ 0, loss = mean x²) and leaves it slowly; 90 steps
      // take the loss down by about a third (transpose) and an eighth (nn, whose plateau is flatter).
      expect(log.at(-1)!.loss).toBeLessThan((upsample === 'transpose' ? 0.8 : 0.9) * log[0]!.loss);

      const meta = readModelMetadata(result.modelDir!);
      expect(meta).toMatchObject({ model_type: 'conv-ae', latent: 2, length: LENGTH, latent_prior: null });
      expect([...meta.parts].sort()).toEqual(['decoder', 'encoder']);
      const encoder = await loadModelPart(result.modelDir!, 'encoder');
      const decoder = await loadModelPart(result.modelDir!, 'decoder');
      const x = tf.tensor2d(rows.map((r) => Array.from(r)));
      const z = (encoder.predict(x) as tf.Tensor).arraySync() as number[][];
      z.forEach((p, i) => p.forEach((v, d) => expect(v).toBeCloseTo(meta.latent_points![i]![d]!, 4)));
      const y = decoder.predict(tf.tensor2d(z)) as tf.Tensor;
      expect(y.shape).toEqual([16, LENGTH]);
      // The exported pair reconstructs about as well as the last logged training loss says.
      const mse = tf.mean(tf.square(tf.sub(y, x))).dataSync()[0]!;
      expect(mse).toBeLessThan(2 * log.at(-1)!.loss);
    });
  }
});
