/** The config hash: stable across key order and where things are written; changed by anything that changes results. */
import { createHash } from 'crypto';
import * as path from 'path';
import { canonicalJson, hashedView, loadConfig, resolveConfigObject } from '../../src/config';
import { tempConfigs } from './helpers';

const DENSE = { model: { type: 'dense-ae', size: 'small', activation: 'relu' } };
const hashOf = (raw: unknown, sets: string[] = []) => resolveConfigObject(raw, 'cfg', sets).hash;

describe('canonicalJson', () => {
  it('sorts keys at every level and keeps list order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 'x' }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":"x","z":1}]},"b":1}');
  });
});

describe('config hash', () => {
  it('is the sha256 of the canonical JSON of the result-relevant keys (a hand-written reference)', () => {
    const loaded = resolveConfigObject(DENSE, 'cfg');
    const expectedJson =
      '{"data":{"path":"datasets/snares","shuffle":true,"validation":0.1},' +
      '"model":{"activation":"relu","decoder_units":null,"encoder_units":null,"latent":2,"length":17640,"size":"small","type":"dense-ae"},' +
      '"train":{"backend":"auto","batch_size":32,"beta1":0.9,"beta2":0.999,"loss":"mse","lr":0.001,' +
      '"optimizer":"adam","seed":1}}';
    expect(canonicalJson(hashedView(loaded.config))).toBe(expectedJson);
    const sha = createHash('sha256').update(expectedJson).digest('hex');
    expect(loaded.fullHash).toBe(sha);
    expect(loaded.hash).toBe(sha.slice(0, 8));
    expect(loaded.hash).toMatch(/^[0-9a-f]{8}$/);
  });

  it('does not depend on key order in the YAML', () => {
    const dir = tempConfigs({
      'a.yaml': 'model:\n  type: dense-ae\n  size: big\n  activation: tanh\ntrain:\n  lr: 0.01\n  epochs: 3\n',
      'b.yaml': 'train:\n  epochs: 3\n  lr: 0.01\nmodel:\n  activation: tanh\n  type: dense-ae\n  size: big\n',
    });
    expect(loadConfig(path.join(dir, 'a.yaml')).fullHash).toBe(loadConfig(path.join(dir, 'b.yaml')).fullHash);
  });

  it('does not depend on writing a default explicitly', () => {
    expect(hashOf({ ...DENSE, train: { epochs: 700, lr: 0.001 } })).toBe(hashOf(DENSE));
  });

  it.each([
    ['output.runs=elsewhere/'],
    ['output.models=/tmp/m'],
    ['name=other'],
    ['train.log_every=1'],
    ['train.checkpoint_every=1'],
    // When training stops and what it exports: a finished run is extended in its own folder.
    ['train.epochs=10'],
    ['train.max_steps=5'],
    ['train.export=last'],
    ['train.early_stop={patience: 5}'],
    // Keys of a schedule that is not chosen.
    ['train.lr_min=0.0001'],
    ['train.lr_step_gamma=0.1'],
    ['gan.lambda_gp=3'], // not a GAN
    ['vae.kl_factor=0.5'], // not a VAE
  ])('is unaffected by %s', (set) => {
    expect(hashOf(DENSE, [set])).toBe(hashOf(DENSE));
  });

  it.each([
    ['data.path=datasets/kicks'],
    ['data.validation=0.2'],
    ['data.shuffle=false'],
    ['train.backend=cpu'],
    ['train.lr=0.01'],
    ['train.seed=2'],
    ['train.loss=mae'],
    ['train.lr_schedule=step'],
    ['train.lr_schedule=cosine'],
    ['train.lr_warmup_epochs=2'],
    ['train.beta1=0.5'],
    ['model.latent=3'],
    ['model.encoder_units=[5]'],
  ])('changes with %s', (set) => {
    expect(hashOf(DENSE, [set])).not.toBe(hashOf(DENSE));
  });

  it('covers the keys of the chosen schedule, and the run length only where the schedule spans it (cosine)', () => {
    const step = [...['train.lr_schedule=step']];
    expect(hashOf(DENSE, [...step, 'train.lr_step_gamma=0.1'])).not.toBe(hashOf(DENSE, step));
    expect(hashOf(DENSE, [...step, 'train.epochs=10'])).toBe(hashOf(DENSE, step));
    const cosine = ['train.lr_schedule=cosine'];
    expect(hashOf(DENSE, [...cosine, 'train.lr_min=0.0001'])).not.toBe(hashOf(DENSE, cosine));
    expect(hashOf(DENSE, [...cosine, 'train.epochs=10'])).not.toBe(hashOf(DENSE, cosine));
    expect(hashOf(DENSE, [...cosine, 'train.max_steps=10'])).toBe(hashOf(DENSE, cosine));
  });

  it('keeps the hash earlier versions gave (with train.epochs and max_steps) for finding their runs', () => {
    const loaded = resolveConfigObject(DENSE, 'cfg');
    const legacyJson =
      '{"data":{"path":"datasets/snares","shuffle":true,"validation":0.1},' +
      '"model":{"activation":"relu","decoder_units":null,"encoder_units":null,"latent":2,"length":17640,"size":"small","type":"dense-ae"},' +
      '"train":{"backend":"auto","batch_size":32,"beta1":0.9,"beta2":0.999,"epochs":700,"loss":"mse","lr":0.001,' +
      '"max_steps":null,"optimizer":"adam","seed":1}}';
    expect(loaded.legacyFullHash).toBe(createHash('sha256').update(legacyJson).digest('hex'));
    expect(resolveConfigObject(DENSE, 'cfg', ['train.lr_schedule=cosine']).legacyFullHash).toBeNull();
  });

  it('ignores Adam betas for other optimizers', () => {
    const sgd = { ...DENSE, train: { optimizer: 'sgd' } };
    expect(hashOf(sgd, ['train.beta1=0.5'])).toBe(hashOf(sgd));
  });

  it('GAN: hashes λ and critic steps, not preview cadence nor train.loss', () => {
    const gan = { model: { type: 'gan', d: 4, length: 2048 } };
    expect(hashOf(gan, ['gan.lambda_gp=5'])).not.toBe(hashOf(gan));
    expect(hashOf(gan, ['gan.critic_steps=2'])).not.toBe(hashOf(gan));
    expect(hashOf(gan, ['gan.preview_every=7', 'gan.preview_count=0', 'gan.micro_batch=3', 'train.loss=mae'])).toBe(hashOf(gan));
    expect(hashOf(gan, ['model.d=8'])).not.toBe(hashOf(gan));
  });

  it('VAE: hashes the KL factor and ramp', () => {
    const vae = { model: { type: 'vae' } };
    expect(hashOf(vae, ['vae.kl_factor=0.01'])).not.toBe(hashOf(vae));
    expect(hashOf(vae, ['vae.kl_ramp_steps=10'])).not.toBe(hashOf(vae));
  });
});

describe('resolveConfigObject', () => {
  it('fills every default and names the config after its label', () => {
    const { config, file, sources } = resolveConfigObject({ model: { type: 'gan' } }, 'smoke/gan.yaml');
    expect(config.name).toBe('gan');
    expect(file).toBe('smoke/gan.yaml');
    expect(sources).toEqual([]);
    expect(config.model).toEqual({ type: 'gan', latent: 100, length: 16384, d: 64, upsample: 'transpose', phase_shuffle: 2 });
    expect(config.train).toEqual({
      epochs: 700,
      batch_size: 32,
      optimizer: 'adam',
      lr: 0.001,
      beta1: 0.9,
      beta2: 0.999,
      loss: 'mse',
      seed: 1,
      backend: 'auto',
      checkpoint_every: 10,
      log_every: 10,
      max_steps: null,
      lr_schedule: 'constant',
      lr_warmup_epochs: 0,
      lr_step_every: 100,
      lr_step_gamma: 0.5,
      lr_min: 0,
      export: 'best',
      early_stop: null,
      augment: null,
      init_from: null,
    });
    expect(config.data).toEqual({ path: 'datasets/snares', validation: 0.1, shuffle: true });
    expect(config.vae).toEqual({ kl_factor: 0.001, kl_ramp_steps: 30000 });
    expect(config.output).toEqual({ runs: 'runs/', models: 'models/', tensorboard: true, audio_every: 10 });
  });

  it('makes a label that is not a folder-safe name into one', () => {
    expect(resolveConfigObject(DENSE, 'sweep entry #3').config.name).toBe('sweep-entry-3');
  });

  it('does not share lists with the caller object', () => {
    const raw = { model: { type: 'vae', encoder_units: [4, 3] } };
    const { config } = resolveConfigObject(raw, 'x');
    raw.model.encoder_units.push(99);
    expect(config.model).toMatchObject({ encoder_units: [4, 3] });
  });

  it('resolves extends against baseDir and applies sets', () => {
    const dir = tempConfigs({ 'base.yaml': 'train:\n  epochs: 4\n' });
    const { config, sources } = resolveConfigObject({ extends: 'base.yaml', ...DENSE }, 'mem', ['train.seed=5'], {
      baseDir: dir,
    });
    expect(config.train).toMatchObject({ epochs: 4, seed: 5 });
    expect(sources).toEqual([path.join(dir, 'base.yaml')]);
  });

  it('names shipped bases the way the config was addressed', () => {
    const rel = path.relative(process.cwd(), path.resolve(__dirname, '../../configs/ae-small-relu.yaml'));
    expect(loadConfig(rel).sources).toEqual([path.join(path.dirname(rel), 'base.yaml'), rel]);
  });
});

describe('mr_stft in the run hash', () => {
  it('its parameters are written out, so changing one changes the hash, and spelling out the defaults does not', () => {
    const spectral = { ...DENSE, train: { loss: { mse: 1, mr_stft: 1 } } };
    expect(hashOf(spectral)).toBe(hashOf({ ...DENSE, train: { loss: { mse: 1, mr_stft: { weight: 1, fft_sizes: [2048, 1024, 512, 256, 128] } } } }));
    expect(hashOf(spectral)).not.toBe(hashOf({ ...DENSE, train: { loss: { mse: 1, mr_stft: { fft_sizes: [1024, 256] } } } }));
    expect(hashOf(spectral)).not.toBe(hashOf({ ...DENSE, train: { loss: { mse: 1, mr_stft: 2 } } }));
    expect(hashOf({ ...DENSE, train: { loss: 'mr_stft' } })).toBe(hashOf({ ...DENSE, train: { loss: { mr_stft: 1 } } }));
  });
});
