import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { buildDenseAutoencoder } from '../../src/models/dense';
import {
  loadModelPart,
  MODEL_FORMAT_VERSION,
  NewModelMetadata,
  readModelMetadata,
  SAMPGEN_JSON,
  writeModelFolder,
} from '../../src/export';
import { UserError } from '../../src/errors';
import { VERSION } from '../../src/version';

const L = 64;
let tmp: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sampgen-folder-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function metadata(over: Partial<NewModelMetadata> = {}): NewModelMetadata {
  return {
    name: 'kick',
    model_type: 'dense-ae',
    sample_rate: 44100,
    length: L,
    latent: 2,
    latent_bounds: { min: [-0.5, -1], max: [0.75, 1] },
    latent_prior: null,
    config_hash: 'abc123',
    config: { model: { type: 'dense-ae', size: 'small' }, train: { epochs: 3 } },
    losses: { loss: 0.01, val_loss: 0.02 },
    epochs: 3,
    preprocess: { channel: 'first', attack: 4410, length: L, sample_rate: 44100 },
    latent_points: [[0, 0.5], [-0.5, 1]],
    ...over,
  };
}

const parts = () => {
  const { encoder, decoder } = buildDenseAutoencoder({ size: 'small', activation: 'relu', latent: 2, length: L, seed: 7 });
  return { encoder, decoder };
};

/** Files under dir, relative, sorted. */
function listing(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map((f) => f.split(path.sep).join('/')).sort();
}

describe('writeModelFolder / readModelMetadata / loadModelPart', () => {
  test('writes sampgen.json and one layers model per part; reads them back', async () => {
    const dir = path.join(tmp, 'models', 'kick');
    const { encoder, decoder } = parts();
    const written = await writeModelFolder(dir, { encoder, decoder }, metadata());
    expect(listing(dir)).toEqual([
      'decoder', 'decoder/model.json', 'decoder/weights.bin', 'encoder', 'encoder/model.json', 'encoder/weights.bin', SAMPGEN_JSON,
    ]);
    // Nothing left beside it (the temp folder was renamed into place).
    expect(fs.readdirSync(path.join(tmp, 'models'))).toEqual(['kick']);

    const read = readModelMetadata(dir);
    expect(read).toEqual(written);
    expect(read.version).toBe(MODEL_FORMAT_VERSION);
    expect(read.parts).toEqual(['encoder', 'decoder']);
    expect(read.sampgen_version).toBe(VERSION);
    expect(read.tfjs_version).toBe('4.22.0');
    expect(new Date(read.created).toISOString()).toBe(read.created);
    expect(read.latent_bounds).toEqual({ min: [-0.5, -1], max: [0.75, 1] });
    expect(read.preprocess).toEqual({ channel: 'first', attack: 4410, length: L, sample_rate: 44100 });

    const dec2 = await loadModelPart(dir, 'decoder');
    const z = tf.tensor2d([[0.3, -0.2], [1, 2]]);
    expect(Array.from((dec2.predict(z) as tf.Tensor).dataSync())).toEqual(Array.from((decoder.predict(z) as tf.Tensor).dataSync()));
    await expect(loadModelPart(dir, 'generator')).rejects.toThrow(/has no part 'generator' \(it has encoder, decoder\)/);
  });

  test('a GAN folder holds generator/ alone, with its prior; latent_points may be left out', async () => {
    const dir = path.join(tmp, 'gan');
    const { decoder } = parts();
    const m = metadata({ model_type: 'gan', latent_prior: 'uniform', losses: { d_loss: -1.5, g_loss: 0.25, val_loss: null } });
    delete m.latent_points;
    await writeModelFolder(dir, { generator: decoder }, m);
    const read = readModelMetadata(dir);
    expect(read.parts).toEqual(['generator']);
    expect(read.latent_prior).toBe('uniform');
    expect(read.latent_points).toBeUndefined();
    expect(read.losses).toEqual({ d_loss: -1.5, g_loss: 0.25, val_loss: null });
  });

  test('rewriting replaces the whole folder', async () => {
    const dir = path.join(tmp, 'm');
    const { encoder, decoder } = parts();
    await writeModelFolder(dir, { encoder, decoder }, metadata());
    fs.writeFileSync(path.join(dir, 'stale.txt'), 'old');
    await writeModelFolder(dir, { generator: decoder }, metadata({ model_type: 'gan', latent_prior: 'normal', epochs: 9 }));
    expect(listing(dir)).toEqual(['generator', 'generator/model.json', 'generator/weights.bin', SAMPGEN_JSON]);
    expect(readModelMetadata(dir).epochs).toBe(9);
    expect(fs.readdirSync(tmp)).toEqual(['m']);
  });

  test('invalid metadata is refused before anything is written, and an old folder stays intact', async () => {
    const dir = path.join(tmp, 'm');
    const { encoder, decoder } = parts();
    await writeModelFolder(dir, { encoder, decoder }, metadata());
    const before = fs.readFileSync(path.join(dir, SAMPGEN_JSON), 'utf8');
    await expect(writeModelFolder(dir, { encoder, decoder }, metadata({ latent_bounds: { min: [0], max: [1] } })))
      .rejects.toThrow(/latent_bounds\.min' has 1 values, expected latent = 2/);
    await expect(writeModelFolder(dir, { encoder, decoder }, metadata({ parts: ['generator'] }))).rejects.toThrow(/differs/);
    expect(fs.readFileSync(path.join(dir, SAMPGEN_JSON), 'utf8')).toBe(before);
    expect(fs.readdirSync(tmp)).toEqual(['m']);
  });
});

describe('readModelMetadata errors', () => {
  /** A valid folder whose sampgen.json the test then damages. */
  async function validFolder(): Promise<string> {
    const dir = path.join(tmp, 'model');
    const { encoder, decoder } = parts();
    await writeModelFolder(dir, { encoder, decoder }, metadata());
    return dir;
  }
  const rewrite = (dir: string, edit: (m: Record<string, unknown>) => void) => {
    const file = path.join(dir, SAMPGEN_JSON);
    const m = JSON.parse(fs.readFileSync(file, 'utf8'));
    edit(m);
    fs.writeFileSync(file, JSON.stringify(m));
  };
  const expectUserError = (dir: string, message: string | RegExp) => {
    expect(() => readModelMetadata(dir)).toThrow(UserError);
    expect(() => readModelMetadata(dir)).toThrow(message);
  };

  test('missing folder', () => {
    const dir = path.join(tmp, 'nope');
    expectUserError(dir, `model folder not found: ${dir}`);
  });

  test('a file instead of a folder', () => {
    const file = path.join(tmp, 'file');
    fs.writeFileSync(file, 'x');
    expectUserError(file, /it is a file/);
  });

  test('missing sampgen.json', () => {
    expectUserError(tmp, `not an exported sampgen model: ${path.join(tmp, SAMPGEN_JSON)} is missing`);
  });

  test('bad JSON', () => {
    fs.writeFileSync(path.join(tmp, SAMPGEN_JSON), '{"version": 1,');
    expectUserError(tmp, new RegExp(`${SAMPGEN_JSON} is not valid JSON`));
  });

  test('not an object', () => {
    fs.writeFileSync(path.join(tmp, SAMPGEN_JSON), '[1, 2]');
    expectUserError(tmp, /expected a JSON object/);
  });

  test('unknown version', async () => {
    const dir = await validFolder();
    rewrite(dir, (m) => (m.version = 3));
    expectUserError(dir, /has format version 3, which this sampgen does not know \(it reads versions 1 and 2\)/);
  });

  test('format 2 is for conditional models: it needs the condition field, and the field needs format 2', async () => {
    const dir = await validFolder();
    rewrite(dir, (m) => (m.version = 2));
    expectUserError(dir, /format version 2 is for conditional models, but field 'condition' is missing/);
    rewrite(dir, (m) => {
      m.version = 1;
      m.condition = { classes: ['kick', 'snare'], class_counts: [3, 4], velocity: null };
    });
    expectUserError(dir, /field 'condition' needs format version 2, the file says 1/);
    rewrite(dir, (m) => {
      m.version = 2;
      m.condition = { classes: ['kick', 'snare'], class_counts: [3], velocity: { feature: 'attack_rms_dbfs', min_dbfs: -20, max_dbfs: -30 } };
    });
    expectUserError(dir, /condition.class_counts' does not match.*max_dbfs <= min_dbfs/);
  });

  test('missing version', async () => {
    const dir = await validFolder();
    rewrite(dir, (m) => delete m.version);
    expectUserError(dir, /field 'version' is missing/);
  });

  test('missing required fields are each named', async () => {
    const dir = await validFolder();
    rewrite(dir, (m) => {
      delete m.latent_bounds;
      delete m.config_hash;
      delete (m.preprocess as Record<string, unknown>).attack;
    });
    expectUserError(dir, /field 'latent_bounds' is missing/);
    expectUserError(dir, /field 'config_hash' is missing/);
    expectUserError(dir, /field 'preprocess.attack' is missing/);
    expectUserError(dir, new RegExp(path.join(dir, SAMPGEN_JSON).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });

  test('wrong types and values name the field', async () => {
    const dir = await validFolder();
    // A family this sampgen does not know (a plugin's) still reads: the parts are stock TF.js models.
    rewrite(dir, (m) => (m.model_type = 'transformer'));
    expect(readModelMetadata(dir).model_type).toBe('transformer');
    rewrite(dir, (m) => (m.model_type = ''));
    expectUserError(dir, /field 'model_type' must NOT have fewer than 1 characters/);
    rewrite(dir, (m) => {
      m.model_type = 'dense-ae';
      m.length = -3;
    });
    expectUserError(dir, /field 'length' must be >= 1/);
    rewrite(dir, (m) => {
      m.length = L;
      m.latent_points = [[0, 1], [2]];
    });
    expectUserError(dir, /field 'latent_points\[1\]' has 1 values, expected latent = 2/);
    rewrite(dir, (m) => {
      m.latent_points = [[0, 1]];
      m.latent_bounds = { min: [1, 0], max: [0, 1] };
    });
    expectUserError(dir, /min above its max/);
  });

  test('a part listed but missing', async () => {
    const dir = await validFolder();
    fs.rmSync(path.join(dir, 'decoder'), { recursive: true });
    expectUserError(dir, /incomplete: .*decoder.*model\.json is missing/);
  });
});
