import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { resolveConfigObject } from '../../src/config';
import { buildConvVae } from '../../src/models/conv-vae';
import { familyTypes } from '../../src/models/family';
import { trainModel } from '../../src/train/run';
import { readLog } from '../../src/train/log';
import { loadModelFromDir, readModelMetadata } from '../../src/export';
import { drumHits, tempDir, writeTestDataset } from '../helpers/dataset';
import { initBackend } from '../../src/backend';

const LENGTH = 1024;

const hits = (count: number, seed: number) => drumHits(count, seed, LENGTH);

beforeAll(async () => {
  await initBackend('wasm', () => undefined);
});

describe('conv-vae', () => {
  test('is a registered family; its encoder gives μ and log σ², the mean encoder μ alone, the decoder a full window', () => {
    expect(familyTypes()).toContain('conv-vae');
    const parts = buildConvVae({ latent: 3, length: LENGTH, d: 2, upsample: 'transpose', seed: 1 });
    const x = tf.tensor2d(hits(2, 1).flatMap((r) => Array.from(r)), [2, LENGTH]);
    const [mean, logVar] = parts.encoder.predict(x) as tf.Tensor[];
    expect(mean!.shape).toEqual([2, 3]);
    expect(logVar!.shape).toEqual([2, 3]);
    const meanOnly = parts.meanEncoder.predict(x) as tf.Tensor;
    expect(Array.from(meanOnly.dataSync())).toEqual(Array.from(mean!.dataSync()));
    expect((parts.decoder.predict(meanOnly) as tf.Tensor).shape).toEqual([2, LENGTH]);
    // The mean encoder holds no log-variance head: its export is the encoder a user needs, no more.
    expect(parts.meanEncoder.layers.some((l) => l.name === 'enc_log_var')).toBe(false);
    tf.dispose([x, mean!, logVar!, meanOnly]);
  });

  test('trains through the loop with the KL ramp, exports a mean encoder and decoder that stock loading reads', async () => {
    const root = tempDir();
    const data = writeTestDataset(path.join(root, 'data'), hits(16, 2));
    const loaded = resolveConfigObject(
      {
        name: 'tiny-conv-vae',
        model: { type: 'conv-vae', latent: 2, length: LENGTH, d: 4 },
        data: { path: data, validation: 0.25 },
        train: { epochs: 3, batch_size: 4, lr: 2e-3, seed: 5, backend: 'wasm', checkpoint_every: 3 },
        vae: { kl_factor: 0.01, kl_ramp_steps: 6 },
        output: { runs: path.join(root, 'runs'), models: path.join(root, 'models') },
      },
      'test config',
    );
    const result = await trainModel({ loaded });
    const log = readLog(result.runDir);
    expect(log).toHaveLength(3);
    for (const r of log) {
      expect(Number.isFinite(r.loss) && Number.isFinite(r.kl as number) && Number.isFinite(r.val_loss!)).toBe(true);
    }
    // 12 training rows in batches of 4: steps 0-2, 3-5, 6-8; the log has each epoch's mean β = 0.01 · mean(min(1, step / 6)).
    expect(log.map((r) => r.beta)).toEqual([0.01 * (1 / 6), 0.01 * (4 / 6), 0.01].map((b) => expect.closeTo(b, 9)));
    const meta = readModelMetadata(result.modelDir!);
    expect(meta).toMatchObject({ model_type: 'conv-vae', latent: 2, latent_prior: 'normal' });
    expect(meta.parts.sort()).toEqual(['decoder', 'encoder']);
    const decoder = await loadModelFromDir(path.join(result.modelDir!, 'decoder'));
    const y = decoder.predict(tf.zeros([1, 2])) as tf.Tensor;
    expect(y.shape).toEqual([1, LENGTH]);
    tf.dispose([y]);
    decoder.dispose();
  });

  test('model keys of other families are refused; the conv length rule applies', () => {
    expect(() => resolveConfigObject({ model: { type: 'conv-vae', size: 'small' } }, 'c')).toThrow(/model.size does not apply to model.type conv-vae \(only to dense-ae, vae\)/);
    expect(() => resolveConfigObject({ model: { type: 'conv-vae', length: 1000 } }, 'c')).toThrow(/model.length must be a multiple of 4\^5 = 1024 for model.type conv-vae/);
  });
});
