/** Each kind of config mistake gives a message naming the file (and line), the key path and what was expected. */
import * as path from 'path';
import { isUserError } from '../../src/errors';
import { ConfigError, loadConfig, resolveConfigObject } from '../../src/config';
import { errorLines, tempConfigs } from './helpers';

/** Loads `x.yaml` from a temp folder holding `files`; returns the error lines with the folder path removed. */
function errorsOf(files: Record<string, string>, sets: string[] = [], file = 'x.yaml'): string[] {
  const dir = tempConfigs(files);
  return errorLines(() => loadConfig(path.join(dir, file), sets)).map((l) => l.split(dir + path.sep).join(''));
}

const DENSE = 'model:\n  type: dense-ae\n  size: small\n  activation: relu\n';

describe('schema errors', () => {
  it('an unknown key at depth names its full path and line, and suggests the close spelling', () => {
    expect(errorsOf({ 'x.yaml': 'model:\n  type: dense-ae\n  sise: small\n  activation: relu\n' })).toEqual([
      'x.yaml:3: unknown key model.sise (did you mean model.size?)',
    ]);
  });

  it('a key in the wrong section points to where it belongs', () => {
    expect(errorsOf({ 'x.yaml': DENSE + 'lr: 0.01\n' })).toEqual(['x.yaml:5: unknown key lr (did you mean train.lr?)']);
  });

  it('an unknown key with no close match lists the known keys of its section', () => {
    expect(errorsOf({ 'x.yaml': DENSE + 'vae:\n  warmup: 3\n' })).toEqual([
      'x.yaml:6: unknown key vae.warmup (known keys in vae: kl_factor, kl_ramp_steps)',
    ]);
  });

  it('a wrong type says what was expected and what was given', () => {
    expect(errorsOf({ 'x.yaml': DENSE + 'train:\n  lr: fast\n' })).toEqual([
      'x.yaml:6: train.lr must be a number > 0, got "fast"',
    ]);
  });

  it('out-of-range values', () => {
    const lines = errorsOf({
      'x.yaml': DENSE + 'data:\n  validation: 0.95\ntrain:\n  epochs: 0\n  batch_size: 1.5\n  lr: 0\n  seed: -1\n',
    });
    expect(lines).toEqual([
      'x.yaml:6: data.validation must be a number in [0, 0.9] (fraction held out), got 0.95',
      'x.yaml:8: train.epochs must be an integer >= 1, got 0',
      'x.yaml:9: train.batch_size must be an integer >= 1, got 1.5',
      'x.yaml:10: train.lr must be a number > 0, got 0',
      'x.yaml:11: train.seed must be an integer in [0, 4294967295], got -1',
    ]);
  });

  it('a bad enum lists the allowed values', () => {
    expect(errorsOf({ 'x.yaml': 'model:\n  type: dense-ae\n  size: small\n  activation: swish\n' })).toEqual([
      'x.yaml:4: model.activation must be one of relu, tanh, sigmoid, got "swish"',
    ]);
  });

  it('a bad item in a list is reported once, on the list key', () => {
    expect(errorsOf({ 'x.yaml': DENSE + '  encoder_units: [96, x, 0]\n' })).toEqual([
      'x.yaml:5: model.encoder_units must be a non-empty list of integers >= 1 (hidden encoder layer widths), ' +
        'or null (use the model.size table), got [96,"x",0]',
    ]);
  });

  it('infinite and not-a-number values are rejected', () => {
    expect(errorsOf({ 'x.yaml': DENSE + 'train:\n  lr: .inf\n  beta1: .nan\n' })).toEqual([
      'x.yaml:6: train.lr must be a number > 0, got Infinity',
      'x.yaml:7: train.beta1 must be a number in [0, 1), got NaN',
    ]);
  });

  it('an empty value is reported as nothing, not as a crash', () => {
    expect(errorsOf({ 'x.yaml': DENSE + 'train:\n  lr:\n' })).toEqual(['x.yaml:6: train.lr must be a number > 0, got nothing (null)']);
  });

  it('a section given as a scalar', () => {
    expect(errorsOf({ 'x.yaml': DENSE + 'train: 3\n' })).toEqual([
      'x.yaml:5: train must be a mapping with keys epochs, batch_size, optimizer, lr, beta1, beta2, loss, seed, ' +
        'backend, checkpoint_every, log_every, max_steps, lr_schedule, lr_warmup_epochs, lr_step_every, lr_step_gamma, lr_min, ' +
        'export, early_stop, augment, init_from, got 3',
    ]);
  });

  it('reports every error of every file at once, each naming its own file', () => {
    const lines = errorsOf({
      'base.yaml': 'train:\n  optimizer: adamw\n',
      'x.yaml': 'extends: base.yaml\nmodel:\n  type: dense-ae\n  size: huge\n  activation: relu\n  laten: 3\n',
    });
    expect(lines).toEqual([
      'base.yaml:2: train.optimizer must be one of adam, sgd, rmsprop, got "adamw"',
      'x.yaml:4: model.size must be one of small, medium, big, got "huge"',
      'x.yaml:6: unknown key model.laten (did you mean model.latent?)',
    ]);
  });

  it('a config error is a UserError (exit 2) with structured issues', () => {
    const dir = tempConfigs({ 'x.yaml': DENSE + 'train:\n  lr: fast\n' });
    let caught: unknown;
    try {
      loadConfig(path.join(dir, 'x.yaml'));
    } catch (err) {
      caught = err;
    }
    expect(isUserError(caught)).toBe(true);
    expect((caught as ConfigError).issues).toEqual([
      { source: path.join(dir, 'x.yaml'), line: 6, message: 'train.lr must be a number > 0, got "fast"' },
    ]);
  });
});

describe('whole-config rules', () => {
  it('model.type is required', () => {
    expect(errorsOf({ 'x.yaml': 'train:\n  epochs: 3\n' })).toEqual([
      'x.yaml: model.type is required: one of dense-ae, conv-ae, gan, vae, conv-vae',
    ]);
  });

  it('dense-ae requires size and activation', () => {
    expect(errorsOf({ 'x.yaml': 'model:\n  type: dense-ae\n' })).toEqual([
      'x.yaml:2: model.size is required for model.type dense-ae: one of small, medium, big',
      'x.yaml:2: model.activation is required for model.type dense-ae: one of relu, tanh, sigmoid',
    ]);
  });

  it('a model key that does not apply to the type is an error in the file that set it', () => {
    const lines = errorsOf({
      'base.yaml': 'model:\n  d: 32\n',
      'x.yaml': 'extends: base.yaml\n' + DENSE,
    });
    expect(lines).toEqual(['base.yaml:2: model.d does not apply to model.type dense-ae (only to conv-ae, gan, conv-vae); remove it']);
  });

  it('conv models need a length that is a multiple of 4^5', () => {
    expect(errorsOf({ 'x.yaml': 'model:\n  type: gan\n  length: 17640\n' })).toEqual([
      'x.yaml:3: model.length must be a multiple of 4^5 = 1024 for model.type gan (five stride-4 layers; ' +
        'WaveGAN uses 16384), got 17640',
    ]);
    // Shorter windows (for tests and smoke runs) are fine when they keep the shape.
    const ok = resolveConfigObject({ model: { type: 'gan', length: 2048 } }, 'tiny');
    expect(ok.config.model.length).toBe(2048);
  });
});

describe('files and extends', () => {
  it('a missing config file', () => {
    expect(errorsOf({}, [], 'nope.yaml')).toEqual(['nope.yaml: cannot read config: no such file']);
  });

  it('a missing extends file names the extending file and line', () => {
    const lines = errorsOf({ 'x.yaml': DENSE + 'extends: ../shared/base.yaml\n' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^x\.yaml:5: extends: \.\.\/shared\/base\.yaml: no such file \(looked for .*shared[/\\]base\.yaml\)$/);
  });

  it('extends is relative to the extending file and may chain', () => {
    const dir = tempConfigs({
      'defaults/root.yaml': 'train:\n  epochs: 5\n  seed: 9\n',
      'defaults/mid.yaml': 'extends: root.yaml\ntrain:\n  epochs: 7\n',
      'exp/x.yaml': 'extends: ../defaults/mid.yaml\n' + DENSE,
    });
    const loaded = loadConfig(path.join(dir, 'exp/x.yaml'));
    expect(loaded.config.train).toMatchObject({ epochs: 7, seed: 9 });
    expect(loaded.sources.map((s) => path.basename(s))).toEqual(['root.yaml', 'mid.yaml', 'x.yaml']);
  });

  it('mappings merge deeply, lists are replaced', () => {
    const dir = tempConfigs({
      'base.yaml': 'model:\n  type: vae\n  encoder_units: [8, 4, 2]\ntrain:\n  lr: 0.5\n  epochs: 3\n',
      'x.yaml': 'extends: base.yaml\nmodel:\n  encoder_units: [5]\ntrain:\n  lr: 0.25\n',
    });
    const { config } = loadConfig(path.join(dir, 'x.yaml'));
    expect(config.model).toMatchObject({ type: 'vae', encoder_units: [5], size: 'medium' });
    expect(config.train).toMatchObject({ lr: 0.25, epochs: 3 });
  });

  it('an extends cycle is detected and shown', () => {
    const lines = errorsOf({ 'x.yaml': 'extends: y.yaml\n' + DENSE, 'y.yaml': 'extends: x.yaml\n' });
    expect(lines).toEqual(['y.yaml:1: extends cycle: x.yaml -> y.yaml -> x.yaml']);
  });

  it('a file extending itself is a cycle', () => {
    expect(errorsOf({ 'x.yaml': 'extends: ./x.yaml\n' + DENSE })).toEqual(['x.yaml:1: extends cycle: x.yaml -> x.yaml']);
  });

  it('bad YAML syntax gives the line and column', () => {
    const lines = errorsOf({ 'x.yaml': DENSE + 'train:\n  epochs: [1, 2\n  lr: 3\n' });
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const line of lines) expect(line).toMatch(/^x\.yaml:\d+:\d+: invalid YAML: /);
    expect(lines[0]).toMatch(/^x\.yaml:[67]:/);
  });

  it('a repeated key is a syntax error at its line, not a silent override', () => {
    expect(errorsOf({ 'x.yaml': DENSE + 'train:\n  lr: 0.1\n  lr: 0.2\n' })).toEqual([
      'x.yaml:7:3: invalid YAML: Map keys must be unique',
    ]);
  });

  it('a config that is not a mapping', () => {
    expect(errorsOf({ 'x.yaml': '- model\n- train\n' })).toEqual([
      'x.yaml:1: a config must be a mapping of sections (model, data, train, …), got a list',
    ]);
  });

  it('a bad name (it becomes a folder name)', () => {
    expect(errorsOf({ 'x.yaml': DENSE + 'name: ../evil\n' })[0]).toMatch(/^x\.yaml:5: name must be a name of at most 100 letters/);
  });
});
