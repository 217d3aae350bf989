/**
 * `npm run bench:decode [-- --backend auto|tensorflow|wasm|cpu] [--configs ae-small-tanh,…] [--repeats 200] [--json]`
 *
 * Latency of decoding one latent point to one sample, as `sampgen generate` and the audition page do it while a
 * user drags through the latent space: each shipped config's decoder (or generator) is exported to a model folder,
 * loaded back with stock tf.loadLayersModel, and timed one point at a time (predict + reading the samples back)
 * after warm-up. Weights are the initial ones: the time does not depend on their values. Prints median, 90th
 * percentile and worst per model, and the command that reproduces them; with --json only a JSON array of rows.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command } from 'commander';
import { backendSummary, initBackend } from '../backend';
import { loadConfig } from '../config';
import { writeModelFolder } from '../export';
import { decodePoints, disposeModel, openModel } from '../infer/model';
import { buildTrainer } from '../train/trainers';
import { Rng } from '../util/rng';
import { PACKAGE_ROOT } from '../version';
import { round, runAsScript } from './common';

const DEFAULT_CONFIGS = ['ae-small-tanh', 'ae-medium-tanh', 'ae-big-tanh', 'vae-c', 'conv-ae', 'gan'];

export interface DecodeRow {
  config: string;
  model: string;
  latent: number;
  length: number;
  median_ms: number;
  p90_ms: number;
  max_ms: number;
}

/** Exports the config's untrained generator network into `dir` and returns its decode latencies in ms. */
async function measure(configName: string, dir: string, repeats: number, warmup: number): Promise<DecodeRow> {
  const loaded = loadConfig(path.join(PACKAGE_ROOT, 'configs', `${configName}.yaml`));
  const { config } = loaded;
  const trainer = buildTrainer(config, 1, { sampleRate: 44100 });
  const latent = config.model.latent;
  try {
    await writeModelFolder(dir, trainer.exportParts(), {
      name: configName,
      model_type: config.model.type,
      sample_rate: 44100,
      length: config.model.length,
      latent,
      latent_bounds: { min: Array(latent).fill(-1), max: Array(latent).fill(1) },
      latent_prior: trainer.prior,
      config_hash: loaded.hash,
      config: config as unknown as Record<string, unknown>,
      losses: {},
      epochs: 0,
      preprocess: { channel: 'first', attack: 4410, length: config.model.length, sample_rate: 44100 },
    });
  } finally {
    trainer.dispose();
  }
  const model = await openModel(dir, { encoder: false });
  try {
    const rng = new Rng(3);
    const point = () => Array.from({ length: latent }, () => rng.uniform(-1, 1));
    for (let i = 0; i < warmup; i++) decodePoints(model, [point()]);
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const z = point();
      const t = process.hrtime.bigint();
      const [samples] = decodePoints(model, [z]);
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
      if (samples!.length !== config.model.length) throw new Error(`${configName}: decoded ${samples!.length} samples, expected ${config.model.length}`);
    }
    times.sort((a, b) => a - b);
    const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
    return {
      config: configName,
      model: config.model.type,
      latent,
      length: config.model.length,
      median_ms: round(q(0.5), 3),
      p90_ms: round(q(0.9), 3),
      max_ms: round(times[times.length - 1]!, 3),
    };
  } finally {
    disposeModel(model);
  }
}

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .option('--backend <name>', 'auto | tensorflow | wasm | cpu', 'auto')
    .option('--configs <list>', 'comma-separated names of shipped configs (configs/<name>.yaml)', DEFAULT_CONFIGS.join(','))
    .option('--repeats <n>', 'timed decodes per model', '200')
    .option('--warmup <n>', 'untimed decodes first', '20')
    .option('--json', 'print only a JSON array of rows')
    .parse(argv);
  const o = program.opts<{ backend: string; configs: string; repeats: string; warmup: string; json?: boolean }>();
  const log = o.json ? () => undefined : (m: string) => process.stderr.write(m + '\n');
  await initBackend(o.backend as 'auto', log);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sampgen-bench-decode-'));
  const rows: DecodeRow[] = [];
  try {
    for (const name of o.configs.split(',')) {
      const row = await measure(name, path.join(root, name), Number(o.repeats), Number(o.warmup));
      rows.push(row);
      log(`${name}: median ${row.median_ms} ms`);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  if (o.json) {
    process.stdout.write(JSON.stringify(rows) + '\n');
    return;
  }
  const lines = [
    `backend: ${backendSummary()}`,
    `one point per call (predict + read back), ${o.repeats} calls after ${o.warmup} warm-up, ms:`,
    '',
    '| config | model | latent | length | median | p90 | max |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.config} | ${r.model} | ${r.latent} | ${r.length} | ${r.median_ms} | ${r.p90_ms} | ${r.max_ms} |`),
    '',
    `reproduce: npm run bench:decode -- ${argv.slice(2).join(' ')}`.trimEnd(),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

runAsScript(module, 'bench:decode', main);
