import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ErrorObject } from 'ajv';
import { UserError, errorMessage } from '../errors';
import { MODEL_JSON } from './handler';
import type { ConditionLayout } from '../models/condition';

/**
 * `sampgen.json`: what a model folder holds and how to use it, for `generate`, `encode`, the audition page and
 * other tools (field names are snake_case so Python and browsers read them as written).
 */

/**
 * Format 1: every model; format 2: a conditional model (its `condition` field, and a decoder with two inputs). Only
 * conditional models are written as 2, so every other folder stays readable by sampgens that know only format 1
 * (which would refuse a conditional model by its version instead of failing on its decoder's second input).
 */
export const MODEL_FORMAT_VERSION = 1;
export const CONDITIONAL_MODEL_FORMAT_VERSION = 2;
export const MODEL_FORMAT_VERSIONS_READ: readonly number[] = [1, 2];
export const SAMPGEN_JSON = 'sampgen.json';

/**
 * The model family that trained the model (src/models/families). Any name is accepted on reading: the parts are
 * stock TF.js models, so a model of a family this sampgen does not know (a plugin) still generates and encodes.
 */
export type ModelType = string;

/** The distribution that generators draw latent vectors from (gan/vae); null for plain autoencoders. */
export type LatentPrior = 'uniform' | 'normal' | null;

/** How the training dataset was made, so that `encode` can preprocess new files the same way. */
export interface PreprocessParams {
  /** 'first' or 'mix' (as `sampgen preprocess --channel`). */
  channel: string;
  /** Index of the peak in each sample, in samples at `sample_rate`. */
  attack: number;
  /** Samples per sample. */
  length: number;
  sample_rate: number;
}

export interface ModelMetadata {
  version: number;
  name: string;
  model_type: ModelType;
  sample_rate: number;
  /** Samples per generated sample (the decoder's / generator's output width). */
  length: number;
  /** Latent size. */
  latent: number;
  /** Per-dimension minimum and maximum of the training set's latent points (each `latent` long). */
  latent_bounds: { min: number[]; max: number[] };
  latent_prior: LatentPrior;
  config_hash: string;
  /** The resolved training config. */
  config: Record<string, unknown>;
  /** Final losses: `loss`, `val_loss` and any model-specific ones; null where none was measured. */
  losses: Record<string, number | null>;
  epochs: number;
  preprocess: PreprocessParams;
  /** The training set's latent points (each `latent` long), for UIs; may be omitted. */
  latent_points?: number[][];
  sampgen_version: string;
  tfjs_version: string;
  /** ISO 8601 time of the export. */
  created: string;
  /** Subfolders holding TF.js layers models, e.g. ['encoder', 'decoder'] or ['generator']. */
  parts: string[];
  /**
   * sha256 (hex) of every file of every part, by path inside the folder ('decoder/weights.bin'), checked before a
   * part is loaded. Absent in folders exported by earlier versions (then nothing is checked).
   */
  files_sha256?: Record<string, string>;
  /** The run the model came from: its folder's name, its dataset, and which of its weights these are. Absent in earlier exports. */
  run?: { folder: string; dataset_fingerprint: string; weights: 'best' | 'last'; epoch: number };
  /**
   * Format 2, conditional models only: what the decoder's (and encoder's) second input holds: the classes one-hot
   * in this order, then the velocity 0…1 across the level range (src/models/condition.ts).
   */
  condition?: ConditionLayout;
}

/** Part names become folder names: keep them plain. */
export const PART_NAME = /^[a-z][a-z0-9_-]*$/;

const numberArray = { type: 'array', items: { type: 'number' } };

// Types and required fields are a JSON schema (checked by ajv); relations between fields are checked below.
const schema = {
  type: 'object',
  required: [
    'version', 'name', 'model_type', 'sample_rate', 'length', 'latent', 'latent_bounds', 'latent_prior',
    'config_hash', 'config', 'losses', 'epochs', 'preprocess', 'sampgen_version', 'tfjs_version', 'created', 'parts',
  ],
  properties: {
    version: { type: 'integer' },
    name: { type: 'string', minLength: 1 },
    model_type: { type: 'string', minLength: 1 },
    sample_rate: { type: 'integer', minimum: 1 },
    length: { type: 'integer', minimum: 1 },
    latent: { type: 'integer', minimum: 1 },
    latent_bounds: {
      type: 'object',
      required: ['min', 'max'],
      properties: { min: numberArray, max: numberArray },
    },
    latent_prior: { enum: ['uniform', 'normal', null] },
    config_hash: { type: 'string' },
    config: { type: 'object' },
    losses: { type: 'object', additionalProperties: { type: ['number', 'null'] } },
    epochs: { type: 'integer', minimum: 0 },
    preprocess: {
      type: 'object',
      required: ['channel', 'attack', 'length', 'sample_rate'],
      properties: {
        channel: { type: 'string' },
        attack: { type: 'integer', minimum: 0 },
        length: { type: 'integer', minimum: 1 },
        sample_rate: { type: 'integer', minimum: 1 },
      },
    },
    latent_points: { type: 'array', items: numberArray },
    sampgen_version: { type: 'string' },
    tfjs_version: { type: 'string' },
    created: { type: 'string' },
    parts: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: PART_NAME.source } },
    files_sha256: { type: 'object', additionalProperties: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
    condition: {
      type: 'object',
      required: ['classes', 'class_counts', 'velocity'],
      additionalProperties: false,
      properties: {
        classes: { type: ['array', 'null'], minItems: 2, uniqueItems: true, items: { type: 'string', minLength: 1 } },
        class_counts: { type: ['array', 'null'], items: { type: 'integer', minimum: 0 } },
        velocity: {
          type: ['object', 'null'],
          required: ['feature', 'min_dbfs', 'max_dbfs'],
          properties: { feature: { enum: ['attack_rms_dbfs'] }, min_dbfs: { type: 'number' }, max_dbfs: { type: 'number' } },
        },
      },
    },
    run: {
      type: 'object',
      required: ['folder', 'dataset_fingerprint', 'weights', 'epoch'],
      properties: {
        folder: { type: 'string' },
        dataset_fingerprint: { type: 'string' },
        weights: { enum: ['best', 'last'] },
        epoch: { type: 'integer', minimum: 0 },
      },
    },
  },
};

const validateSchema = new Ajv({ allErrors: true }).compile(schema);

function describe(e: ErrorObject): string {
  if (e.keyword === 'required') return `field '${pathOf(e.instancePath, e.params.missingProperty as string)}' is missing`;
  const where = e.instancePath === '' ? 'the file' : `field '${pathOf(e.instancePath)}'`;
  const allowed = e.keyword === 'enum' ? ` (${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')})` : '';
  return `${where} ${e.message}${allowed}`;
}

/** '/latent_bounds/min/0' → 'latent_bounds.min[0]'. */
function pathOf(instancePath: string, last?: string): string {
  const parts = instancePath.split('/').slice(1);
  if (last !== undefined) parts.push(last);
  return parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** The problems of a parsed sampgen.json, empty when it is valid. */
export function metadataProblems(json: unknown): string[] {
  if (!validateSchema(json)) return (validateSchema.errors ?? []).map(describe);
  const m = json as unknown as ModelMetadata;
  const problems: string[] = [];
  for (const key of ['min', 'max'] as const) {
    if (m.latent_bounds[key].length !== m.latent) {
      problems.push(`field 'latent_bounds.${key}' has ${m.latent_bounds[key].length} values, expected latent = ${m.latent}`);
    }
  }
  if (m.latent_bounds.min.some((lo, i) => lo > m.latent_bounds.max[i]!)) {
    problems.push(`field 'latent_bounds' has a min above its max`);
  }
  m.latent_points?.forEach((p, i) => {
    if (p.length !== m.latent) problems.push(`field 'latent_points[${i}]' has ${p.length} values, expected latent = ${m.latent}`);
  });
  if (m.condition) {
    const c = m.condition;
    if (m.version < CONDITIONAL_MODEL_FORMAT_VERSION) problems.push(`field 'condition' needs format version ${CONDITIONAL_MODEL_FORMAT_VERSION}, the file says ${m.version}`);
    if (!c.classes && !c.velocity) problems.push(`field 'condition' conditions on nothing (classes and velocity are both null)`);
    if ((c.classes?.length ?? null) !== (c.class_counts?.length ?? null)) problems.push(`field 'condition.class_counts' does not match 'condition.classes'`);
    if (c.velocity && !(c.velocity.max_dbfs > c.velocity.min_dbfs)) problems.push(`field 'condition.velocity' has max_dbfs <= min_dbfs`);
  } else if (m.version >= CONDITIONAL_MODEL_FORMAT_VERSION) {
    problems.push(`format version ${m.version} is for conditional models, but field 'condition' is missing`);
  }
  if (Number.isNaN(Date.parse(m.created))) problems.push(`field 'created' is not an ISO time: ${JSON.stringify(m.created)}`);
  return problems;
}

function fail(file: string, problems: string[]): never {
  const shown = problems.slice(0, 5).join('; ');
  const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
  throw new UserError(`${file} is not valid sampgen model metadata: ${shown}${more}`);
}

/** Checks metadata about to be written, so that a write never makes a folder that reading rejects. */
export function assertValidMetadata(metadata: ModelMetadata, where: string): void {
  const problems = metadataProblems(metadata);
  if (problems.length > 0) fail(where, problems);
}

/**
 * Reads and validates `<dir>/sampgen.json`: the folder exists, the file parses, its version is one this sampgen
 * knows, the required fields are there with the right types, and every part has its model.json.
 */
export function readModelMetadata(dir: string): ModelMetadata {
  if (!fs.existsSync(dir)) throw new UserError(`model folder not found: ${dir}`);
  if (!fs.statSync(dir).isDirectory()) throw new UserError(`not a model folder (it is a file): ${dir}`);
  const file = path.join(dir, SAMPGEN_JSON);
  if (!fs.existsSync(file)) throw new UserError(`not an exported sampgen model: ${file} is missing`);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`${file} is not valid JSON: ${errorMessage(err)}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail(file, ['expected a JSON object']);
  const version = (json as Record<string, unknown>).version;
  if (version === undefined) fail(file, [`field 'version' is missing`]);
  if (typeof version !== 'number' || !MODEL_FORMAT_VERSIONS_READ.includes(version)) {
    throw new UserError(
      `${file} has format version ${JSON.stringify(version)}, which this sampgen does not know ` +
        `(it reads versions ${MODEL_FORMAT_VERSIONS_READ.join(' and ')}); export the model again or update sampgen`,
    );
  }
  const problems = metadataProblems(json);
  if (problems.length > 0) fail(file, problems);
  const metadata = json as ModelMetadata;
  for (const part of metadata.parts) {
    const modelJson = path.join(dir, part, MODEL_JSON);
    if (!fs.existsSync(modelJson)) throw new UserError(`model ${dir} is incomplete: ${modelJson} is missing`);
  }
  return metadata;
}
