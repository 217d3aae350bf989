/** The shipped configs: each resolves, with the study's model keys; base.yaml is a fragment. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig, runFolderName, serializeConfig } from '../../src/config';
import { errorLines } from './helpers';

const CONFIGS = path.resolve(__dirname, '../../configs');
const load = (name: string) => loadConfig(path.join(CONFIGS, name));

describe('shipped configs', () => {
  const sizes = ['small', 'medium', 'big'] as const;
  const activations = ['relu', 'tanh', 'sigmoid'] as const;

  it('ships base, the study\'s nine autoencoders, conv-ae, gan and vae-a/b/c, and the spectral-loss and conv VAE configs', () => {
    const expected = [
      'base.yaml',
      ...sizes.flatMap((s) => activations.map((a) => `ae-${s}-${a}.yaml`)),
      'conv-ae.yaml',
      'gan.yaml',
      'vae-a.yaml',
      'vae-b.yaml',
      'vae-c.yaml',
      'ae-medium-tanh-mrstft.yaml',
      'vae-c-mrstft.yaml',
      'conv-vae.yaml',
      'cvae-drums.yaml',
    ].sort();
    expect(fs.readdirSync(CONFIGS).sort()).toEqual(expected);
  });

  for (const size of sizes) {
    for (const activation of activations) {
      it(`ae-${size}-${activation} is the study's dense autoencoder`, () => {
        const { config, hash, sources } = load(`ae-${size}-${activation}.yaml`);
        expect(config.name).toBe(`ae-${size}-${activation}`);
        expect(config.model).toEqual({
          type: 'dense-ae',
          size,
          activation,
          latent: 2,
          length: 17640,
          encoder_units: null,
          decoder_units: null,
        });
        expect(config.train.epochs).toBe(700);
        expect(config.data.path).toBe('datasets/snares');
        expect(hash).toMatch(/^[0-9a-f]{8}$/);
        expect(sources.map((s) => path.basename(s))).toEqual(['base.yaml', `ae-${size}-${activation}.yaml`]);
      });
    }
  }

  it('the nine autoencoders have nine different hashes', () => {
    const hashes = sizes.flatMap((s) => activations.map((a) => load(`ae-${s}-${a}.yaml`).hash));
    expect(new Set(hashes).size).toBe(9);
  });

  it('gan.yaml has WaveGAN settings with a CPU-sized d', () => {
    const { config } = load('gan.yaml');
    expect(config.model).toEqual({ type: 'gan', latent: 100, length: 16384, d: 16, upsample: 'transpose', phase_shuffle: 2 });
    expect(config.gan).toEqual({ lambda_gp: 10, critic_steps: 5, preview_every: 500, preview_count: 4, micro_batch: 32 });
    expect(config.train).toMatchObject({ optimizer: 'adam', lr: 1e-4, beta1: 0.5, beta2: 0.9, batch_size: 64 });
    expect(fs.readFileSync(path.join(CONFIGS, 'gan.yaml'), 'utf8')).toMatch(/d: 16 .*WaveGAN uses 64/);
  });

  it('conv-ae.yaml is a conv autoencoder on 16384-sample windows', () => {
    const { config } = load('conv-ae.yaml');
    expect(config.model).toEqual({ type: 'conv-ae', latent: 2, length: 16384, d: 16, upsample: 'transpose' });
  });

  it.each([
    ['vae-a.yaml', 0.01],
    ['vae-b.yaml', 0.001],
    ['vae-c.yaml', 0.0001],
  ])('%s is a medium tanh VAE with KL factor %p and a 30000-step ramp', (file, factor) => {
    const { config } = load(file);
    expect(config.model).toMatchObject({ type: 'vae', size: 'medium', activation: 'tanh', latent: 2, length: 17640 });
    expect(config.vae).toEqual({ kl_factor: factor, kl_ramp_steps: 30000 });
  });

  it('base.yaml alone is not a trainable config: it has no model.type', () => {
    expect(errorLines(() => load('base.yaml'))).toEqual([
      `${path.join(CONFIGS, 'base.yaml')}: model.type is required: one of dense-ae, conv-ae, gan, vae, conv-vae`,
    ]);
  });

  it('base.yaml sets the built-in defaults (so it documents them truthfully)', () => {
    // A config without extends gets the built-in defaults; the same config extending base.yaml must match.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sampgen-base-'));
    fs.writeFileSync(path.join(dir, 'bare.yaml'), 'model: {type: dense-ae, size: small, activation: relu}\n');
    const bare = loadConfig(path.join(dir, 'bare.yaml')).config;
    const viaBase = load('ae-small-relu.yaml').config;
    expect({ ...viaBase, name: 'x' }).toEqual({ ...bare, name: 'x' });
  });

  it('run folder names are <name>-<hash>', () => {
    const loaded = load('vae-a.yaml');
    expect(runFolderName(loaded)).toBe(`vae-a-${loaded.hash}`);
  });

  it('every shipped config serializes to YAML that loads back to the same config and hash', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sampgen-roundtrip-'));
    for (const file of fs.readdirSync(CONFIGS).filter((f) => f !== 'base.yaml')) {
      const loaded = loadConfig(path.join(CONFIGS, file), ['train.lr=0.0003']);
      const text = serializeConfig(loaded);
      expect(text).toContain(`# hash: ${loaded.hash} (sha256 ${loaded.fullHash})`);
      expect(text).toContain('# --set train.lr=0.0003');
      const copy = path.join(dir, `saved-${file}`);
      fs.writeFileSync(copy, text);
      const again = loadConfig(copy);
      expect(again.config).toEqual(loaded.config);
      expect(again.fullHash).toBe(loaded.fullHash);
    }
  });

  it('the spectral-loss variants are their study twins with {mse: 1, mr_stft: 1}; conv-vae is a conv VAE with it', () => {
    for (const [variant, twin] of [['ae-medium-tanh-mrstft.yaml', 'ae-medium-tanh.yaml'], ['vae-c-mrstft.yaml', 'vae-c.yaml']] as const) {
      const a = load(variant).config;
      const b = load(twin).config;
      // mr_stft's parameters are written out in the resolved config (so they are part of the run hash).
      expect(a.train.loss).toEqual({ mse: 1, mr_stft: { weight: 1, fft_sizes: [2048, 1024, 512, 256, 128], hop_ratio: 0.25, sc_weight: 1, mag_weight: 1 } });
      expect({ ...a, name: b.name, train: { ...a.train, loss: b.train.loss } }).toEqual(b);
    }
    const conv = load('conv-vae.yaml').config;
    expect(conv.model).toEqual({ type: 'conv-vae', latent: 8, length: 16384, d: 16, upsample: 'transpose', condition: null });
    expect(conv.train.loss).toMatchObject({ mse: 1, mr_stft: { weight: 1 } });
    expect(conv.vae.kl_ramp_steps).toBeLessThan(30000);
  });

  it('cvae-drums is the dense VAE conditioned on class and velocity, with the spectral loss', () => {
    const { config } = load('cvae-drums.yaml');
    expect(config.model).toMatchObject({ type: 'vae', size: 'medium', activation: 'tanh', latent: 2, condition: { class: true, velocity: true } });
    expect(config.train.loss).toMatchObject({ mse: 1, mr_stft: { weight: 1 } });
  });
});
