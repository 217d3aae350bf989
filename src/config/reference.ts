/**
 * The config reference (docs/config.md) is generated from the schema (what each key accepts), the defaults (what it
 * is when left out) and the meanings below, so it cannot drift from the code: a test regenerates it and compares,
 * and fails when a schema key has no meaning here or a meaning names a key the schema does not have.
 */
import { DATA_DEFAULTS, EARLY_STOP_DEFAULTS, OUTPUT_DEFAULTS, TRAIN_DEFAULTS } from './defaults';
import { families, familySections, sectionDefaults } from '../models/family';
import { AUGMENT_DEFAULTS } from './defaults';
import { knownPaths, schemaAt } from './schema';

/** What each key means, by dotted path; sections too. Model keys and the families' own sections mean what their family says. */
const OWN_MEANINGS: Readonly<Record<string, string>> = {
  extends: 'Another config file whose keys this one starts from (its own keys win); chains are followed.',
  name: 'Names the run folder `<name>-<hash>` and the model folder; defaults to the file name without `.yaml`.',
  model: 'The network: its family and sizes.',
  'model.type': 'The model family: the study\'s dense autoencoders, KL-annealed VAEs, the conv autoencoder or WaveGAN.',
  data: 'The dataset and how it is split.',
  'data.path': 'A dataset folder made by `sampgen preprocess`, relative to the folder training runs in.',
  'data.validation': 'Fraction of the rows held out for validation (a seeded split; 0: none, then no best epoch).',
  'data.shuffle': 'Shuffle the training rows every epoch, with the run\'s seeded generator.',
  train: 'The optimisation.',
  'train.epochs': 'Passes over the training rows. Not part of the run hash (unless lr_schedule is cosine): a finished run is extended with `--resume --set train.epochs=N`.',
  'train.batch_size': 'Examples per optimisation step (capped at the training rows).',
  'train.optimizer': 'The optimiser.',
  'train.lr': 'The learning rate (the peak rate of a schedule).',
  'train.beta1': 'Adam\'s first-moment decay (used by adam only).',
  'train.beta2': 'Adam\'s second-moment decay (used by adam only).',
  'train.loss': 'The reconstruction loss of autoencoders and VAEs (the GAN has its own).',
  'train.seed': 'Seeds weights, split, shuffling and every random draw: the same seed gives the same run.',
  'train.backend': 'TF.js backend: auto picks tensorflow (tfjs-node) where installed, else wasm with sampgen\'s native kernels.',
  'train.checkpoint_every': 'Epochs between checkpoints (also at the end and on SIGINT/SIGTERM).',
  'train.log_every': 'Batches between progress updates.',
  'train.max_steps': 'Stop after this many optimisation steps (smoke runs). Not part of the run hash.',
  'train.lr_schedule': 'How the rate changes: constant; step (times lr_step_gamma every lr_step_every epochs); cosine (from lr to lr_min over train.epochs).',
  'train.lr_warmup_epochs': 'Epochs of linear warm-up from 0 to the scheduled rate (fractions count per step); 0: none.',
  'train.lr_step_every': 'step schedule: epochs between rate drops.',
  'train.lr_step_gamma': 'step schedule: the factor of each drop.',
  'train.lr_min': 'cosine schedule: the rate at the last epoch.',
  'train.export': 'Which weights the run exports: best (of the best validation epoch; the last where there is no validation loss, as for the GAN) or last. Not part of the run hash.',
  'train.early_stop': 'Stop when the validation loss has not improved by more than min_delta for patience epochs; null: never. Not part of the run hash.',
  'train.early_stop.patience': 'Epochs without improvement before stopping.',
  'train.early_stop.min_delta': 'The improvement that counts (in loss units).',
  'train.augment':
    'Augments training batches on the fly (validation batches never): each example gets fresh draws from the run\'s seeded ' +
    'stream (a function of train.seed and the step, so runs repeat and resume bit for bit). Applied in the order pitch, ' +
    'shift, gain, polarity, then mix. null: none, as in the study; a mapping turns on the parts it sets. ' +
    'Part of the run hash only when some part is on.',
  'train.augment.gain_db':
    'Gain in dB drawn uniformly from [low, high] per example (×10^(g/20); not clipped); null: none.',
  'train.augment.polarity': 'Flip the sign of each example with probability 1/2.',
  'train.augment.shift_ms':
    'Shift each example by a whole number of samples drawn uniformly from ±this many ms (rounded to samples at the ' +
    'dataset\'s rate), filling with zeros; 0: none. Must be shorter than a row.',
  'train.augment.pitch_semitones':
    'Pitch shift by band-limited resampling (the preprocess resampler): a shift drawn uniformly from 15 equally spaced ' +
    'values in ±this many semitones scales every frequency by 2^(s/12) and the duration by its inverse; the attack stays at ' +
    'the dataset\'s attack index (to within half a sample), the rest is zero-filled or cut; 0: none.',
  'train.augment.mix':
    'Blend each example with another example of its batch (after the other parts): x·(1−λ) + y·λ, λ uniform in [0, mix]; 0: none.',
  'train.init_from':
    'Start a fresh run from trained weights (fine-tuning on a new kit): a model folder (sampgen.json; its parts set the ' +
    'networks of the same names, others such as the GAN\'s critic start fresh) or a run folder (its best checkpoint, else ' +
    'its latest; every network). Shapes must match the config\'s model. On --resume the checkpoint wins. The path is ' +
    'part of the run hash; the log names the source\'s weights sha256.',
  output: 'Where results are written (never part of the run hash).',
  'output.runs': 'Parent folder of run folders `<name>-<hash>/`.',
  'output.models': 'Parent folder of exported models `<name>-<hash>/`; `<name>` links to the latest export of that name.',
  'output.tensorboard': 'Write TensorBoard event files into `<run>/tb/` (scalars every epoch, the config, audio previews).',
  'output.audio_every': 'Epochs between TensorBoard audio previews (reconstructions or generations); 0: none.',
};

/** Every key's meaning: ours, then each family's model keys and sections (from src/models/families). */
export const KEY_MEANINGS: Readonly<Record<string, string>> = (() => {
  const meanings: Record<string, string> = { ...OWN_MEANINGS };
  for (const family of families()) {
    for (const [key, spec] of Object.entries(family.modelKeys)) {
      meanings[`model.${key}`] ??= spec.meaning;
      for (const [sub, part] of Object.entries(spec.subkeys ?? {})) meanings[`model.${key}.${sub}`] ??= part.meaning;
    }
  }
  for (const section of familySections()) {
    meanings[section.name] = section.meaning;
    for (const [key, spec] of Object.entries(section.keys)) meanings[`${section.name}.${key}`] = spec.meaning;
  }
  return meanings;
})();

const SECTION_DEFAULTS: Record<string, Readonly<object>> = {
  data: DATA_DEFAULTS,
  train: TRAIN_DEFAULTS,
  ...Object.fromEntries(familySections().map((s) => [s.name, sectionDefaults(s)])),
  output: OUTPUT_DEFAULTS,
};

/** The default of a key as the reference states it. */
function defaultOf(path: string[]): string {
  const [section, key] = path;
  if (path.length === 1) return section === 'name' ? 'the file name' : '';
  if (section === 'model' && path.length === 3) {
    const spec = families().map((f) => f.modelKeys[key!]).find((k) => k?.subkeys?.[path[2]!]);
    return spec ? JSON.stringify(spec.subkeys![path[2]!]!.default) : '';
  }
  if (section === 'model') {
    const byType = families()
      .filter((f) => key! in f.modelKeys)
      .map((f) => (f.modelKeys[key!]!.required ? `${f.type}: required` : `${f.type}: ${JSON.stringify(f.modelKeys[key!]!.default)}`));
    return key === 'type' ? 'required' : byType.filter(Boolean).join('; ');
  }
  if (path.length === 3) {
    // The nested mappings: train.early_stop and train.augment.
    const nested = (path[1] === 'augment' ? AUGMENT_DEFAULTS : EARLY_STOP_DEFAULTS) as Record<string, unknown>;
    return path[2]! in nested ? JSON.stringify(nested[path[2]!]) : 'required';
  }
  const defaults = SECTION_DEFAULTS[section!] as Record<string, unknown> | undefined;
  return defaults && key! in defaults ? JSON.stringify(defaults[key!]) : '';
}

/** The Markdown of docs/config.md. */
export function configReference(): string {
  const lines = [
    '# Config reference',
    '',
    '<!-- Generated from src/config (schema, defaults and src/config/reference.ts) by `sampgen config reference`;',
    '     test/config/reference.test.ts fails when this file is out of date. Do not edit by hand. -->',
    '',
    'A config is a YAML file (see `configs/`); every key may be left out except `model.type` (and, for `dense-ae`,',
    '`model.size` and `model.activation`). `--set key.path=value` overrides a key from the command line, and',
    '`sampgen config show <config> [--set …]` prints the resolved config, every key filled in.',
    '',
  ];
  for (const path of knownPaths()) {
    const key = path.join('.');
    const node = schemaAt(path)!;
    if (path.length === 1 && node.properties) {
      lines.push('', `## ${key}`, '', KEY_MEANINGS[key] ?? '', '', '| key | accepts | default | meaning |', '|---|---|---|---|');
      continue;
    }
    const row = `| \`${key}\` | ${escape(node.description)} | ${escape(defaultOf(path))} | ${escape(KEY_MEANINGS[key] ?? '')} |`;
    if (path.length === 1) lines.push('', `## ${key}`, '', `Accepts ${escape(node.description)}. ${KEY_MEANINGS[key] ?? ''}`, '');
    else lines.push(row);
  }
  return lines.join('\n').replace(/\n{3,}/g, '\n\n') + '\n';
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Schema keys without a meaning, and meanings of keys the schema does not have (both must be empty). */
export function referenceGaps(): { undocumented: string[]; unknown: string[] } {
  const known = knownPaths().map((p) => p.join('.'));
  return {
    undocumented: known.filter((k) => !(k in KEY_MEANINGS)),
    unknown: Object.keys(KEY_MEANINGS).filter((k) => !known.includes(k)),
  };
}
