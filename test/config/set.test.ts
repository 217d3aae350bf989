/** `--set key.path=value`: values read as YAML scalars/lists, applied after the files, errors naming the --set. */
import * as path from 'path';
import { loadConfig, parseSet } from '../../src/config';
import { editDistance } from '../../src/config/suggest';
import { errorLines } from './helpers';

const CONFIG = path.resolve(__dirname, '../../configs/ae-small-relu.yaml');

describe('parseSet', () => {
  it.each([
    ['train.lr=1e-4', ['train', 'lr'], 0.0001],
    ['train.epochs=12', ['train', 'epochs'], 12],
    ['data.shuffle=false', ['data', 'shuffle'], false],
    ['data.path=datasets/kicks', ['data', 'path'], 'datasets/kicks'],
    ['model.encoder_units=[96, 24]', ['model', 'encoder_units'], [96, 24]],
    ['model.encoder_units=[a,b]', ['model', 'encoder_units'], ['a', 'b']],
    ['train.max_steps=null', ['train', 'max_steps'], null],
    ['train.max_steps=', ['train', 'max_steps'], null],
    ['name="123"', ['name'], '123'],
    ['data.path=a=b', ['data', 'path'], 'a=b'],
  ])('%s', (expr, path, value) => {
    expect(parseSet(expr)).toEqual({ path, value });
  });

  it.each([
    ['train.lr', '--set train.lr: expected key.path=value (e.g. --set train.lr=0.0001)'],
    ['=3', '--set =3: "" is not a key path: expected dot-separated keys such as train.lr'],
    ['train..lr=3', '--set train..lr=3: "train..lr" is not a key path: expected dot-separated keys such as train.lr'],
    ['extends=base.yaml', '--set extends=base.yaml: extends cannot be set from the command line; pass that file as the config instead'],
  ])('rejects %s', (expr, message) => {
    expect(errorLines(() => parseSet(expr))).toEqual([message]);
  });

  it('rejects a value that is not YAML', () => {
    const [line] = errorLines(() => parseSet('model.encoder_units=[1, 2'));
    expect(line).toMatch(/^--set model\.encoder_units=\[1, 2: the value is not valid YAML: /);
  });
});

describe('--set on a loaded config', () => {
  it('overrides file values, later sets winning, and changes the hash', () => {
    const plain = loadConfig(CONFIG);
    const set = loadConfig(CONFIG, ['train.lr=0.5', 'model.activation=tanh', 'train.lr=0.25']);
    expect(set.config.train.lr).toBe(0.25);
    expect(set.config.model).toMatchObject({ activation: 'tanh', size: 'small' });
    expect(set.hash).not.toBe(plain.hash);
    expect(set.sets).toEqual(['train.lr=0.5', 'model.activation=tanh', 'train.lr=0.25']);
    // The same override gives the same hash as writing the value in a file would.
    expect(set.hash).toBe(loadConfig(path.resolve(__dirname, '../../configs/ae-small-tanh.yaml'), ['train.lr=0.25']).hash);
  });

  it('can switch the model type when the keys still make sense', () => {
    const { config } = loadConfig(CONFIG, ['model.type=vae']);
    expect(config.model).toMatchObject({ type: 'vae', size: 'small', activation: 'relu' });
  });

  it('an unknown key path names the --set and suggests the key', () => {
    expect(errorLines(() => loadConfig(CONFIG, ['train.lrr=0.1']))).toEqual([
      '--set train.lrr=0.1: unknown key train.lrr (did you mean train.lr?)',
    ]);
    expect(errorLines(() => loadConfig(CONFIG, ['trian.lr=0.1']))).toEqual([
      '--set trian.lr=0.1: unknown key trian (did you mean train?)',
    ]);
  });

  it('a bad value names the --set, and all bad sets are reported together', () => {
    expect(errorLines(() => loadConfig(CONFIG, ['train.lr=fast', 'data.validation=2', 'oops']))).toEqual([
      '--set oops: expected key.path=value (e.g. --set train.lr=0.0001)',
      '--set train.lr=fast: train.lr must be a number > 0, got "fast"',
      '--set data.validation=2: data.validation must be a number in [0, 0.9] (fraction held out), got 2',
    ]);
  });

  it('a key that does not apply to the model type names the --set', () => {
    expect(errorLines(() => loadConfig(CONFIG, ['model.d=32']))).toEqual([
      '--set model.d=32: model.d does not apply to model.type dense-ae (only to conv-ae, gan, conv-vae); remove it',
    ]);
  });
});

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['size', 'size', 0],
    ['sise', 'size', 1],
    ['trian', 'train', 1],
    ['lr', 'd', 2],
    ['kitten', 'sitting', 3],
    ['abc', '', 3],
  ])('%p -> %p is %p', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });
});

describe('mappings that are one value, and mappings that are sections', () => {
  const CONFIGS = path.join(__dirname, '..', '..', 'configs');
  it('a weighted loss given again replaces the base\'s whole (MSE alone means MSE alone)', () => {
    const file = path.join(CONFIGS, 'ae-medium-tanh-mrstft.yaml');
    expect(loadConfig(file).config.train.loss).toMatchObject({ mse: 1, mr_stft: { weight: 1 } });
    expect(loadConfig(file, ['train.loss={mse: 1}']).config.train.loss).toEqual({ mse: 1 });
    expect(loadConfig(file, ['train.loss=mae']).config.train.loss).toBe('mae');
  });

  it('a section such as train.augment still merges key by key', () => {
    const file = path.join(CONFIGS, 'ae-medium-tanh.yaml');
    const augment = loadConfig(file, ['train.augment={gain_db: [-3, 3]}', 'train.augment.polarity=true']).config.train.augment;
    expect(augment).toMatchObject({ gain_db: [-3, 3], polarity: true });
  });
});
