import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { UserError, errorMessage } from '../errors';
import { sha256Hex } from '../util/checksum';
import { replaceDirAtomic, writeFileAtomic } from '../util/atomic';
import { VERSION } from '../version';
import { loadModelFromDir, saveModelToDir } from './handler';
import { CONDITIONAL_MODEL_FORMAT_VERSION, MODEL_FORMAT_VERSION, ModelMetadata, PART_NAME, SAMPGEN_JSON, assertValidMetadata, readModelMetadata } from './metadata';

/**
 * A model folder: `<dir>/sampgen.json` plus one TF.js layers model per part (`encoder/`, `decoder/`,
 * `generator/`), each loadable on its own by stock `tf.loadLayersModel`.
 */

/** Fields that writeModelFolder fills in when the caller leaves them out. */
type FilledIn = 'version' | 'parts' | 'sampgen_version' | 'tfjs_version' | 'created' | 'files_sha256';
export type NewModelMetadata = Omit<ModelMetadata, FilledIn> & Partial<Pick<ModelMetadata, FilledIn>>;

/** The version of tfjs that wrote a model (the one loaded in this process). */
export function tfjsVersion(): string {
  return tf.version.tfjs ?? tf.version_core;
}

/**
 * Writes the parts and sampgen.json into a temp folder beside `dir`, then swaps it in, so that `dir` is at every
 * moment either the previous model or the complete new one. `version`, `parts` (the keys of `parts`),
 * `sampgen_version`, `tfjs_version` and `created` are filled in unless given. Returns the metadata written.
 */
export async function writeModelFolder(
  dir: string,
  parts: Record<string, tf.LayersModel>,
  metadata: NewModelMetadata,
): Promise<ModelMetadata> {
  const names = Object.keys(parts);
  if (names.length === 0) throw new Error('writeModelFolder needs at least one part');
  for (const name of names) {
    if (!PART_NAME.test(name)) throw new Error(`bad model part name ${JSON.stringify(name)} (expected ${PART_NAME})`);
  }
  if (metadata.parts !== undefined && [...metadata.parts].sort().join() !== [...names].sort().join()) {
    throw new Error(`metadata.parts [${metadata.parts.join(', ')}] differs from the parts given [${names.join(', ')}]`);
  }
  const full: ModelMetadata = {
    ...metadata,
    version: metadata.version ?? (metadata.condition ? CONDITIONAL_MODEL_FORMAT_VERSION : MODEL_FORMAT_VERSION),
    parts: metadata.parts ?? names,
    sampgen_version: metadata.sampgen_version ?? VERSION,
    tfjs_version: metadata.tfjs_version ?? tfjsVersion(),
    created: metadata.created ?? new Date().toISOString(),
  };
  assertValidMetadata(full, path.join(dir, SAMPGEN_JSON));

  const finalDir = path.resolve(dir);
  const parent = path.dirname(finalDir);
  fs.mkdirSync(parent, { recursive: true });
  if (fs.existsSync(finalDir) && !fs.statSync(finalDir).isDirectory()) {
    throw new UserError(`cannot write a model folder at ${dir}: a file is in the way`);
  }
  // Same parent folder, hence the same file system, so the final rename is atomic. The name only has to be
  // unique among concurrent writers; it never affects results.
  const tmp = path.join(parent, `.sampgen-tmp-${process.pid}-${Math.random().toString(36).slice(2)}-${path.basename(finalDir)}`);
  try {
    fs.mkdirSync(tmp);
    for (const name of names) await saveModelToDir(parts[name]!, path.join(tmp, name));
    full.files_sha256 = checksumParts(tmp, names);
    // sampgen.json last: a folder is a model only once all its parts are in.
    writeFileAtomic(path.join(tmp, SAMPGEN_JSON), JSON.stringify(full, null, 2) + '\n');
    replaceDirAtomic(tmp, finalDir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return full;
}

/** sha256 of every file in each part's folder, keyed 'part/file'. */
function checksumParts(dir: string, parts: string[]): Record<string, string> {
  const sums: Record<string, string> = {};
  for (const part of parts) {
    for (const file of fs.readdirSync(path.join(dir, part)).sort()) {
      sums[`${part}/${file}`] = sha256Hex(fs.readFileSync(path.join(dir, part, file)));
    }
  }
  return sums;
}

/**
 * Checks a part's files against the checksums sampgen.json records, so that a damaged weights.bin (same length,
 * other bytes) is refused instead of decoding to NaN or to quietly wrong sounds.
 */
export function verifyModelPart(dir: string, metadata: ModelMetadata, part: string): void {
  const sums = metadata.files_sha256;
  if (!sums) return; // exported before checksums were recorded
  for (const [rel, expected] of Object.entries(sums)) {
    if (!rel.startsWith(`${part}/`)) continue;
    const file = path.join(dir, rel);
    let actual: string;
    try {
      actual = sha256Hex(fs.readFileSync(file));
    } catch (err) {
      throw new UserError(`model file ${file} cannot be read: ${errorMessage(err)}`);
    }
    if (actual !== expected) {
      throw new UserError(`model file ${file} does not match the sha256 recorded in ${path.join(dir, SAMPGEN_JSON)}: the file is damaged or was replaced; export the model again`);
    }
  }
}

/** Loads one part of a model folder after checking its sampgen.json and the part's checksums. */
export async function loadModelPart(dir: string, part: string): Promise<tf.LayersModel> {
  const metadata = readModelMetadata(dir);
  if (!metadata.parts.includes(part)) {
    throw new UserError(`model ${dir} has no part '${part}' (it has ${metadata.parts.join(', ')})`);
  }
  verifyModelPart(dir, metadata, part);
  return loadModelFromDir(path.join(dir, part));
}
