/**
 * `npm run bench:train [-- --backend wasm|cpu|tensorflow|auto] [--models dense-small,…,gan] [--batch B]
 *   [--length L] [--steps 10] [--warmup 3] [--json]`
 *
 * Samples/s of full training steps (forward, loss, backward, optimizer update) for the models of the zoo at their
 * shipped config sizes (configs/*.yaml: batch, length, d), on the active backend, after warm-up steps, with random
 * data (the speed does not depend on the values). The GAN's unit is WaveGAN's: one generator update with its
 * critic_steps critic updates; its samples/s counts the real samples the critic sees. Prints a table and the
 * command that reproduces it, and the rows as JSON; with --json only the JSON array of rows.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { Command } from 'commander';
import { initBackend, backendSummary, loadNative } from '../backend';
import { loadConfig, LoadedConfig } from '../config';
import { buildTrainer } from '../train/trainers';
import { formatProfile, profileUnit, UnitProfile } from './profile';
import { ModelTrainer } from '../train/model-trainer';
import { Rng } from '../util/rng';
import { PACKAGE_ROOT } from '../version';
import { round, runAsScript } from './common';

export interface BenchModel {
  name: string;
  /** The shipped config it runs (configs/<config>.yaml). */
  config: string;
  /**
   * Floating-point operations of one training step per example (forward + backward ≈ 3 × the forward's
   * multiply-adds × 2), or null where no simple count applies. The GAN's: its unit's (ganUnitFlops) per real sample.
   */
  flopsPerExample: ((length: number, loaded: LoadedConfig) => number) | null;
}

/** Dense layer widths from input to output for a dense AE with these encoder units and latent 2. */
function denseWidths(hidden: number[], length: number): number[] {
  return [length, ...hidden, 2, ...[...hidden].reverse(), length];
}

function denseFlops(hidden: number[]) {
  return (length: number) => {
    const w = denseWidths(hidden, length);
    let macs = 0;
    for (let i = 1; i < w.length; i++) macs += w[i - 1]! * w[i]!;
    return 3 * 2 * macs; // forward, plus input and weight gradients
  };
}

/** The conv autoencoder's five strided convolutions, their mirrored transposed convolutions and the two dense layers. */
export function convAeFlops(length: number, d: number, latent = 2): number {
  const kernel = 25;
  const stride = 4;
  const ch = [1, d, 2 * d, 4 * d, 8 * d, 16 * d];
  let macs = 0;
  let width = length;
  for (let i = 0; i < 5; i++) {
    width /= stride;
    macs += 2 * width * kernel * ch[i]! * ch[i + 1]!; // the encoder's conv and the decoder's transposed conv mirror it
  }
  macs += 2 * 16 * d * width * latent; // dense to and from the latent
  return 3 * 2 * macs;
}

/**
 * Floating-point operations of one WaveGAN unit (critic_steps critic steps with the gradient penalty, then one
 * generator step) per example of the batch, counting the products both sampgen and PyTorch must compute, with
 * m = the critic's five strided convolutions (the generator's transposed ones mirror them) and its dense layer:
 *  - a critic step: the generator's forward pass (the fakes); D(real) and D(fake) forward, filter gradients and
 *    input gradients below the first layer; D(x̂) forward and its input gradient down to x̂ (the penalty's inner
 *    gradient), whose convolutions the outer gradient differentiates once more in their two operands;
 *  - the generator step: generator forward, critic forward and input gradient, generator filter and input gradients.
 * Multiply-adds count 2. About 6.5 GFLOP per example at d 16, L 16384 (issue 16).
 */
export function ganUnitFlops(length: number, d: number, latent: number, criticSteps: number): number {
  const macs = ganUnitMacs(length, d, latent, criticSteps);
  return 2 * (macs.conv + macs.dense);
}

/** ganUnitFlops' multiply-adds per example, in the convolutions and in the dense layers. */
export function ganUnitMacs(length: number, d: number, latent: number, criticSteps: number): { conv: number; dense: number } {
  const kernel = 25;
  const stride = 4;
  const ch = [1, d, 2 * d, 4 * d, 8 * d, 16 * d];
  const convs: number[] = [];
  let width = length;
  for (let i = 0; i < 5; i++) {
    width /= stride;
    convs.push(width * kernel * ch[i]! * ch[i + 1]!);
  }
  const conv = convs.reduce((a, b) => a + b, 0);
  const criticDense = 16 * d * width; // to one score
  const generatorDense = latent * 16 * d * width;
  // Passes over the critic's and the generator's convolutions: a critic step has D(real) and D(fake) three times
  // (forward, filter and input gradients, no input gradient of the first layer), D(x̂) four times and the generator
  // once; the generator step has the critic twice and the generator three times.
  const criticConv = criticSteps * 10 + 2;
  const generatorConv = criticSteps + 3;
  // The dense layers likewise, but the penalty differentiates the critic's top layer once more in its weights only
  // (its upstream gradient is the constant 1), and the generator's latent input needs no gradient.
  const criticDensePasses = criticSteps * 9 + 2;
  const generatorDensePasses = criticSteps + 2;
  return {
    conv: criticConv * conv - 2 * criticSteps * convs[0]! + generatorConv * conv,
    dense: criticDensePasses * criticDense + generatorDensePasses * generatorDense,
  };
}

const modelD = (loaded: LoadedConfig) => loaded.config.model.d as number;

/** GAN units timed for `--steps n` in the side-by-side benches: a unit is six training steps, so a fifth as many. */
export const GAN_UNITS = (steps: number): number => Math.max(1, Math.round(steps / 5));

export const BENCH_MODELS: BenchModel[] = [
  { name: 'dense-small', config: 'ae-small-tanh', flopsPerExample: denseFlops([9]) },
  { name: 'dense-medium', config: 'ae-medium-tanh', flopsPerExample: denseFlops([96, 24]) },
  { name: 'dense-big', config: 'ae-big-tanh', flopsPerExample: denseFlops([384, 96, 24]) },
  { name: 'dense-medium-mrstft', config: 'ae-medium-tanh-mrstft', flopsPerExample: null },
  { name: 'vae', config: 'vae-c', flopsPerExample: denseFlops([96, 24]) },
  { name: 'conv-ae', config: 'conv-ae', flopsPerExample: (length, loaded) => convAeFlops(length, modelD(loaded)) },
  {
    name: 'gan',
    config: 'gan',
    // per real sample the critic sees (bench:train's samples): a unit's operations over its critic steps
    flopsPerExample: (length, loaded) => {
      const c = loaded.config;
      return ganUnitFlops(length, c.model.d as number, c.model.latent as number, c.gan.critic_steps) / c.gan.critic_steps;
    },
  },
  { name: 'conv-vae', config: 'conv-vae', flopsPerExample: null },
];

/** The shipped config of a bench model with the benchmark's overrides. */
export function benchConfig(model: BenchModel, overrides: { batch?: number; length?: number; backend: string; sets?: string[] }): LoadedConfig {
  const sets = [`train.backend=${overrides.backend}`, ...(overrides.sets ?? [])];
  if (overrides.batch !== undefined) sets.push(`train.batch_size=${overrides.batch}`);
  if (overrides.length !== undefined) sets.push(`model.length=${overrides.length}`);
  return loadConfig(path.join(PACKAGE_ROOT, 'configs', `${model.config}.yaml`), sets);
}


export interface BenchRow {
  model: string;
  config: string;
  backend: string;
  batch: number;
  length: number;
  /** Training steps in one timed unit (GAN: critic steps per generator step). */
  steps_per_unit: number;
  ms_per_unit: number;
  samples_per_s: number;
  gflops: number | null;
}

/**
 * Mean milliseconds of `unit` consecutive training steps, timed over `units` units after `warmup` units. Steps are
 * numbered from 0, so a GAN's units each hold exactly one generator update.
 */
export async function benchTrainer(trainer: ModelTrainer, batch: number, length: number, units: number, warmup = 3, unit = 1): Promise<number> {
  const rng = new Rng(7);
  const batches = Array.from({ length: 4 }, () => tf.tensor2d(Float32Array.from({ length: batch * length }, () => rng.uniform(-1, 1)), [batch, length]));
  let step = 0;
  const runUnit = () => {
    for (let i = 0; i < unit; i++, step++) trainer.trainStep(batches[step % 4]!, { step, seed: step });
  };
  try {
    for (let i = 0; i < warmup; i++) runUnit();
    const start = process.hrtime.bigint();
    for (let i = 0; i < units; i++) runUnit();
    return Number(process.hrtime.bigint() - start) / 1e6 / units;
  } finally {
    tf.dispose(batches);
  }
}

/** One unit of `trainer` (after one warm-up unit) under the kernel profiler (src/bench/profile.ts). */
export async function profileTrainer(trainer: ModelTrainer, batch: number, length: number, unit = 1): Promise<UnitProfile> {
  const rng = new Rng(11);
  const x = tf.tensor2d(Float32Array.from({ length: batch * length }, () => rng.uniform(-1, 1)), [batch, length]);
  try {
    const runUnit = (first: number) => {
      for (let i = 0; i < unit; i++) trainer.trainStep(x, { step: first + i, seed: first + i });
    };
    runUnit(0);
    const native = loadNative();
    return await profileUnit(() => runUnit(unit), native.ok ? native.binding : null);
  } finally {
    x.dispose();
  }
}

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .option('--backend <name>', 'auto | tensorflow | wasm | cpu', 'auto')
    .option('--models <list>', 'comma-separated', BENCH_MODELS.map((m) => m.name).join(','))
    .option('--batch <n>', "examples per step (default: each config's train.batch_size)")
    .option('--length <n>', "samples per example (default: each config's model.length)")
    .option('--steps <n>', 'timed units per model', '10')
    .option('--warmup <n>', 'untimed units first', '3')
    .option('--json', 'print only a JSON array of rows')
    .option('--profile', 'after timing, profile one unit of each model and print its top kernels by time (and the time outside TF.js kernels)')
    .parse(argv);
  const o = program.opts<{ backend: string; models: string; batch?: string; length?: string; steps: string; warmup: string; json?: boolean; profile?: boolean }>();
  const profiles: string[][] = [];
  const log = o.json ? () => {} : (m: string) => process.stderr.write(m + '\n');
  const backend = await initBackend(o.backend as 'auto', log);
  const units = Number(o.steps);
  const rows: BenchRow[] = [];
  for (const name of o.models.split(',')) {
    const model = BENCH_MODELS.find((m) => m.name === name);
    if (!model) throw new Error(`unknown model ${name}; choose from ${BENCH_MODELS.map((m) => m.name).join(', ')}`);
    const loaded = benchConfig(model, {
      backend: o.backend,
      batch: o.batch === undefined ? undefined : Number(o.batch),
      length: o.length === undefined ? undefined : Number(o.length),
    });
    const batch = loaded.config.train.batch_size;
    const length = loaded.config.model.length;
    const trainer = buildTrainer(loaded.config, 1, { sampleRate: 44100 });
    const unit = trainer.stepsPerUnit;
    try {
      const ms = await benchTrainer(trainer, batch, length, units, Number(o.warmup), unit);
      const samplesPerS = (unit * batch * 1000) / ms;
      rows.push({
        model: name,
        config: model.config,
        backend: backend.name,
        batch,
        length,
        steps_per_unit: unit,
        ms_per_unit: round(ms, 2),
        samples_per_s: round(samplesPerS, 1),
        gflops: model.flopsPerExample ? round((model.flopsPerExample(length, loaded) * samplesPerS) / 1e9, 2) : null,
      });
      log(`${name}: ${round(ms, 1)} ms per ${unit > 1 ? `generator step with ${unit} critic steps` : 'step'}`);
      if (o.profile) profiles.push(formatProfile(`${name} (${backend.name}, batch ${batch}, length ${length})`, await profileTrainer(trainer, batch, length, unit)));
    } finally {
      trainer.dispose();
    }
  }
  if (o.json) {
    process.stdout.write(JSON.stringify(rows) + '\n');
    return;
  }
  console.log(`backend: ${backendSummary()}`);
  console.log('| model | config | batch | length | steps/unit | ms/unit | samples/s | GFLOP/s |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.model} | ${r.config} | ${r.batch} | ${r.length} | ${r.steps_per_unit} | ${r.ms_per_unit} | ${r.samples_per_s} | ${r.gflops ?? '—'} |`);
  }
  console.log('unit: one training step; for the GAN one generator step with its critic steps (samples/s: real samples seen by the critic)');
  for (const table of profiles) console.log(['', ...table].join('\n'));
  console.log(`\njson: ${JSON.stringify(rows)}`);
  console.log(`\nreproduce: npm run bench:train -- ${argv.slice(2).join(' ')}`.trimEnd());
}

runAsScript(module, 'bench:train', main);
