/**
 * `npm run bench:train [-- --backend wasm|cpu|tensorflow|auto] [--models dense-small,dense-medium,dense-big]
 *   [--batch 32] [--length 17640] [--steps 10] [--json]`
 *
 * Samples/s of full training steps (forward, loss, backward, optimizer update) for models of the zoo on the
 * active backend, after warm-up steps, with random data (the speed does not depend on the values). Prints a
 * table and the command that reproduces it; with --json only a JSON array of rows.
 */
import * as tf from '@tensorflow/tfjs';
import { Command } from 'commander';
import { initBackend, backendSummary } from '../backend';
import { resolveConfigObject } from '../config';
import { buildTrainer } from '../train/trainers';
import { ModelTrainer } from '../train/model-trainer';
import { Rng } from '../util/rng';

interface BenchModel {
  name: string;
  /** A config object of the model, as a user would write it. */
  config: Record<string, unknown>;
  /** Floating-point operations of one training step per example (forward + backward ≈ 3 × forward matmuls). */
  flopsPerExample(length: number): number;
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

export const BENCH_MODELS: BenchModel[] = [
  { name: 'dense-small', config: { model: { type: 'dense-ae', size: 'small', activation: 'tanh' } }, flopsPerExample: denseFlops([9]) },
  { name: 'dense-medium', config: { model: { type: 'dense-ae', size: 'medium', activation: 'tanh' } }, flopsPerExample: denseFlops([96, 24]) },
  { name: 'dense-big', config: { model: { type: 'dense-ae', size: 'big', activation: 'tanh' } }, flopsPerExample: denseFlops([384, 96, 24]) },
];

export interface BenchRow {
  model: string;
  backend: string;
  batch: number;
  length: number;
  ms_per_step: number;
  samples_per_s: number;
  gflops: number;
}

export async function benchTrainer(trainer: ModelTrainer, batch: number, length: number, steps: number, warmup = 3): Promise<number> {
  const rng = new Rng(7);
  const batches = Array.from({ length: 4 }, () => tf.tensor2d(Float32Array.from({ length: batch * length }, () => rng.uniform(-1, 1)), [batch, length]));
  try {
    for (let i = 0; i < warmup; i++) trainer.trainStep(batches[i % 4]!, { step: i, seed: i });
    const start = process.hrtime.bigint();
    for (let i = 0; i < steps; i++) trainer.trainStep(batches[i % 4]!, { step: warmup + i, seed: warmup + i });
    return Number(process.hrtime.bigint() - start) / 1e6 / steps;
  } finally {
    tf.dispose(batches);
  }
}

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .option('--backend <name>', 'auto | tensorflow | wasm | cpu', 'auto')
    .option('--models <list>', 'comma-separated', BENCH_MODELS.map((m) => m.name).join(','))
    .option('--batch <n>', 'examples per step', '32')
    .option('--length <n>', 'samples per example', '17640')
    .option('--steps <n>', 'timed steps per model (after 3 warm-up steps)', '10')
    .option('--json', 'print only a JSON array of rows')
    .parse(argv);
  const o = program.opts<{ backend: string; models: string; batch: string; length: string; steps: string; json?: boolean }>();
  const log = o.json ? () => {} : (m: string) => process.stderr.write(m + '\n');
  const backend = await initBackend(o.backend as 'auto', log);
  const batch = Number(o.batch);
  const length = Number(o.length);
  const steps = Number(o.steps);
  const rows: BenchRow[] = [];
  for (const name of o.models.split(',')) {
    const model = BENCH_MODELS.find((m) => m.name === name);
    if (!model) throw new Error(`unknown model ${name}; choose from ${BENCH_MODELS.map((m) => m.name).join(', ')}`);
    const loaded = resolveConfigObject(
      { ...model.config, model: { ...(model.config.model as object), length }, train: { batch_size: batch, backend: o.backend } },
      `bench ${name}`,
    );
    const trainer = buildTrainer(loaded.config, 1);
    try {
      const ms = await benchTrainer(trainer, batch, length, steps);
      const samplesPerS = (batch * 1000) / ms;
      rows.push({
        model: name,
        backend: backend.name,
        batch,
        length,
        ms_per_step: round(ms, 2),
        samples_per_s: round(samplesPerS, 1),
        gflops: round((model.flopsPerExample(length) * samplesPerS) / 1e9, 2),
      });
      log(`${name}: ${round(ms, 1)} ms/step`);
    } finally {
      trainer.dispose();
    }
  }
  if (o.json) {
    process.stdout.write(JSON.stringify(rows) + '\n');
    return;
  }
  console.log(`backend: ${backendSummary()}`);
  console.log('| model | batch | length | ms/step | samples/s | GFLOP/s |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.model} | ${r.batch} | ${r.length} | ${r.ms_per_step} | ${r.samples_per_s} | ${r.gflops} |`);
  console.log(`\nreproduce: npm run bench:train -- ${argv.slice(2).join(' ')}`.trimEnd());
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

if (require.main === module) {
  main(process.argv).catch((err: unknown) => {
    process.stderr.write(`bench:train failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
