import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import { ganUnitFlops, ganUnitMacs } from '../../src/bench/train';
import { resolveConfigObject } from '../../src/config';
import { buildTrainer } from '../../src/train/trainers';

/**
 * The WaveGAN unit's operation count (bench:train and bench:vs-torch divide by it for GFLOP/s) against the
 * convolutions a real unit runs: every convolution kernel tf.profile records, its multiply-adds from its shapes.
 * Equality also says that training computes no convolution the count leaves out (a gradient nobody needs).
 */
test('ganUnitMacs counts exactly the convolutions of a profiled WaveGAN unit, and the dense products at most', async () => {
  await initBackend('wasm', () => undefined);
  const [batch, length, d, latent, criticSteps] = [3, 1024, 2, 6, 2];
  const loaded = resolveConfigObject(
    {
      model: { type: 'gan', length, d, latent, phase_shuffle: 2 },
      train: { batch_size: batch, backend: 'wasm', seed: 1 },
      gan: { critic_steps: criticSteps, micro_batch: batch, preview_count: 0 },
    },
    'flops test',
  );
  const trainer = buildTrainer(loaded.config, 1, { sampleRate: 8000 });
  const x = tf.randomUniform([batch, length], -1, 1, 'float32', 2) as tf.Tensor2D;
  const unit = (first: number) => {
    for (let s = first; s < first + criticSteps; s++) trainer.trainStep(x, { step: s, seed: s });
  };
  unit(0);
  const info = await tf.profile(() => unit(criticSteps));
  let conv = 0;
  let dense = 0;
  for (const k of info.kernels) {
    const [a, b] = k.inputShapes as number[][];
    const out = k.outputShapes[0] as number[];
    if (k.name === 'Conv2D' || k.name === 'FusedConv2D') conv += tf.util.sizeFromShape(out) * b![1]! * b![2]!; // out · FW · Cin
    if (k.name === 'Conv2DBackpropInput') conv += tf.util.sizeFromShape(a!) * b![1]! * b![2]!; // dy · FW · Cin
    if (k.name === 'Conv2DBackpropFilter') conv += tf.util.sizeFromShape(b!) * out[1]! * out[2]!; // dy · FW · Cin
    // A holds M·K per batch entry, the output M·N: A's size times N (no product here broadcasts A)
    if (k.name === 'BatchMatMul' || k.name === '_FusedMatMul') dense += tf.util.sizeFromShape(a!) * out.at(-1)!;
  }
  trainer.dispose();
  x.dispose();
  const counted = ganUnitMacs(length, d, latent, criticSteps);
  expect(conv).toBe(batch * counted.conv);
  expect(dense).toBeGreaterThanOrEqual(batch * counted.dense);
  expect(ganUnitFlops(length, d, latent, criticSteps)).toBe(2 * (counted.conv + counted.dense));
  // the figure: about 6.5 GFLOP per example at d 16, L 16384, 5 critic steps
  expect(ganUnitFlops(16384, 16, 100, 5) / 1e9).toBeCloseTo(6.46, 2);
});
