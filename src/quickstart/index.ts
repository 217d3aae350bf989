import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '../backend';
import type { BackendRequest } from '../backend/names';
import { loadConfig } from '../config';
import { openDataset } from '../data';
import { UserError } from '../errors';
import { evaluateModel, METRICS_FORMAT_VERSION } from '../infer/evaluate';
import { generate } from '../infer/generate';
import { latentMap } from '../infer/latent-map';
import { disposeModel, openModel } from '../infer/model';
import { preprocessDataset } from '../preprocess';
import { Progress, silentProgress } from '../progress';
import { writeSynthSet } from '../synth';
import { trainModel } from '../train/run';
import { writeFileAtomic } from '../util/atomic';
import { PACKAGE_ROOT } from '../version';

export interface QuickstartOptions {
  folder: string;
  /** Snares to synthesize. */
  count: number;
  epochs: number;
  /** The study's best autoencoder by ear: medium tanh. */
  config: string;
  backend: BackendRequest;
  force: boolean;
  progress?: Progress;
  log?: (message: string) => void;
}

export const QUICKSTART_DEFAULTS = { folder: 'quickstart', count: 300, epochs: 20, config: 'ae-medium-tanh' };

export interface QuickstartSummary {
  folder: string;
  raw: string;
  dataset: string;
  run: string;
  model: string;
  grid: string;
  contact_sheet: string;
  /** The decode of the latent plane's centre, with its waveform and spectrogram plots. */
  sample: string;
  sample_plots: string[];
  latent_map: string;
  metrics: string;
  final_loss: number | null;
  final_val_loss: number | null;
  /** The epoch whose weights were exported (the best validated one by default) and its validation loss. */
  exported_epoch: { epoch: number; val_loss: number } | null;
  backend: string;
  seconds: number;
}

/**
 * The main job end to end with no sample library: synthesize snares, preprocess them as the study did, train a
 * dense autoencoder for a few epochs, export it, decode a grid of its latent space, map the dataset into it and
 * measure it. Every step is the library function behind the corresponding command.
 */
export async function quickstart(opts: QuickstartOptions): Promise<QuickstartSummary> {
  const started = Date.now();
  const progress = opts.progress ?? silentProgress;
  const log = opts.log ?? (() => {});
  const root = path.resolve(opts.folder);
  if (fs.existsSync(root) && fs.readdirSync(root).length > 0 && !opts.force) {
    throw new UserError(`${opts.folder} is not empty; use --force to redo the quickstart there, or name another folder`);
  }
  const configFile = fs.existsSync(opts.config) ? opts.config : path.join(PACKAGE_ROOT, 'configs', `${opts.config}.yaml`);
  if (!fs.existsSync(configFile)) throw new UserError(`--config ${opts.config}: no such file, and no configs/${opts.config}.yaml`);
  const raw = path.join(root, 'raw-snares');
  const datasetDir = path.join(root, 'datasets', 'snares');
  const out = path.join(root, 'generated');

  log(`1/5 synthesizing ${opts.count} snares into ${raw}`);
  await writeSynthSet({ kind: 'snare', count: opts.count, seed: 1, out: raw, format: 'pcm24', force: true, progress });

  log(`2/5 preprocessing them into ${datasetDir} (mono, 44.1 kHz, peak at 0.1 s, 0.4 s long)`);
  await preprocessDataset({
    inputs: [raw],
    output: datasetDir,
    sampleRate: 44100,
    channel: 'first',
    attack: { seconds: 0.1 },
    length: { seconds: 0.4 },
    recursive: true,
    jobs: os.availableParallelism(),
    force: true,
    progress,
  });

  const loaded = loadConfig(configFile, [
    `name=quickstart-${path.basename(configFile, '.yaml')}`,
    `data.path=${datasetDir}`,
    `train.epochs=${opts.epochs}`,
    `train.backend=${opts.backend}`,
    `output.runs=${path.join(root, 'runs')}`,
    `output.models=${path.join(root, 'models')}`,
  ]);
  log(`3/5 training ${loaded.config.name} for ${opts.epochs} epochs (config ${configFile})`);
  const trained = await trainModel({ loaded, force: true, progress });
  const modelDir = trained.modelDir!;

  log(`4/5 decoding a 6x6 grid of its latent space into ${out}`);
  await initBackend(opts.backend, log);
  const model = await openModel(modelDir, { encoder: true });
  try {
    fs.rmSync(out, { recursive: true, force: true });
    const grid = await generate({ model, grid: '6x6', out, format: 'pcm24', force: true, progress });
    const centre = model.meta.latent_bounds.min.map((lo, i) => (lo + model.meta.latent_bounds.max[i]!) / 2);
    const sampleFile = path.join(root, 'centre.wav');
    const sample = await generate({ model, z: centre.join(','), out: sampleFile, format: 'pcm24', force: true, plots: true });

    log('5/5 mapping the dataset into the latent space and measuring the model');
    const dataset = openDataset(datasetDir);
    let map;
    let evaluation;
    try {
      map = latentMap({ model, dataset, datasetPath: datasetDir, color: 'centroid', progress });
      evaluation = evaluateModel({ model, dataset, datasetPath: datasetDir, split: 'validation', maxSamples: 100, generated: 64, grid: 6, seed: 1, progress });
    } finally {
      dataset.close();
    }
    const mapFile = path.join(root, 'latent-map.png');
    writeFileAtomic(mapFile, map.png);
    const metricsFile = path.join(root, 'metrics.json');
    writeFileAtomic(metricsFile, JSON.stringify({ version: METRICS_FORMAT_VERSION, models: [evaluation] }, null, 1));
    return {
      folder: root,
      raw,
      dataset: datasetDir,
      run: trained.runDir,
      model: modelDir,
      grid: out,
      contact_sheet: grid.contact_sheet!,
      sample: sampleFile,
      sample_plots: sample.files[0]!.plots!,
      latent_map: mapFile,
      metrics: metricsFile,
      final_loss: trained.final.loss ?? null,
      final_val_loss: trained.final.val_loss ?? null,
      exported_epoch: trained.best,
      backend: trained.backend,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } finally {
    disposeModel(model);
  }
}
