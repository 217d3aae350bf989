import * as fs from 'fs';
import * as path from 'path';
import { ModelMetadata, readModelMetadata, SAMPGEN_JSON } from '../export';
import { errorMessage, UserError } from '../errors';
import '../models/families';
import { families } from '../models/family';
import { isSafeName, resolveDirInside } from './paths';
import { findTrainingDataset } from './training';

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
  /** The model family's description from the registry (src/models/family.ts); null for a family this sampgen does not know. */
  description: string | null;
  /** The training samples behind the latent points (see training.ts): how many, and whether their audio can be fetched. */
  training_samples: { count: number; audio: boolean } | null;
}

/** A folder under --models that looks like a model (it has sampgen.json) but cannot be used, and why. */
export interface BrokenModel {
  folder: string;
  error: string;
}

export interface ModelListing {
  models: ModelSummary[];
  broken: BrokenModel[];
  /** Links to a model folder under another name (models/<name> → <name>-<hash>): name → folder. */
  aliases: Record<string, string>;
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

/** The registry's description of a model type, or null for a type no registered family has (a plugin's model). */
export function familyDescription(modelType: string): string | null {
  return families().find((f) => f.type === modelType)?.description ?? null;
}

/** A model's line in the server's listing (whose training rows' audio it reads from the dataset: see training.ts). */
export function summarize(folder: string, meta: ModelMetadata): ModelSummary {
  const found = findTrainingDataset(meta);
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
    description: familyDescription(meta.model_type),
    training_samples: 'reason' in found ? null : { count: found.info.count, audio: true },
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

/** The entry directly under `root` that `root/name` links to (the latest-export alias), or null when it is no such link. */
function siblingLinkTarget(root: string, name: string): string | null {
  try {
    if (!fs.lstatSync(path.join(root, name)).isSymbolicLink()) return null;
    const target = fs.readlinkSync(path.join(root, name));
    const ok = !target.includes('/') && !target.includes(path.sep) && target !== name && fs.existsSync(path.join(root, target));
    return ok ? target : null;
  } catch {
    return null;
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
  const aliases: Record<string, string> = {};
  const entries = fs.readdirSync(root).sort();
  for (const folder of entries) {
    // `models/<name>` is a link to a run's own folder `<name>-<hash>`, listed under its own name: the link would show
    // the same model twice. It still opens as a model id (the page resolves it through `aliases`), so links that
    // name it keep working.
    const target = siblingLinkTarget(root, folder);
    if (target !== null) {
      if (isSafeName(folder) && isSafeName(target)) aliases[folder] = target;
      continue;
    }
    try {
      const found = findModel(root, folder);
      if (found) models.push(summarize(folder, found.meta));
    } catch (err) {
      broken.push({ folder, error: errorMessage(err) });
    }
  }
  // An alias whose target is not a listed model (broken, or itself a link) leads nowhere.
  for (const [name, target] of Object.entries(aliases)) if (!models.some((m) => m.folder === target)) delete aliases[name];
  return { models, broken, aliases };
}
