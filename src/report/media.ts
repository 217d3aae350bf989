/**
 * What the report page shows and plays of each run's exported model: its latent map, a contact sheet of a grid over
 * its latent space, a few reconstructions (a validation row next to its decode) and generated samples (the grid's
 * corners and random draws; per class for a model conditioned on class). Files go under the report folder
 * (models/<run folder>/), so that the page works from disk and from any static host.
 */
import * as fs from 'fs';
import * as path from 'path';
import { openDataset, trainingSplit, type Dataset } from '../data';
import { errorMessage } from '../errors';
import { readModelMetadata, SAMPGEN_JSON } from '../export';
import { contactSheetPng } from '../eval/plot';
import { checkDatasetMatchesModel, datasetClasses, latentMap, rowConditions } from '../infer/latent-map';
import { decodePoints, disposeModel, encodeRows, gridPoints, latentBoxFor, openModel, randomPoints, type OpenedModel } from '../infer/model';
import { writeSample } from '../infer/write';
import { conditionVector, defaultClass } from '../models/condition';
import { readCheckpointState } from '../train/checkpoint';
import { modelDirFor } from '../train/run-folder';
import { writeFileAtomic } from '../util/atomic';
import { Rng } from '../util/rng';
import type { RunRecord } from './runs';

export interface AudioFile {
  /** Relative to the report folder, with forward slashes (a URL path). */
  file: string;
  label: string;
}

export interface ModelMedia {
  /** The exported model folder, or null when the run has none (then `notes` says so). */
  modelDir: string | null;
  /** Relative paths of the latent map and the grid's contact sheet, where made. */
  latentMap: string | null;
  grid: string | null;
  reconstructions: { original: AudioFile; decoded: AudioFile }[];
  /** Generated samples in groups: one group, or one per class of a model conditioned on class. */
  generated: { title: string; className: string | null; files: AudioFile[] }[];
  /** What could not be made, and why (no export, no dataset, no encoder …). */
  notes: string[];
}

export interface MediaOptions {
  /** Reconstructions, and random draws per group. */
  count: number;
  /** Seed of the random draws. */
  seed: number;
}

/** Side of the contact sheet's grid (a 1-D latent space gets one row of twice as many). */
const GRID_SIDE = 6;

/**
 * The run's exported model folder: output.models/<run folder> as the config names it (relative to this process's
 * folder, else to the folder training ran in, which the checkpoint records), if it holds this run's export.
 */
export function exportedModelDir(run: RunRecord): string | null {
  const folder = path.basename(run.dir);
  const candidates = [modelDirFor(run.loaded, run.dir)];
  const workdir = readCheckpointState(run.dir)?.workdir;
  if (workdir) candidates.push(path.resolve(workdir, run.loaded.config.output.models, folder));
  for (const dir of candidates) {
    try {
      if (readModelMetadata(dir).config_hash === run.hash) return dir;
    } catch {
      // not there, or not this run's: try the next
    }
  }
  return null;
}

export async function modelMedia(run: RunRecord, out: string, opts: MediaOptions): Promise<ModelMedia> {
  const media: ModelMedia = { modelDir: null, latentMap: null, grid: null, reconstructions: [], generated: [], notes: [] };
  const modelDir = exportedModelDir(run);
  if (!modelDir) {
    media.notes.push(`not exported (no ${SAMPGEN_JSON} of this run under ${run.loaded.config.output.models}): sampgen export ${run.dir}`);
    return media;
  }
  media.modelDir = modelDir;
  const folder = path.basename(run.dir);
  const rel = (name: string) => `models/${folder}/${name}`;
  const abs = (name: string) => path.join(out, 'models', folder, name);
  fs.mkdirSync(path.join(out, 'models', folder), { recursive: true });
  const hasEncoder = readModelMetadata(modelDir).parts.includes('encoder');
  const model = await openModel(modelDir, { encoder: hasEncoder });
  try {
    const { meta } = model;
    const wav = (name: string, samples: Float32Array, label: string): AudioFile => {
      // 16-bit PCM as the study's sources were; samples above full scale clip, as they would when played.
      writeSample(abs(name), samples, meta.sample_rate, { format: 'pcm16', force: true });
      return { file: rel(name), label };
    };
    const layout = meta.condition;
    const classes = layout?.classes ?? null;
    const conditionFor = (className: string | null) => (layout ? conditionVector(layout, className ? { mix: { [className]: 1 } } : {}) : undefined);

    // The grid and its contact sheet (a conditional model at its default condition: the most common class).
    const box = latentBoxFor(meta);
    const [rows, cols] = meta.latent === 1 ? [1, 2 * GRID_SIDE] : [GRID_SIDE, GRID_SIDE];
    const grid = gridPoints(meta, rows, cols, box);
    const gridCondition = conditionFor(null);
    const decodedGrid = decodePoints(model, grid.map((g) => g.point), 64, gridCondition && grid.map(() => gridCondition));
    const over = box.bounds === 'minmax' ? 'the min–max latent bounds' : `the ${box.bounds.slice(1)} percentile box of the training latents`;
    const conditioned = classes ? ` (class ${defaultClass(layout!)})` : '';
    writeFileAtomic(
      abs('grid.png'),
      contactSheetPng(
        decodedGrid.map((samples, i) => ({ samples, label: grid[i]!.point.map((v) => v.toFixed(2)).join(', ') })),
        cols,
        { title: `${meta.name}: ${rows}x${cols} grid over ${over}${conditioned}` },
      ),
    );
    media.grid = rel('grid.png');

    // Generated: the grid's corners and random draws (the prior for GANs and VAEs, the box for autoencoders).
    const corners = gridPoints(meta, meta.latent === 1 ? 1 : 2, 2, box);
    const draws = randomPoints(meta, opts.count, new Rng(opts.seed), box);
    const cornerName = (i: number) => (meta.latent === 1 ? ['low end', 'high end'][i]! : ['top left', 'top right', 'bottom left', 'bottom right'][i]!);
    for (const className of classes ?? [null]) {
      const condition = conditionFor(className);
      const points = [...corners.map((c) => c.point), ...draws];
      const decoded = decodePoints(model, points, 64, condition && points.map(() => condition));
      const prefix = className ? `${safe(className)}-` : '';
      const files = decoded.map((samples, i) =>
        i < corners.length
          ? wav(`${prefix}corner-${i}.wav`, samples, `corner: ${cornerName(i)}`)
          : wav(`${prefix}random-${i - corners.length}.wav`, samples, `random ${i - corners.length + 1}`),
      );
      media.generated.push({ title: className ? `class ${className}` : 'generated', className, files });
    }

    // Reconstructions and the latent map need the training dataset (and an encoder).
    if (!hasEncoder) {
      media.notes.push(`a ${meta.model_type} has no encoder: no reconstructions and no latent map`);
      return media;
    }
    const datasetPath = trainingDatasetPath(run, meta as unknown as Record<string, unknown>);
    let dataset: Dataset;
    try {
      dataset = openDataset(datasetPath);
      checkDatasetMatchesModel(dataset, datasetPath, model);
    } catch (err) {
      media.notes.push(`no reconstructions and no latent map: ${errorMessage(err)}`);
      return media;
    }
    try {
      media.reconstructions = reconstructions(model, dataset, datasetPath, run, opts.count, wav);
      const byClass = classes && !('reason' in datasetClasses(dataset.info, datasetPath));
      const map = latentMap({ model, dataset, datasetPath, color: byClass ? 'class' : 'centroid' });
      writeFileAtomic(abs('latent-map.png'), map.png);
      media.latentMap = rel('latent-map.png');
    } catch (err) {
      media.notes.push(errorMessage(err));
    } finally {
      dataset.close();
    }
  } finally {
    disposeModel(model);
  }
  return media;
}

/** `count` rows spread evenly over the run's validation split (all rows when it has none), each next to its decode. */
function reconstructions(
  model: OpenedModel,
  dataset: Dataset,
  datasetPath: string,
  run: RunRecord,
  count: number,
  wav: (name: string, samples: Float32Array, label: string) => AudioFile,
): ModelMedia['reconstructions'] {
  const split = trainingSplit(dataset.count, run.loaded.config.data.validation, run.loaded.config.train.seed).validation;
  const pool = split.length > 0 ? Array.from(split).sort((a, b) => a - b) : Array.from({ length: dataset.count }, (_, i) => i);
  const n = Math.min(count, pool.length);
  const picked = Int32Array.from({ length: n }, (_, k) => pool[Math.floor((k * pool.length) / n)]!);
  if (n === 0) return [];
  const flat = dataset.readRows(picked);
  const rows = Array.from(picked, (_, i) => flat.slice(i * dataset.length, (i + 1) * dataset.length));
  const conditions = rowConditions(model, dataset, datasetPath, picked);
  const decoded = decodePoints(model, encodeRows(model, rows, true, conditions), 64, conditions);
  return Array.from(picked, (row, i) => {
    const source = dataset.info.files[row]?.path ?? `row ${row}`;
    return {
      original: wav(`recon-${i}-original.wav`, rows[i]!, source),
      decoded: wav(`recon-${i}-decoded.wav`, decoded[i]!, `${source}, decoded`),
    };
  });
}

/** The dataset the model trained on: the absolute path its export recorded, else the run config's data.path. */
function trainingDatasetPath(run: RunRecord, meta: Record<string, unknown>): string {
  const recorded = (meta.training as { dataset?: { path?: unknown } } | undefined)?.dataset?.path;
  if (typeof recorded === 'string' && fs.existsSync(recorded)) return recorded;
  const workdir = readCheckpointState(run.dir)?.workdir;
  const fromConfig = run.loaded.config.data.path;
  return workdir && !path.isAbsolute(fromConfig) && !fs.existsSync(fromConfig) ? path.resolve(workdir, fromConfig) : fromConfig;
}

/** A class name as part of a file name. */
function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}
