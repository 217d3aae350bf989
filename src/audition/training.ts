import * as fs from 'fs';
import * as path from 'path';
import { encodeWav } from '../audio';
import { Dataset, DatasetInfo, datasetFingerprint, openDataset, readDatasetInfo } from '../data';
import { DATASET_JSON } from '../data/format';
import { errorMessage } from '../errors';
import type { ModelMetadata } from '../export';

/**
 * The training samples behind a model's latent points: sampgen.json's latent_points are the training set's rows in
 * order (train/export-run.ts), so row i of the dataset the model was trained on is the sound at point i. The page
 * names the training sample nearest to the current point, and plays it where its audio is at hand (the audition
 * server reads it from the dataset; a static site carries it when built with --training-audio).
 *
 * The dataset is found where the export says it was (training.dataset.path), else at config.data.path, and used
 * only when it is the very dataset of the run (its fingerprint is run.dataset_fingerprint) with one row per point:
 * a dataset preprocessed again since would name the wrong files.
 */

/** What the page gets (GET /api/models/<folder>/training, or a site's models/<folder>/training.json). */
export interface TrainingSamples {
  /** The dataset folder's name (its last path segment: no path of the machine it is on). */
  dataset: string;
  count: number;
  /** Row by row: the source file relative to the folder it was preprocessed from, and its drum class. */
  files: { path: string; class: string | null }[];
  /** Whether each row's audio can be fetched (a WAV per row). */
  audio: boolean;
}

export interface FoundDataset {
  dir: string;
  info: DatasetInfo;
}

/** The model's training dataset, checked to be the one it was trained on, or why there is none to use. */
export function findTrainingDataset(meta: ModelMetadata, cwd = process.cwd()): FoundDataset | { reason: string } {
  const points = meta.latent_points?.length ?? 0;
  if (points === 0) return { reason: 'the export carries no latent points' };
  if (!meta.run) return { reason: 'the export does not record which dataset it was trained on (exported by an earlier sampgen)' };
  const recorded = (meta as { training?: { dataset?: { path?: unknown } } }).training?.dataset?.path;
  const configured = (meta.config as { data?: { path?: unknown } }).data?.path;
  const candidates = [recorded, configured]
    .filter((p): p is string => typeof p === 'string' && p !== '')
    .map((p) => path.resolve(cwd, p));
  const tried: string[] = [];
  for (const dir of [...new Set(candidates)]) {
    if (!fs.existsSync(path.join(dir, DATASET_JSON))) {
      tried.push(`${dir}: no dataset there`);
      continue;
    }
    let info: DatasetInfo;
    try {
      info = cachedInfo(dir);
    } catch (err) {
      tried.push(`${dir}: ${errorMessage(err)}`);
      continue;
    }
    if (datasetFingerprint(info) !== meta.run.dataset_fingerprint) {
      tried.push(`${dir}: another dataset than the model's (preprocessed again since?)`);
      continue;
    }
    if (info.count !== points) {
      tried.push(`${dir}: ${info.count} rows for ${points} latent points`);
      continue;
    }
    return { dir, info };
  }
  return { reason: tried.length > 0 ? tried.join('; ') : 'the export names no dataset folder' };
}

const infoCache = new Map<string, { mtimeMs: number; size: number; info: DatasetInfo }>();

/** dataset.json, read again only when it changed (the server lists models on every page load). */
function cachedInfo(dir: string): DatasetInfo {
  const file = path.join(dir, DATASET_JSON);
  const stat = fs.statSync(file);
  const hit = infoCache.get(dir);
  if (hit && hit.mtimeMs === stat.mtimeMs && hit.size === stat.size) return hit.info;
  const info = readDatasetInfo(dir);
  infoCache.set(dir, { mtimeMs: stat.mtimeMs, size: stat.size, info });
  return info;
}

/** The page's listing of a found dataset's rows. */
export function trainingSamplesOf(found: FoundDataset, audio: boolean): TrainingSamples {
  return {
    dataset: path.basename(found.dir),
    count: found.info.count,
    files: found.info.files.map((f) => ({ path: f.path, class: f.class ?? null })),
    audio,
  };
}

/**
 * Row `index` of an open dataset as a 16-bit WAV: to listen to, a third of the float32 row's size (a static site
 * carries one per row).
 */
export function trainingRowWav(dataset: Dataset, index: number): Uint8Array {
  return encodeWav(dataset.readRows([index]), dataset.sampleRate, 'pcm16');
}

/** Opens a found dataset for reading rows (checks samples.f32 against its sha256 once). */
export function openTrainingRows(found: FoundDataset): Dataset {
  return openDataset(found.dir);
}
