import { Command, Option } from 'commander';
import * as path from 'path';
import { initBackend } from '../../backend';
import { isUserError, UserError } from '../../errors';
import { encodeRows, disposeModel, openModel, OpenedModel } from '../../infer/model';
import { preprocessFileWithLevels } from '../../infer/encode';
import { conditionOfFile, conditionRequestOf } from '../../infer/condition';
import { ConditionRequest, conditionVector } from '../../models/condition';
import { generate } from '../../infer/generate';
import { interpolate } from '../../infer/interpolate';
import { checkWavFormat, NORMALIZE_MODES, NORMALIZE_PEAK_DBFS, NORMALIZE_RMS_DBFS, WAV_FORMATS } from '../../infer/write';
import { BOUNDS_SYNTAX, MAX_POINTS, parseBounds } from '../../infer/model';
import { writeFileAtomic } from '../../util/atomic';
import { seedOption } from '../../util/seed';
import { backendOption, contextFor, CommandContext } from '../context';
import type { BackendRequest } from '../../backend/names';
import { assertCanCreate } from '../../util/output-dir';
import { latentMap, COLOR_FEATURES } from '../../infer/latent-map';
import { classesMarkdown, DEFAULT_PER_CLASS, describeRows, evaluateModel, metricsMarkdown, parseSplit, METRICS_FORMAT_VERSION, MetricsFile, ModelEvaluation } from '../../infer/evaluate';
import { CLASSIFIER_HELD_OUT, fitDatasetClassifier } from '../../infer/class-evaluation';
import { KNN_K } from '../../eval/classifier';
import { BOOTSTRAP_LEVEL } from '../../eval/bootstrap';
import { openDataset } from '../../data';
import { readModelMetadata } from '../../export';
import { writeEvaluateHtml } from '../../report/evaluate-page';
import { positiveIntOption } from '../../util/options';

type BackendName = BackendRequest;

const inferenceBackend = () => backendOption('TF.js backend for inference').default('auto');

async function withModel<T>(ctx: CommandContext, dir: string, backend: BackendName, encoder: boolean, use: (m: OpenedModel) => Promise<T>): Promise<T> {
  await initBackend(backend, (m) => ctx.info(m));
  const model = await openModel(dir, { encoder });
  try {
    return await use(model);
  } finally {
    disposeModel(model);
  }
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('Decode latent points of an exported model to WAV files: one point, random points, or a grid with a contact sheet.')
    .requiredOption('-m, --model <dir>', 'an exported model folder (models/<name>/)')
    .option('--z <point>', 'one latent point, comma-separated (e.g. 0.3,-0.5); --out is then a .wav file')
    .option('--random <count>', `this many random points (at most ${MAX_POINTS}): the prior for GANs and VAEs, else uniform in the --bounds box`, positiveIntOption('--random'))
    .option('--seed <n>', 'seed of --random', seedOption('--seed'), 1)
    .option('--grid <ROWSxCOLS>', `an evenly spaced grid over the --bounds box (first two dimensions), e.g. 8x8 (at most ${MAX_POINTS} points), plus grid.png`)
    .option('--bounds <spec>', `the box of --grid and of uniform --random points: ${BOUNDS_SYNTAX}`, 'p1-99')
    .option('--class <name>', 'conditional models: the drum class to generate (one of the classes in sampgen.json; default: the training set\'s most common; --random without it: every class)')
    .option('--mix <CLASS=W,...>', 'conditional models: a blend of classes, e.g. kick=0.3,snare=0.7 (weights are normalised to sum 1)')
    .option('--velocity <0..1>', "conditional models: the attack level as a position in the training set's range, 0 its quietest row, 1 its loudest (default 0.5)")
    .option('--level <dB>', 'conditional models: the attack level in dBFS (attack RMS, e.g. -12dB), instead of --velocity')
    .requiredOption('-o, --out <path>', 'output .wav file (--z) or folder (--random, --grid)')
    .option('--format <fmt>', `WAV sample format: ${WAV_FORMATS.join(', ')}`, 'float32')
    .addOption(normalizeOption())
    .option('--clamp', 'move a --z point outside the training set\'s latent bounds inside them (default: warn only)')
    .option('--plots', 'also write <name>.waveform.png and <name>.spectrogram.png beside each WAV')
    .option('--force', 'overwrite existing files')
    .addOption(inferenceBackend())
    .addHelpText(
      'after',
      "\nSamples are written at the model's sample rate. A point with the wrong number of coordinates exits 2.\n" +
        '--bounds: min–max bounds let one outlying training point stretch the grid; the default, the 1st–99th\n' +
        "percentiles of the training latents in sampgen.json, ignores the outermost 1% per side (models without\n" +
        'stored points, such as GANs, fall back to the min–max bounds, with a note).\n' +
        'pcm16/pcm24 cannot hold samples above full scale: they are clipped, with a warning that counts them per file.\n' +
        'Conditional models (model.condition; sampgen.json lists their classes and level range) also take --class or\n' +
        "--mix and --velocity or --level; --random N without --class writes N samples of every class (<class>-random-K.wav,\n" +
        'sample K of every class from the same latent point). points.json records each file\'s condition.',
    )
    .action(async (opts, cmd: Command) => {
      const ctx = contextFor(cmd);
      const format = checkWavFormat(opts.format);
      const bounds = parseBounds(opts.bounds);
      const normalize = opts.normalize === true ? 'peak' : opts.normalize;
      const summary = await withModel(ctx, opts.model, opts.backend, false, (model) => {
        const condition = conditionRequestOf(model.meta, { class: opts.class, mix: opts.mix, velocity: opts.velocity, level: opts.level }, ctx.warn);
        return generate({ model, z: opts.z, random: opts.random, grid: opts.grid, seed: opts.seed, condition, out: opts.out, format, normalize, bounds, clamp: opts.clamp, force: opts.force, plots: opts.plots, warn: ctx.warn, info: ctx.info, progress: ctx.progress });
      });
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
    .argument('<files...>', 'WAV, FLAC, AIFF, MP3, Ogg Vorbis or Opus files')
    .option('--class <name>', "conditional models: the files' drum class (default: from each file's name, then its folder)")
    .addOption(inferenceBackend())
    .addHelpText(
      'after',
      '\nA file that cannot be encoded is reported (on stderr; with --json as {file, error}) and the others are still\nencoded; the exit code is then 2.\n' +
        "A conditional model encodes each file with its own condition: its class from its name (Snare-Hard.wav, kick/01.wav)\nor --class, its velocity from its attack level measured before preprocessing, as the training data's were.",
    )
    .action(async (files: string[], opts, cmd: Command) => {
      const ctx = contextFor(cmd);
      const results = await withModel(ctx, opts.model, opts.backend, true, (model) => encodeFiles(model, files, opts.class));
      const failed = results.filter((r): r is EncodeFailure => 'error' in r);
      if (ctx.options.json) ctx.printJson(results);
      for (const r of results) {
        if ('error' in r) process.stderr.write(`sampgen: ${r.error}\n`);
        else ctx.print(`${r.file}\t${r.z.map((v) => v.toFixed(5)).join(',')}`);
      }
      if (failed.length > 0) {
        throw new UserError(`${failed.length} of ${files.length} file${files.length === 1 ? '' : 's'} could not be encoded (see above)`);
      }
    });
}

type EncodeFailure = { file: string; error: string };
type EncodeResult = { file: string; z: number[]; condition?: ConditionRequest } | EncodeFailure;

/**
 * Encodes each file, results in the order given; a file that cannot be used (unreadable, not audio, a FIFO…) is
 * reported in its place instead of ending the command, so that one bad file among hundreds costs only its own line.
 */
async function encodeFiles(model: OpenedModel, files: string[], classOverride?: string): Promise<EncodeResult[]> {
  const results: EncodeResult[] = [];
  const usable: { at: number; row: Float32Array; condition?: ConditionRequest }[] = [];
  const layout = model.meta.condition;
  for (const [at, file] of files.entries()) {
    try {
      const { row, levels } = await preprocessFileWithLevels(file, model.meta);
      usable.push({ at, row, condition: conditionOfFile(model.meta, file, levels, classOverride) });
    } catch (err) {
      if (!isUserError(err)) throw err;
      results[at] = { file, error: err.message };
    }
  }
  if (!layout && classOverride !== undefined) throw new UserError(`model ${model.meta.name} is not conditional: --class cannot apply`);
  const conditions = layout ? usable.map((u) => conditionVector(layout, u.condition!)) : undefined;
  const points = usable.length > 0 ? encodeRows(model, usable.map((u) => u.row), true, conditions) : [];
  usable.forEach((u, i) => (results[u.at] = { file: files[u.at]!, z: points[i]!, ...(u.condition ? { condition: u.condition } : {}) }));
  return results;
}

/** --normalize [mode] of every command that writes generated samples. */
function normalizeOption(): Option {
  return new Option(
    '--normalize [mode]',
    `set each sample's level: peak to ${NORMALIZE_PEAK_DBFS} dBFS, or loudness to ${NORMALIZE_RMS_DBFS} dBFS RMS with the peak at most ${NORMALIZE_PEAK_DBFS} dBFS (no mode: peak; default: the model's level is kept)`,
  ).choices([...NORMALIZE_MODES]);
}

export function registerInterpolate(program: Command): void {
  program
    .command('interpolate')
    .description('Encode two audio files and decode the straight line between their latent points.')
    .requiredOption('-m, --model <dir>', 'an exported model folder with an encoder')
    .argument('<a>', 'first audio file')
    .argument('<b>', 'second audio file')
    .option('--steps <n>', 'points on the line, both ends included', positiveIntOption('--steps'), 8)
    .option('-o, --out <dir>', 'output folder (step-0.wav … plus interpolation.png)', 'interpolation')
    .option('--class-a <name>', "conditional models: <a>'s drum class when its name does not say it")
    .option('--class-b <name>', "conditional models: <b>'s drum class when its name does not say it")
    .option('--format <fmt>', `WAV sample format: ${WAV_FORMATS.join(', ')}`, 'float32')
    .addOption(normalizeOption())
    .option('--force', 'overwrite existing files')
    .addOption(inferenceBackend())
    .action(async (a: string, b: string, opts, cmd: Command) => {
      const ctx = contextFor(cmd);
      assertCanCreate(opts.out, '--out');
      const format = checkWavFormat(opts.format);
      const normalize = opts.normalize === true ? 'peak' : opts.normalize;
      const result = await withModel(ctx, opts.model, opts.backend, true, (model) =>
        interpolate({ model, a, b, steps: opts.steps, out: opts.out, format, normalize, force: opts.force, classA: opts.classA, classB: opts.classB, warn: ctx.warn, info: ctx.info }),
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
    .addOption(new Option('--color <feature>', "colour points by: spectral centroid, decay time to −40 dB, source folder, drum class (dataset.json's, with a legend of classes and counts), or nothing").choices([...COLOR_FEATURES]).default('centroid'))
    .option('--bounds <spec>', 'the plotted extent: minmax of the plotted points, or pLOW-HIGH for their per-axis percentiles (e.g. p1-99)', 'p1-99')
    .option('--points <file.json>', 'also write every latent point as JSON')
    .addOption(inferenceBackend())
    .addHelpText(
      'after',
      '\nLatent spaces above 2-D are shown as a PCA projection onto their two principal directions, stated on the plot.\n' +
        'By default the axes span the 1st–99th percentiles of the points (plus 5%), so that one outlier does not squeeze\n' +
        'the rest into a corner; the subtitle counts the points outside. A dataset row holding NaN, or NaN latent\n' +
        'points from the encoder, exit 2 naming the row or the model folder.\n' +
        '--color class needs a dataset with drum classes (preprocess --labels); one without exits 2. A conditional model\n' +
        "encodes each row with its own class and level, as it trained on them (its map is the latent space given them).",
    )
    .action(async (opts, cmd: Command) => {
      const ctx = contextFor(cmd);
      assertCanCreate(path.dirname(path.resolve(opts.out)), '--out');
      const bounds = parseBounds(opts.bounds);
      const result = await withModel(ctx, opts.model, opts.backend, true, async (model) => {
        const dataset = openDataset(opts.dataset);
        try {
          return latentMap({ model, dataset, datasetPath: opts.dataset, color: opts.color, bounds, progress: ctx.progress });
        } finally {
          dataset.close();
        }
      });
      writeFileAtomic(opts.out, result.png);
      if (opts.points) writeFileAtomic(opts.points, JSON.stringify({ points: result.points }));
      if (ctx.options.json) return ctx.printJson({ out: opts.out, count: result.points.length, projection: result.projection, extent: result.extent, legend: result.legend, points_file: opts.points ?? null });
      ctx.print(`wrote ${opts.out} (${result.points.length} points${result.projection ? ', PCA projection' : ''})`);
      if (result.legend) ctx.print(`${result.legend.title}: ${result.legend.entries.map((e) => e.label).join(', ')}`);
    });
}

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('Objective metrics of one or more exported models on a dataset (reconstruction, latent smoothness, generation quality, artifacts; see docs/metrics.md), with a comparison table that says how many samples each number rests on.')
    .requiredOption('-m, --model <dir...>', 'exported model folder(s); several give one comparison table')
    .option('-d, --dataset <dir>', "the models' training dataset (made by `sampgen preprocess`), split as --split says")
    .option('--split <name>', "rows of --dataset: val (the training run's validation split, never trained on), train, or all", 'val')
    .option('--held-out <dir>', 'instead of --dataset: a separate dataset the models never trained on, used whole (never split)')
    .option('-o, --out <dir>', 'write metrics.json and metrics.md into this folder')
    .option('--html', 'with --out: also write index.html, the table as a page (sortable, filterable; works from disk, like report --html)')
    .option('--max-samples <n>', 'at most this many real samples (a seeded subset)', positiveIntOption('--max-samples'), 500)
    .option('--generated <n>', `samples to generate for the generation metrics (2 to ${MAX_POINTS})`, positiveIntOption('--generated'), 200)
    .option('--grid <n>', 'grid side for latent smoothness (2-D latents)', positiveIntOption('--grid'), 8)
    .option('--per-class <n>', 'class evaluation: samples generated per requested class of a model conditioned on class (velocities spread over 0..1)', positiveIntOption('--per-class'), DEFAULT_PER_CLASS)
    .option('--bounds <spec>', `box of the smoothness grid and of uniform random points (autoencoders): ${BOUNDS_SYNTAX}`, 'p1-99')
    .option('--resamples <n>', 'bootstrap resamples of the intervals of set-level metrics (0: no intervals)', (v) => nonNegativeInt('--resamples', v), 200)
    .option('--seed <n>', 'seed of subsets, random latent points, k-means and the bootstrap', seedOption('--seed'), 1)
    .addOption(inferenceBackend())
    .addHelpText(
      'after',
      '\nThe table has one row per metric: n_real and n_generated say how many real and generated (reconstructed,\n' +
        `decoded) samples it rests on; Fréchet distance, NDB and nn_to_real carry a ${Math.round(BOOTSTRAP_LEVEL * 100)}% bootstrap interval [low, high].\n` +
        'A warning names every metric that rests on fewer samples than it needs (the rules are in docs/metrics.md).\n' +
        'A dataset row holding NaN or Infinity exits 2 naming the row and its source file.\n' +
        `\nDrum classes (a dataset with classes, preprocess --labels): an independent classifier, k-nearest neighbours (k = ${KNN_K})\n` +
        `on log-mel statistics, is fitted to the dataset's labelled rows (at most --max-samples) with ${Math.round(CLASSIFIER_HELD_OUT * 100)}% of each class held out;\n` +
        'class_real_accuracy is its accuracy on those held-out real rows. A model conditioned on class generates --per-class\n' +
        'samples of every class (prior latents, velocities spread over 0..1): class_gen_accuracy[:class] is the share the\n' +
        'classifier assigns to the requested class, velocity_spearman[:class] the rank correlation of the requested velocity\n' +
        "with the generated attack level. A model not conditioned on class gets class_gen_fraction:class, the classifier's\n" +
        'verdicts on its prior samples (no class can be asked of it). metrics.md has the table per class.\n' +
        'Conditional models: real rows are encoded with their own class and level; random samples take the condition of a\n' +
        'real row drawn at random; the smoothness grid is decoded at the most common class, velocity 0.5.',
    )
    .action(async (opts, cmd: Command) => {
      const ctx = contextFor(cmd);
      if (opts.out) assertCanCreate(opts.out, '--out');
      if (opts.html && !opts.out) throw new UserError('--html writes index.html beside metrics.json: give --out <dir>');
      if (Boolean(opts.dataset) === Boolean(opts.heldOut)) throw new UserError('give exactly one of --dataset <dir> (with --split) or --held-out <dir>');
      if (opts.heldOut && cmd.getOptionValueSource('split') === 'cli') {
        throw new UserError('--split applies to --dataset; a --held-out dataset is used whole, never split');
      }
      const split = opts.heldOut ? 'held-out' : parseSplit(opts.split);
      const datasetPath: string = opts.heldOut ?? opts.dataset;
      const bounds = parseBounds(opts.bounds);
      await initBackend(opts.backend, (m) => ctx.info(m));
      const dataset = openDataset(datasetPath);
      const evaluations: ModelEvaluation[] = [];
      try {
        // One classifier for every model: they are judged by the same ear.
        const classifier = fitDatasetClassifier(dataset, datasetPath, { maxRows: opts.maxSamples, seed: opts.seed, attack: dataset.info.attack });
        for (const dir of opts.model as string[]) {
          const model = await openModel(dir, { encoder: readModelMetadata(dir).parts.includes('encoder') });
          try {
            evaluations.push(
              evaluateModel({ model, dataset, datasetPath, split, maxSamples: opts.maxSamples, generated: opts.generated, grid: opts.grid, perClass: opts.perClass, classifier, seed: opts.seed, bounds, resamples: opts.resamples, info: ctx.info, warn: ctx.warn, progress: ctx.progress }),
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
      const rowsLines = [...new Set(evaluations.map(describeRows))];
      const warnings = evaluations.flatMap((e) => e.warnings.map((w) => `${e.name}: ${w}`));
      const intervals = `[low, high]: ${Math.round(BOOTSTRAP_LEVEL * 100)}% bootstrap interval, ${opts.resamples} resamples (seed ${opts.seed}).`;
      const classes = classesMarkdown(evaluations);
      if (opts.out) {
        const md = [
          `# Evaluation on ${datasetPath} (${split === 'held-out' ? 'held-out dataset, used whole' : `${split} split`})`,
          '',
          ...rowsLines.map((l) => `- ${l}`),
          '',
          headline,
          intervals,
          '',
          ...(classes ? ['## Drum classes', '', classes] : []),
          ...(warnings.length > 0 ? ['## Warnings', '', ...warnings.map((w) => `- ${w}`), ''] : []),
          '## Every metric',
          '',
          metricsMarkdown(evaluations),
          'Definitions, and how many samples each metric needs: docs/metrics.md in sampgen.',
          '',
        ];
        writeFileAtomic(path.join(opts.out, 'metrics.json'), JSON.stringify(file, null, 1));
        writeFileAtomic(path.join(opts.out, 'metrics.md'), md.join('\n'));
        if (opts.html) writeEvaluateHtml(opts.out, evaluations, { title: `${datasetPath} (${split === 'held-out' ? 'held-out dataset, used whole' : `${split} split`})`, rows: rowsLines });
      }
      for (const w of warnings) ctx.warn(w);
      if (ctx.options.json) return ctx.printJson(file);
      for (const l of rowsLines) ctx.print(l);
      ctx.print('');
      ctx.print(headline);
      if (opts.resamples > 0) ctx.print(intervals);
      if (classes) {
        ctx.print('');
        ctx.print(classes);
      }
      const total = new Set(evaluations.flatMap((e) => Object.keys(e.metrics))).size;
      ctx.print(opts.out ? `all ${total} metrics: ${path.join(opts.out, 'metrics.md')} (and metrics.json)` : `all ${total} metrics: --out DIR or --json`);
    });
}

function nonNegativeInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
}
