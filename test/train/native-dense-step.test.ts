import * as tf from '@tensorflow/tfjs';
import { initBackend, setNativeKernelsEnabled } from '../../src/backend';
import { nativeBindingForTests } from '../backend/kernel-helpers';
import { resolveConfigObject } from '../../src/config';
import { buildDenseAutoencoder } from '../../src/models/dense';
import { buildVae } from '../../src/models/vae';
import { buildTrainer } from '../../src/train/trainers';
import * as nativeDenseStep from '../../src/train/native-dense-step';
import { denseChainOf, denseVaeEncoderOf, HeapScratch } from '../../src/train/native-dense-step';
import { Rng } from '../../src/util/rng';

/**
 * The dense models' native training step (src/train/native-dense-step.ts) against tfjs' autodiff on the pure-JS cpu
 * backend, the independent reference: same initial weights, same batches, same ε; the gradients each step hands to
 * the optimizer, the reported losses and the weights after a few Adam steps must agree.
 */

const LENGTH = 48;
const BATCH = 5;
const STEPS = 3;

interface Trace {
  losses: Record<string, number>[];
  /** Per step: variable name → gradient values. */
  gradients: Map<string, Float32Array>[];
  weights: Float32Array[];
  nativeSteps: number;
}

function configOf(model: Record<string, unknown>, train: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return resolveConfigObject(
    {
      name: 'native-step',
      model: { length: LENGTH, latent: 2, ...model },
      data: { path: '/nonexistent' },
      train: { epochs: 1, batch_size: BATCH, lr: 0.01, seed: 5, ...train },
      ...extra,
    },
    'test config',
  ).config;
}

function batches(seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: STEPS }, () => Float32Array.from({ length: BATCH * LENGTH }, () => rng.uniform(-0.9, 0.9)));
}

/** Trains STEPS steps on `backend` and records what the optimizer was given and what the step reported. */
async function trace(backend: 'cpu' | 'wasm', config: ReturnType<typeof configOf>, data: Float32Array[]): Promise<Trace> {
  await initBackend(backend, () => undefined);
  const trainer = buildTrainer(config, 1);
  const optimizer = trainer.optimizers.main!;
  const gradients: Map<string, Float32Array>[] = [];
  const original = optimizer.applyGradients.bind(optimizer);
  const spy = jest.spyOn(optimizer, 'applyGradients').mockImplementation((grads) => {
    const map = new Map<string, Float32Array>();
    const list = Array.isArray(grads) ? grads.map((g) => [g.name, g.tensor] as const) : Object.entries(grads);
    for (const [name, t] of list) map.set(name.replace(/_\d+(\/|$)/g, '$1'), Float32Array.from(t.dataSync()));
    gradients.push(map);
    original(grads);
  });
  const heapSpy = jest.spyOn(HeapScratch.prototype, 'heap');
  try {
    const losses = data.map((values, step) => {
      const x = tf.tensor2d(values, [BATCH, LENGTH]);
      try {
        return trainer.trainStep(x, { step, seed: 100 + step });
      } finally {
        x.dispose();
      }
    });
    const weights = Object.values(trainer.models).flatMap((m) => m.getWeights().map((w) => Float32Array.from(w.dataSync())));
    return { losses, gradients, weights, nativeSteps: heapSpy.mock.calls.length };
  } finally {
    spy.mockRestore();
    heapSpy.mockRestore();
    trainer.dispose();
  }
}

function relativeError(got: Float32Array, want: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return diff / Math.max(scale, 1e-30);
}

/**
 * The reported losses and the final weights agree; so do the gradients each step handed to the optimizer where the
 * native step handed them over (SGD; Adam's updates run inside the native products).
 */
function expectSameTraining(got: Trace, want: Trace) {
  expect(got.nativeSteps).toBe(STEPS);
  expect(want.nativeSteps).toBe(0);
  for (let s = 0; s < STEPS; s++) {
    for (const [key, value] of Object.entries(want.losses[s]!)) expect(got.losses[s]![key]).toBeCloseTo(value, 5);
    if (got.gradients.length === 0) continue;
    const g = got.gradients[s]!;
    const w = want.gradients[s]!;
    expect([...g.keys()].sort()).toEqual([...w.keys()].sort());
    // not a comparison of zeros (a relu layer may have dead units, not whole dead layers)
    expect([...w.values()].filter((values) => values.some((v) => v !== 0)).length).toBeGreaterThanOrEqual(w.size - 2);
    for (const [name, values] of w) expect(relativeError(g.get(name)!, values)).toBeLessThanOrEqual(2e-4);
  }
  expect(got.weights).toHaveLength(want.weights.length);
  got.weights.forEach((w, i) => expect(relativeError(w, want.weights[i]!)).toBeLessThanOrEqual(1e-4));
}

const nativeBinding = nativeBindingForTests('native dense step');
if (nativeBinding) {
  afterAll(async () => {
    setNativeKernelsEnabled(true);
    await initBackend('wasm', () => undefined);
  });

  describe('dense autoencoder: the native step computes what tfjs autodiff computes', () => {
    test.each([
      ['tanh', 'mse'],
      ['relu', 'mse'],
      ['sigmoid', { mse: 2.5 }],
    ] as const)('%s hidden layers, loss %j', async (activation, loss) => {
      const data = batches(1);
      // Adam, fused into the gradient products (losses and weights compared), and SGD (each gradient compared)
      for (const train of [{ loss }, { loss, optimizer: 'sgd', lr: 0.05 }]) {
        const config = configOf({ type: 'dense-ae', size: 'small', activation, encoder_units: [12, 6], decoder_units: [7] }, train);
        const got = await trace('wasm', config, data);
        expect(got.gradients).toHaveLength('optimizer' in train ? STEPS : 0);
        expectSameTraining(got, await trace('cpu', config, data));
      }
    }, 30000);
  });

  describe('VAE: the native step computes what tfjs autodiff computes', () => {
    test.each([
      ['tanh', [10, 6], 0.5],
      ['relu', [9], 0],
    ] as const)('%s, encoder %j, kl_factor %d', async (activation, units, factor) => {
      const data = batches(2);
      let got: Trace | null = null;
      for (const train of [{}, { optimizer: 'sgd', lr: 0.05 }]) {
        const config = configOf({ type: 'vae', size: 'small', activation, encoder_units: units }, train, { vae: { kl_factor: factor, kl_ramp_steps: 2 } });
        got = await trace('wasm', config, data);
        expect(got.gradients).toHaveLength('optimizer' in train ? STEPS : 0);
        expectSameTraining(got, await trace('cpu', config, data));
      }
      // the KL term took part (β > 0 from the second step where kl_factor > 0)
      if (factor > 0) expect(got!.losses[2]!.beta).toBeGreaterThan(0);
    }, 30000);
  });

  test('Adam fused into the gradient products updates every weight bit for bit as the separate native pass does', async () => {
    const data = batches(4);
    for (const model of [
      { type: 'dense-ae', size: 'small', activation: 'tanh', encoder_units: [12, 6] },
      { type: 'vae', size: 'small', activation: 'relu', encoder_units: [10] },
    ]) {
      const config = configOf(model, {}, model.type === 'vae' ? { vae: { kl_factor: 0.5, kl_ramp_steps: 0 } } : {});
      const fused = await trace('wasm', config, data);
      // without the fused step the native step hands its gradients to NativeAdamOptimizer.applyGradients: one
      // native Adam pass per variable
      const separate = jest.spyOn(nativeDenseStep, 'beginOptimizerStep').mockReturnValue(null);
      try {
        const unfused = await trace('wasm', config, data);
        expect(separate).toHaveBeenCalled();
        expect(unfused.gradients).toHaveLength(STEPS);
        expect(fused.gradients).toHaveLength(0);
        expect(fused.losses).toEqual(unfused.losses);
        expect(fused.weights).toEqual(unfused.weights);
      } finally {
        separate.mockRestore();
      }
    }
  }, 30000);

  describe('where the native step does not apply, the tfjs step runs', () => {
    test.each([
      ['a loss other than MSE', configOf({ type: 'dense-ae', size: 'small', activation: 'tanh', encoder_units: [8] }, { loss: 'mae' })],
      ['MSE with another loss', configOf({ type: 'dense-ae', size: 'small', activation: 'tanh', encoder_units: [8] }, { loss: { mse: 1, envelope: 1 } })],
    ])('%s', async (_what, config) => {
      const got = await trace('wasm', config, batches(3).slice(0, 1));
      expect(got.nativeSteps).toBe(0);
      expect(Number.isFinite(got.losses[0]!.loss)).toBe(true);
    }, 30000);

    test('with the native kernels turned off', async () => {
      const config = configOf({ type: 'dense-ae', size: 'small', activation: 'tanh', encoder_units: [8] });
      setNativeKernelsEnabled(false);
      try {
        const got = await trace('wasm', config, batches(3).slice(0, 1));
        expect(got.nativeSteps).toBe(0);
      } finally {
        setNativeKernelsEnabled(true);
      }
    }, 30000);
  });

  describe('which models are chains', () => {
    test('the dense autoencoder and the unconditional VAE are; the conditional VAE is not', () => {
      const ae = buildDenseAutoencoder({ size: 'small', activation: 'tanh', latent: 2, length: LENGTH, seed: 1, encoderUnits: [8, 4] });
      expect(denseChainOf(ae.encoder)?.map((l) => [l.inputs, l.units, l.activation])).toEqual([
        [LENGTH, 8, 'tanh'],
        [8, 4, 'tanh'],
        [4, 2, 'tanh'],
      ]);
      expect(denseChainOf(ae.decoder)?.map((l) => l.units)).toEqual([4, 8, LENGTH]);
      // the joint model nests the two models: not a chain of Dense layers
      expect(denseChainOf(ae.autoencoder)).toBeNull();
      const vae = buildVae({ size: 'small', activation: 'relu', latent: 3, length: LENGTH, seed: 1, encoderUnits: [8] });
      const enc = denseVaeEncoderOf(vae.encoder);
      expect(enc?.trunk.map((l) => l.units)).toEqual([8]);
      expect([enc?.mean.units, enc?.logVar.units]).toEqual([3, 3]);
      expect(denseChainOf(vae.encoder)).toBeNull();
      const conditional = buildVae({ size: 'small', activation: 'tanh', latent: 2, length: LENGTH, seed: 1, encoderUnits: [8], conditionWidth: 3 });
      expect(denseVaeEncoderOf(conditional.encoder)).toBeNull();
      expect(denseChainOf(conditional.decoder)).toBeNull();
      for (const m of [ae.encoder, ae.decoder, vae.encoder, vae.decoder, conditional.encoder, conditional.decoder]) m.dispose();
    });
  });
}
