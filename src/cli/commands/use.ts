import { Command, Option } from 'commander';
import * as path from 'path';
import { initBackend } from '../../backend';
import { UserError } from '../../errors';
import { encodeRows, disposeModel, openModel, OpenedModel } from '../../infer/model';
import { preprocessForModel } from '../../infer/encode';
import { generate } from '../../infer/generate';
import { interpolate } from '../../infer/interpolate';
import { checkWavFormat, WAV_FORMATS } from '../../infer/write';
import { writeFileAtomic } from '../../util/atomic';
import { contextFor, CommandContext } from '../context';
import { latentMap, COLOR_FEATURES } from '../../infer/latent-map';
import { evaluateModel, metricsMarkdown, EVAL_SPLITS, METRICS_FORMAT_VERSION, MetricsFile, ModelEvaluation } from '../../infer/evaluate';
import { openDataset } from '../../data';
import { readModelMetadata } from '../../export';

type BackendName = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

const backendOption = () =>
  new Option('--backend <name>', 'TF.js backend for inference').choices(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto');

async function withModel<T>(ctx: CommandContext, dir: string, backend: BackendName, encoder: boolean, use: (m: OpenedModel) => Promise<T>): Promise<T> {
  await initBackend(backend, (m) => ctx.info(m));
  const model = await openModel(dir, { encoder });
  try {
    return await use(model);
  } finally {
    disposeModel(model);
  }
}

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new UserError(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
    return n;
  };
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('Decode latent points of an exported model to WAV files: one point, random points, or a grid with a contact sheet.')
    .requiredOption('-m, --model <dir>', 'an exported model folder (models/<name>/)')
    .option('--z <point>', 'one latent point, comma-separated (e.g. 0.3,-0.5); --out is then a .wav file')
    .option('--random <count>', 'this many random points: uniform in the latent bounds, or the prior for GANs and VAEs', positiveInt('--random'))
    .option('--seed <n>', 'seed of --random', (v) => Number(v), 1)
    .option('--grid <ROWSxCOLS>', 'an evenly spaced grid over the latent bounds (first two dimensions), e.g. 8x8, plus grid.png')
    .requiredOption('-o, --out <path>', 'output .wav file (--z) or folder (--random, --grid)')
    .option('--format <fmt>', `WAV sample format: ${WAV_FORMATS.join(', ')}`, 'float32')
    .option('--normalize', 'peak-normalise each sample to 0 dBFS (off by default: the model\'s level is kept)')
    .option('--clamp', 'move a --z point outside the training set\'s latent bounds inside them (default: warn only)')
    .option('--plots', 'also write <name>.waveform.png and <name>.spectrogram.png beside each WAV')
    .option('--force', 'overwrite existing files')
    .addOption(backendOption())
    .addHelpText('after', '\nSamples are written at the model\'s sample rate. A point with the wrong number of coordinates exits 2.')
    .action(async (opts, cmd: Command) => {
      const ctx = contextFor(cmd);
      const format = checkWavFormat(opts.format);
      const summary = await withModel(ctx, opts.model, opts.backend, false, (model) =>
        generate({ model, z: opts.z, random: opts.random, grid: opts.grid, seed: opts.seed, out: opts.out, format, normalize: opts.normalize, clamp: opts.clamp, force: opts.force, plots: opts.plots, warn: ctx.warn, progress: ctx.progress }),
      );
      if (ctx.options.json) return ctx.printJson(summary);
      if (summary.mode === 'point') ctx.print(`wrote ${summary.files[0]!.file} (z = ${summary.files[0]!.z.join(', ')})`);
      else ctx.print(`wrote ${summary.files.length} samples to ${opts.out}` + (summary.contact_sheet ? `, contact sheet ${summary.contact_sheet}` : ''));
    });
}

export function registerEncode(program: Command): void {
  program
    .command('encode')
    .description("Map audio files to latent points with the model's encoder, after the same preprocessing as its dataset (read from sampgen.json).")
    .requiredOption('-m, --model <dir>', 'an exported model folder with an encoder (autoencoders, VAEs)')
    .argument('<files...>', 'WAV, FLAC or AIFF files')
    .addOption(backendOption())
    .action(async (files: string[], opts, cmd: Command) => {
      const ctx = contextFor(cmd);
      const points = await withModel(ctx, opts.model, opts.backend, true, async (model) => {
        const rows = [];
        for (const f of files) rows.push(await preprocessForModel(f, model.meta));
        return encodeRows(model, rows);
      });
      if (ctx.options.json) return ctx.printJson(files.map((file, i) => ({ file, z: points[i] })));
      files.forEach((file, i) => ctx.print(`${file}\t${points[i]!.map((v) => v.toFixed(5)).join(',')}`));
    });
}

export function registerInterpolate(program: Command): void {
  program
    .command('interpolate')
    .description('Encode two audio files and decode the straight line between their latent points.')
    .requiredOption('-m, --model <dir>', 'an exported model folder with an encoder')
    .argument('<a>', 'first audio file')
    .argument('<b>', 'second audio file')
    .option('--steps <n>', 'points on the line, both ends included', positiveInt('--steps'), 8)
    .option('-o, --out <dir>', 'output folder (step-0.wav … plus interpolation.png)', 'interpolation')
    .option('--format <fmt>', `WAV sample format: ${WAV_FORMATS.join(', ')}`, 'float32')
    .option('--normalize', 'peak-normalise each sample')
    .option('--force', 'overwrite existing files')
    .addOption(backendOption())
    .action(async (a: string, b: string, opts, cmd: Command) => {
      const ctx = contextFor(cmd);
      const format = checkWavFormat(opts.format);
      const result = await withModel(ctx, opts.model, opts.backend, true, (model) =>
        interpolate({ model, a, b, steps: opts.steps, out: opts.out, format, normalize: opts.normalize, force: opts.force }),
      );
      if (ctx.options.json) return ctx.printJson(result);
      ctx.print(`wrote ${result.files.length} samples from ${a} to ${b} into ${opts.out}`);
    });
}

export function registerLatentMap(program: Command): void {
  program
    .command('latent-map')
    .description("Plot every dataset sample as a point in the model's latent space (the study's scatter plots), as a PNG.")
    .requiredOption('-m, --model <dir>', 'an exported model folder with an encoder')
    .requiredOption('-d, --dataset <dir>', 'a dataset folder made by `sampgen preprocess` (same sample rate and length as the model)')
    .requiredOption('-o, --out <file.png>', 'the PNG to write')
    .addOption(new Option('--color <feature>', 'colour points by: spectral centroid, decay time to −40 dB, source folder, or nothing').choices([...COLOR_FEATURES]).default('centroid'))
    .option('--points <file.json>', 'also write every latent point as JSON')
    .addOption(backendOption())
    .addHelpText('after', '\nLatent spaces above 2-D are shown as a PCA projection onto their two principal directions, stated on the plot.')
    .action(async (opts, cmd: Command) => {
      const ctx = contextFor(cmd);
      const result = await withModel(ctx, opts.model, opts.backend, true, async (model) => {
        const dataset = openDataset(opts.dataset);
        try {
          return latentMap({ model, dataset, datasetPath: opts.dataset, color: opts.color, progress: ctx.progress });
        } finally {
          dataset.close();
        }
      });
      writeFileAtomic(opts.out, result.png);
      if (opts.points) writeFileAtomic(opts.points, JSON.stringify({ points: result.points }));
      if (ctx.options.json) return ctx.printJson({ out: opts.out, count: result.points.length, projection: result.projection, points_file: opts.points ?? null });
      ctx.print(`wrote ${opts.out} (${result.points.length} points${result.projection ? ', PCA projection' : ''})`);
    });
}

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('Objective metrics of one or more exported models on a dataset (reconstruction, latent smoothness, generation quality, artifacts; see docs/metrics.md), with a comparison table.')
    .requiredOption('-m, --model <dir...>', 'exported model folder(s); several give one comparison table')
    .requiredOption('-d, --dataset <dir>', 'a dataset folder made by `sampgen preprocess`')
    .addOption(new Option('--split <name>', "which rows: the training run's validation split, its training split, or all").choices([...EVAL_SPLITS]).default('validation'))
    .option('-o, --out <dir>', 'write metrics.json and metrics.md into this folder')
    .option('--max-samples <n>', 'at most this many real samples (a seeded subset)', positiveInt('--max-samples'), 500)
    .option('--generated <n>', 'samples to generate for the generation metrics', positiveInt('--generated'), 200)
    .option('--grid <n>', 'grid side for latent smoothness (2-D latents)', positiveInt('--grid'), 8)
    .option('--seed <n>', 'seed of subsets, random latent points and k-means', (v) => Number(v), 1)
    .addOption(backendOption())
    .action(async (opts, cmd: Command) => {
      const ctx = contextFor(cmd);
      await initBackend(opts.backend, (m) => ctx.info(m));
      const dataset = openDataset(opts.dataset);
      const evaluations: ModelEvaluation[] = [];
      try {
        for (const dir of opts.model as string[]) {
          const model = await openModel(dir, { encoder: readModelMetadata(dir).parts.includes('encoder') });
          try {
            evaluations.push(
              evaluateModel({ model, dataset, datasetPath: opts.dataset, split: opts.split, maxSamples: opts.maxSamples, generated: opts.generated, grid: opts.grid, seed: opts.seed, progress: ctx.progress }),
            );
          } finally {
            disposeModel(model);
          }
        }
      } finally {
        dataset.close();
      }
      const file: MetricsFile = { version: METRICS_FORMAT_VERSION, models: evaluations };
      const headline = metricsMarkdown(evaluations, { headline: true });
      if (opts.out) {
        const md = [
          `# Evaluation on ${opts.dataset} (${opts.split} split)`,
          '',
          headline,
          '## Every metric',
          '',
          metricsMarkdown(evaluations),
          'Definitions: docs/metrics.md in sampgen.',
          '',
        ];
        writeFileAtomic(path.join(opts.out, 'metrics.json'), JSON.stringify(file, null, 1));
        writeFileAtomic(path.join(opts.out, 'metrics.md'), md.join('\n'));
      }
      if (ctx.options.json) return ctx.printJson(file);
      ctx.print(headline);
      const total = new Set(evaluations.flatMap((e) => Object.keys(e.metrics))).size;
      ctx.print(opts.out ? `all ${total} metrics: ${path.join(opts.out, 'metrics.md')} (and metrics.json)` : `all ${total} metrics: --out DIR or --json`);
    });
}
