import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { buildDenseAutoencoder } from '../../src/models/dense';
import { loadModelFromDir, MODEL_JSON, saveModelToDir, WEIGHTS_BIN } from '../../src/export/handler';
import { UserError } from '../../src/errors';

const L = 64;
let tmp: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sampgen-handler-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A dense AE whose biases are non-zero too, so that a swapped or dropped weight changes the outputs. */
function perturbedParts(seed: number) {
  const parts = buildDenseAutoencoder({ size: 'medium', activation: 'tanh', latent: 2, length: L, seed });
  const weights = parts.autoencoder.getWeights();
  parts.autoencoder.setWeights(weights.map((w, i) => tf.randomNormal(w.shape, 0, 0.3, 'float32', seed * 100 + i)));
  return parts;
}

/** Loads a saved folder with stock tf.loadLayersModel from the raw files, without sampgen's reader. */
async function stockLoad(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(fs.readFileSync(path.join(dir, MODEL_JSON), 'utf8'));
  const group = json.weightsManifest[0];
  const bytes = fs.readFileSync(path.join(dir, group.paths[0]));
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: group.weights, weightData }));
}

function outputs(model: tf.LayersModel, x: tf.Tensor): number[] {
  return Array.from((model.predict(x) as tf.Tensor).dataSync());
}

test('saved files are the standard TF.js layers format', async () => {
  const { encoder } = perturbedParts(1);
  await saveModelToDir(encoder, tmp);
  expect(fs.readdirSync(tmp).sort()).toEqual([MODEL_JSON, WEIGHTS_BIN]);
  const json = JSON.parse(fs.readFileSync(path.join(tmp, MODEL_JSON), 'utf8'));
  expect(json.format).toBe('layers-model');
  expect(json.modelTopology.class_name).toBe('Model');
  expect(json.weightsManifest).toHaveLength(1);
  expect(json.weightsManifest[0].paths).toEqual([WEIGHTS_BIN]);
  // float32 weights: 4 bytes each, L·96+96 + 96·24+24 + 24·2+2 of them.
  const count = L * 96 + 96 + 96 * 24 + 24 + 24 * 2 + 2;
  expect(fs.statSync(path.join(tmp, WEIGHTS_BIN)).size).toBe(4 * count);
  // No temp files left behind by the atomic writes.
  expect(fs.readdirSync(tmp).some((f) => f.startsWith('.sampgen-tmp'))).toBe(false);
});

test('export → stock tf.loadLayersModel from the files gives the same outputs', async () => {
  const { encoder, decoder } = perturbedParts(2);
  await saveModelToDir(encoder, path.join(tmp, 'encoder'));
  await saveModelToDir(decoder, path.join(tmp, 'decoder'));
  const x = tf.randomUniform([4, L], -1, 1, 'float32', 9);
  const z = tf.randomUniform([4, 2], -1, 1, 'float32', 10);

  const enc2 = await stockLoad(path.join(tmp, 'encoder'));
  const dec2 = await stockLoad(path.join(tmp, 'decoder'));
  expect(outputs(enc2, x)).toEqual(outputs(encoder, x));
  expect(outputs(dec2, z)).toEqual(outputs(decoder, z));
  // The perturbed weights really matter: a freshly built model differs.
  const fresh = buildDenseAutoencoder({ size: 'medium', activation: 'tanh', latent: 2, length: L, seed: 2 });
  expect(outputs(fresh.decoder, z)).not.toEqual(outputs(decoder, z));
});

test('a browser loads the folder by URL: stock tf.io.http with a fetch that serves the files', async () => {
  const { decoder } = perturbedParts(6);
  await saveModelToDir(decoder, tmp);
  const requested: string[] = [];
  // Stands in for a static web server over the folder: weights are fetched relative to model.json's URL.
  const fetchFunc = async (input: string | URL | Request): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    requested.push(url.pathname);
    const file = path.join(tmp, path.basename(url.pathname));
    if (!fs.existsSync(file)) return { ok: false, status: 404 } as Response;
    const bytes = fs.readFileSync(file);
    // A minimal Response rather than Node's own: jest runs tests in a separate realm, and objects that Node's
    // Response.json() makes in the outer realm confuse tfjs-layers' deserializer.
    return {
      ok: true,
      status: 200,
      json: async () => JSON.parse(bytes.toString('utf8')),
      arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    } as Response;
  };
  const loaded = await tf.loadLayersModel(tf.io.http('http://models.test/kick/decoder/model.json', { fetchFunc }));
  expect(requested).toEqual(['/kick/decoder/model.json', '/kick/decoder/weights.bin']);
  const z = tf.tensor2d([[0.5, -0.5]]);
  expect(outputs(loaded, z)).toEqual(outputs(decoder, z));
});

test('loadModelFromDir reads back what saveModelToDir wrote', async () => {
  const { decoder } = perturbedParts(3);
  await saveModelToDir(decoder, tmp);
  const loaded = await loadModelFromDir(tmp);
  const z = tf.tensor2d([[0.1, -0.2], [0.7, 0.3]]);
  expect(outputs(loaded, z)).toEqual(outputs(decoder, z));
  expect(loaded.layers.map((l) => l.name)).toEqual(decoder.layers.map((l) => l.name));
});

test('loadModelFromDir reads files written by stock tf.io (e.g. tfjs-node) with several weight files', async () => {
  // Split the weights over two files, as the converter's shards do, and name them differently from ours.
  const { encoder } = perturbedParts(4);
  let artifacts: tf.io.ModelArtifacts | undefined;
  await encoder.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
  }));
  const data = new Uint8Array(artifacts!.weightData as ArrayBuffer);
  const cut = 1000;
  fs.writeFileSync(path.join(tmp, 'group1-shard1of2.bin'), data.subarray(0, cut));
  fs.writeFileSync(path.join(tmp, 'group1-shard2of2.bin'), data.subarray(cut));
  fs.writeFileSync(path.join(tmp, MODEL_JSON), JSON.stringify({
    modelTopology: artifacts!.modelTopology,
    format: 'layers-model',
    weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: artifacts!.weightSpecs }],
  }));
  const loaded = await loadModelFromDir(tmp);
  const x = tf.randomUniform([2, L], -1, 1, 'float32', 11);
  expect(outputs(loaded, x)).toEqual(outputs(encoder, x));
});

describe('loadModelFromDir errors', () => {
  test('missing model.json', async () => {
    await expect(loadModelFromDir(tmp)).rejects.toThrow(UserError);
    await expect(loadModelFromDir(tmp)).rejects.toThrow(`${path.join(tmp, MODEL_JSON)} is missing`);
  });

  test('model.json that is not JSON', async () => {
    fs.writeFileSync(path.join(tmp, MODEL_JSON), '{"modelTopology": ');
    await expect(loadModelFromDir(tmp)).rejects.toThrow(/is not valid JSON/);
  });

  test('missing and truncated weights', async () => {
    const { decoder } = perturbedParts(5);
    await saveModelToDir(decoder, tmp);
    const bin = path.join(tmp, WEIGHTS_BIN);
    const bytes = fs.readFileSync(bin);
    fs.writeFileSync(bin, bytes.subarray(0, bytes.length - 4));
    await expect(loadModelFromDir(tmp)).rejects.toThrow(/the files do not match/);
    fs.rmSync(bin);
    await expect(loadModelFromDir(tmp)).rejects.toThrow(/cannot read weights .*weights\.bin/);
  });

  test('weights paths that leave the folder are refused', async () => {
    fs.writeFileSync(path.join(tmp, MODEL_JSON), JSON.stringify({
      modelTopology: {}, weightsManifest: [{ paths: ['../secret.bin'], weights: [] }],
    }));
    await expect(loadModelFromDir(tmp)).rejects.toThrow(/bad weights path/);
  });
});
