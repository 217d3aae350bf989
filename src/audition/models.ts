import * as fs from 'fs';
import * as path from 'path';
import { ModelMetadata, readModelMetadata, SAMPGEN_JSON } from '../export';
import { errorMessage, UserError } from '../errors';
import { isSafeName, resolveDirInside } from './paths';

/** What the page's model picker shows for one model folder under --models (GET /api/models). */
export interface ModelSummary {
  /** The folder's name under --models: the model's id in every URL. */
  folder: string;
  name: string;
  model_type: ModelMetadata['model_type'];
  latent: number;
  sample_rate: number;
  length: number;
  epochs: number;
  losses: ModelMetadata['losses'];
  parts: string[];
  /** Whether the export carries the training set's latent points (the pad's scatter). */
  has_latent_points: boolean;
  /** A conditional model's classes and level range (sampgen.json format 2); null for every other model. */
  condition: ModelMetadata['condition'] | null;
  created: string;
}

/** A folder under --models that looks like a model (it has sampgen.json) but cannot be used, and why. */
export interface BrokenModel {
  folder: string;
  error: string;
}

export interface ModelListing {
  models: ModelSummary[];
  broken: BrokenModel[];
}

/** Checks --models: it must be an existing folder. */
export function checkModelsDir(dir: string): string {
  if (!fs.existsSync(dir)) throw new UserError(`--models folder not found: ${dir}`);
  if (!fs.statSync(dir).isDirectory()) throw new UserError(`--models must be a folder of exported models, but ${dir} is a file`);
  if (fs.existsSync(path.join(dir, SAMPGEN_JSON))) {
    throw new UserError(
      `--models ${dir} is itself a model folder; pass the folder that holds it (${path.dirname(path.resolve(dir))})`,
    );
  }
  return path.resolve(dir);
}

export function summarize(folder: string, meta: ModelMetadata): ModelSummary {
  return {
    folder,
    name: meta.name,
    model_type: meta.model_type,
    latent: meta.latent,
    sample_rate: meta.sample_rate,
    length: meta.length,
    epochs: meta.epochs,
    losses: meta.losses,
    parts: meta.parts,
    has_latent_points: (meta.latent_points?.length ?? 0) > 0,
    condition: meta.condition ?? null,
    created: meta.created,
  };
}

/**
 * The model folder `folder` directly under `root` (its real path inside root's, symlinks resolved) and its
 * validated metadata, or null when there is no such model or the name is not a servable folder name.
 * Throws UserError when the folder has a sampgen.json that is invalid.
 */
export function findModel(root: string, folder: string): { dir: string; meta: ModelMetadata } | null {
  if (!isSafeName(folder)) return null;
  const dir = resolveDirInside(root, [folder]);
  if (dir === null || !fs.existsSync(path.join(dir, SAMPGEN_JSON))) return null;
  return { dir, meta: readModelMetadata(dir) };
}

/** Whether `root/name` is a symbolic link to another entry directly under `root` (the latest-export alias). */
function isLinkToSibling(root: string, name: string): boolean {
  try {
    if (!fs.lstatSync(path.join(root, name)).isSymbolicLink()) return false;
    const target = fs.readlinkSync(path.join(root, name));
    return !target.includes('/') && !target.includes(path.sep) && target !== name && fs.existsSync(path.join(root, target));
  } catch {
    return false;
  }
}

/**
 * Every model folder directly under `root`, sorted by folder name. Read afresh on each call so that a model
 * exported while the server runs appears on the next reload. Folders without sampgen.json are not models and
 * are left out; folders whose sampgen.json is invalid are listed under `broken` with the reason.
 */
export function listModels(root: string): ModelListing {
  const models: ModelSummary[] = [];
  const broken: BrokenModel[] = [];
  const entries = fs.readdirSync(root).sort();
  for (const folder of entries) {
    // `models/<name>` is a link to a run's own folder `<name>-<hash>`, listed under its own name: the link would show
    // the same model twice. It still opens as a model id (findModel), so URLs that name it keep working.
    if (isLinkToSibling(root, folder)) continue;
    try {
      const found = findModel(root, folder);
      if (found) models.push(summarize(folder, found.meta));
    } catch (err) {
      broken.push({ folder, error: errorMessage(err) });
    }
  }
  return { models, broken };
}
