import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { UserError, errorMessage } from '../errors';
import { writeFileAtomic } from '../util/atomic';

/**
 * sampgen's own IOHandler for a model folder in the standard TF.js layers format: `model.json` (topology plus
 * weights manifest) and one `weights.bin`. The files are exactly what `tf.loadLayersModel('file://…')` in
 * tfjs-node and `tf.loadLayersModel(url)` in a browser read. It is hand-written (on plain `fs`) because tf.io's
 * `file://` handler exists only when tfjs-node is loaded, and sampgen must save and load on every backend.
 */

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read ${file}: ${errorMessage(err)}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file} is not valid JSON: ${errorMessage(err)}`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the parts of model.json that loading relies on, so a damaged file fails with a message, not a crash. */
function checkModelJson(file: string, json: unknown): tf.io.ModelJSON {
  if (!isRecord(json)) throw new UserError(`${file}: expected a JSON object`);
  if (!isRecord(json.modelTopology)) throw new UserError(`${file}: field 'modelTopology' is missing or not an object`);
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest)) throw new UserError(`${file}: field 'weightsManifest' is missing or not an array`);
  manifest.forEach((group, i) => {
    if (!isRecord(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new UserError(`${file}: weightsManifest[${i}] must have 'paths' and 'weights' arrays`);
    }
    for (const p of group.paths) {
      // Paths are relative to the folder (as in a browser URL); anything that leaves it is not a model file.
      if (typeof p !== 'string' || p === '' || path.isAbsolute(p) || p.split(/[\\/]/).includes('..')) {
        throw new UserError(`${file}: weightsManifest[${i}] has a bad weights path ${JSON.stringify(p)}`);
      }
    }
  });
  return json as unknown as tf.io.ModelJSON;
}

/** An IOHandler that saves a model to `dir` (created if needed) and loads it back from there. */
export function folderHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error('folderHandler saves layers models (JSON topology), not binary graph topologies');
      }
      const weightSpecs = artifacts.weightSpecs ?? [];
      const weightData =
        artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as {},
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: weightSpecs }],
      };
      if (artifacts.trainingConfig != null) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata != null) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      if (artifacts.signature != null) modelJson.signature = artifacts.signature;

      fs.mkdirSync(dir, { recursive: true });
      // Weights first, model.json last: a reader that finds model.json finds the weights it names.
      writeFileAtomic(path.join(dir, WEIGHTS_BIN), new Uint8Array(weightData));
      writeFileAtomic(path.join(dir, MODEL_JSON), JSON.stringify(modelJson));
      return {
        modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON({ ...artifacts, weightSpecs, weightData }),
      };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const file = path.join(dir, MODEL_JSON);
      if (!fs.existsSync(file)) throw new UserError(`not a TF.js layers model folder: ${file} is missing`);
      const modelJson = checkModelJson(file, readJson(file));
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          for (const p of group.paths) {
            const weightsFile = path.join(dir, p);
            let bytes: Buffer;
            try {
              bytes = fs.readFileSync(weightsFile);
            } catch (err) {
              throw new UserError(`cannot read weights ${weightsFile} (named in ${file}): ${errorMessage(err)}`);
            }
            buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
          }
        }
        const specs = tf.io.getWeightSpecs(manifest);
        const data = tf.io.CompositeArrayBuffer.join(buffers);
        const expected = specs.reduce((n, s) => n + weightBytes(s), 0);
        if (data.byteLength !== expected) {
          throw new UserError(
            `weights of ${dir} have ${data.byteLength} bytes but ${file} describes ${expected}: the files do not match`,
          );
        }
        return [specs, data];
      });
    },
  };
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };

/** Bytes a weight takes in the weights file (quantized weights take their quantized size). */
function weightBytes(spec: tf.io.WeightsManifestEntry): number {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const size = DTYPE_BYTES[dtype];
  if (size === undefined) throw new UserError(`weight ${spec.name} has an unsupported dtype ${dtype}`);
  return count * size;
}

/** Saves a LayersModel as `dir/model.json` + `dir/weights.bin`. */
export async function saveModelToDir(model: tf.LayersModel, dir: string): Promise<tf.io.SaveResult> {
  return model.save(folderHandler(dir));
}

/** Loads a LayersModel saved in the TF.js layers format in `dir` (by sampgen, tfjs-node or the converter). */
export async function loadModelFromDir(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(folderHandler(dir));
}
