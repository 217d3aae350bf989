/**
 * train.init_from: a fresh run starts from trained weights (fine-tuning a model on a new kit, issue 12).
 *
 * The source is a model folder (sampgen.json and its parts, each checked against its recorded sha256) or a run
 * folder (its best checkpoint, else its latest, checked likewise). Weights are copied into the freshly built
 * trainer's networks in order, each checked against the shape the config builds: another architecture or latent
 * size is a UserError naming the source and the first weight that does not fit. A model folder holds only the
 * exported parts, matched to the trainer's by name (trainer.exportParts()); networks it does not hold (the GAN's
 * critic, the VAE's log-variance head) start fresh, and the returned log line says which. Optimizer state is never
 * copied: the fine-tuning run's optimizer starts afresh.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';
import { loadModelPart, readModelMetadata, SAMPGEN_JSON, WEIGHTS_BIN } from '../export';
import { sha256Hex } from '../util/checksum';
import { readCheckpointModelWeights } from './checkpoint';
import { ModelTrainer } from './model-trainer';

/** Where a fine-tuned run's first weights came from: the log line, and the facts provenance.jsonl records. */
export interface InitFromRecord {
  line: string;
  /** The source as given, its kind, and the sha256 of each weights file read (by path inside the source). */
  source: { path: string; kind: 'model' | 'run'; weights_sha256: Record<string, string> };
}

/**
 * Sets the trainer's weights from `source` (a model folder or run folder, as train.init_from gives it) and returns
 * the log line (the source, the sha256 of its weights, which networks were initialised and which start fresh) with
 * the record of the source that the run's provenance keeps.
 */
export async function initFrom(trainer: ModelTrainer, source: string): Promise<InitFromRecord> {
  if (!fs.existsSync(source)) throw new UserError(`train.init_from: ${source} does not exist (expected a model folder or a run folder)`);
  if (!fs.statSync(source).isDirectory()) throw new UserError(`train.init_from: ${source} is a file, not a model folder or a run folder`);
  if (fs.existsSync(path.join(source, SAMPGEN_JSON))) return initFromModelFolder(trainer, source);
  if (fs.existsSync(path.join(source, 'checkpoints'))) return initFromRun(trainer, source);
  throw new UserError(
    `train.init_from: ${source} is neither a model folder (no ${SAMPGEN_JSON}) nor a run folder (no checkpoints/); ` +
      'give a folder under output.models or output.runs',
  );
}

async function initFromModelFolder(trainer: ModelTrainer, dir: string): Promise<InitFromRecord> {
  const metadata = readModelMetadata(dir);
  const targets = trainer.exportParts();
  const shared = Object.keys(targets).filter((name) => metadata.parts.includes(name));
  if (shared.length === 0) {
    throw new UserError(
      `train.init_from: model ${dir} (${metadata.model_type}) has parts ${metadata.parts.join(', ')}, but the config's model ` +
        `exports ${Object.keys(targets).join(', ')}: no part to start from`,
    );
  }
  const sums: string[] = [];
  const weightsSha256: Record<string, string> = {};
  const set = new Set<tf.LayerVariable>();
  for (const name of shared.sort()) {
    const part = await loadModelPart(dir, name); // checks the part's files against sampgen.json's sha256
    try {
      const weights = part.getWeights();
      copyWeights(targets[name]!, weights, `${dir} (part ${name}, a ${metadata.model_type} model)`);
    } finally {
      part.dispose();
    }
    for (const v of targets[name]!.weights) set.add(v);
    const sha = sha256Hex(fs.readFileSync(path.join(dir, name, WEIGHTS_BIN)));
    weightsSha256[`${name}/${WEIGHTS_BIN}`] = sha;
    sums.push(`${name}/${WEIGHTS_BIN} sha256 ${sha}`);
  }
  return {
    line: `train.init_from: model folder ${dir} (${metadata.model_type}; ${sums.join(', ')}): ${coverage(trainer, set)}`,
    source: { path: dir, kind: 'model', weights_sha256: weightsSha256 },
  };
}

async function initFromRun(trainer: ModelTrainer, runDir: string): Promise<InitFromRecord> {
  const read = readCheckpointModelWeights(runDir);
  if (!read) throw new UserError(`train.init_from: run ${runDir} has no checkpoint to start from`);
  try {
    for (const name of Object.keys(trainer.models)) {
      if (!read.models[name]) {
        throw new UserError(
          `train.init_from: checkpoint ${read.dir} has networks ${Object.keys(read.models).join(', ')}, but the config's model needs ` +
            `${Object.keys(trainer.models).join(', ')} (missing ${name}): another model type`,
        );
      }
    }
    const set = new Set<tf.LayerVariable>();
    for (const [name, model] of Object.entries(trainer.models)) {
      copyWeights(model, read.models[name]!, `${read.dir} (network ${name})`);
      for (const v of model.weights) set.add(v);
    }
    return {
      line: `train.init_from: run ${runDir}, its ${read.slot} checkpoint (epoch ${read.epoch}, weights.bin sha256 ${read.sha256}): ` + coverage(trainer, set),
      source: { path: runDir, kind: 'run', weights_sha256: { [path.relative(runDir, path.join(read.dir, 'weights.bin')).split(path.sep).join('/')]: read.sha256 } },
    };
  } finally {
    for (const tensors of Object.values(read.models)) tf.dispose(tensors);
  }
}

/**
 * Copies `source` into `target`'s weights (in the order of target.weights) after checking count and shapes;
 * a mismatch names `where` and the first weight that does not fit.
 */
export function copyWeights(target: tf.LayersModel, source: tf.Tensor[], where: string): void {
  const expected = target.weights;
  const n = Math.min(expected.length, source.length);
  for (let i = 0; i < n; i++) {
    const want = expected[i]!.shape;
    const got = source[i]!.shape;
    if (want.length !== got.length || want.some((d, k) => d !== got[k])) {
      throw new UserError(
        `train.init_from: ${where} does not fit the model built from the config: weight ${i} (${expected[i]!.originalName}) has ` +
          `shape [${got.join(', ')}] there, [${want.join(', ')}] here (another architecture or latent size?)`,
      );
    }
  }
  if (expected.length !== source.length) {
    const first = expected.length > source.length ? `${expected[n]!.originalName} has no counterpart there` : `weight ${n} there has no counterpart here`;
    throw new UserError(
      `train.init_from: ${where} has ${source.length} weights, the model built from the config ${expected.length} (${first}): another architecture`,
    );
  }
  target.setWeights(source);
}

/** "encoder, decoder initialised; fresh: critic", from the variables that were set. */
function coverage(trainer: ModelTrainer, set: Set<tf.LayerVariable>): string {
  const done: string[] = [];
  const partly: string[] = [];
  const fresh: string[] = [];
  for (const [name, model] of Object.entries(trainer.models)) {
    const covered = model.weights.filter((v) => set.has(v)).length;
    if (covered === model.weights.length) done.push(name);
    else if (covered === 0) fresh.push(name);
    else partly.push(`${name} (${covered} of ${model.weights.length} weights; the rest fresh)`);
  }
  const out = [`initialised ${[...done, ...partly].join(', ') || 'nothing'}`];
  if (fresh.length > 0) out.push(`fresh: ${fresh.join(', ')}`);
  return out.join('; ');
}
