/**
 * From the merged layers to a complete SampgenConfig: the rules that need the whole config (model.type
 * given, model keys that apply to that type, required keys, the conv length), then defaults for the rest.
 * Runs only on layers that passed the schema, so every value present has the right type and range.
 */
import {
  CONV_LENGTH_MULTIPLE,
  DATA_DEFAULTS,
  EARLY_STOP_DEFAULTS,
  GAN_DEFAULTS,
  MODEL_KEYS,
  MODEL_REQUIRED,
  modelDefaults,
  OUTPUT_DEFAULTS,
  TRAIN_DEFAULTS,
  VAE_DEFAULTS,
  WAVEGAN_LENGTH,
} from './defaults';
import { AUGMENT_DEFAULTS } from './defaults';
import { ConfigError, ConfigIssue } from './issues';
import { Merged } from './merge';
import { schemaAt } from './schema';
import { MODEL_TYPES, ModelConfig, ModelType, SampgenConfig } from './types';

export interface ResolveContext {
  /** Where to point messages about keys that no layer set (the config being loaded). */
  topSource: string;
  /** `name` when no layer gives one. */
  defaultName: string;
}

type Section = Record<string, unknown>;

export function resolveMerged(merged: Merged, ctx: ResolveContext): SampgenConfig {
  const issues: ConfigIssue[] = [];
  const at = (path: string): { source: string; line?: number } => merged.origins.get(path) ?? { source: ctx.topSource };
  const raw = merged.data;
  const rawModel = (raw.model ?? {}) as Section;

  const type = rawModel.type as ModelType | undefined;
  if (type === undefined) {
    throw new ConfigError([{ ...at('model'), message: `model.type is required: ${schemaAt(['model', 'type'])!.description}` }]);
  }
  if (!MODEL_TYPES.includes(type)) throw new Error(`unvalidated model.type ${String(type)}`);

  for (const key of Object.keys(rawModel)) {
    if (!MODEL_KEYS[type].includes(key)) {
      const users = MODEL_TYPES.filter((t) => MODEL_KEYS[t].includes(key));
      issues.push({
        ...at(`model.${key}`),
        message: `model.${key} does not apply to model.type ${type} (only to ${users.join(', ')}); remove it`,
      });
    }
  }
  for (const key of MODEL_REQUIRED[type]) {
    if (rawModel[key] === undefined) {
      issues.push({
        ...at('model.type'),
        message: `model.${key} is required for model.type ${type}: ${schemaAt(['model', key])!.description}`,
      });
    }
  }
  const model: Section = { type };
  const defaults = modelDefaults(type);
  for (const key of MODEL_KEYS[type]) {
    if (key !== 'type') model[key] = rawModel[key] !== undefined ? rawModel[key] : defaults[key];
  }
  if ((type === 'conv-ae' || type === 'gan') && (model.length as number) % CONV_LENGTH_MULTIPLE !== 0) {
    issues.push({
      ...at('model.length'),
      message:
        `model.length must be a multiple of 4^5 = ${CONV_LENGTH_MULTIPLE} for model.type ${type} (five stride-4 ` +
        `layers; WaveGAN uses ${WAVEGAN_LENGTH}), got ${String(model.length)}`,
    });
  }
  const train = { ...TRAIN_DEFAULTS, ...(raw.train as Section | undefined) } as SampgenConfig['train'];
  if (train.early_stop !== null) {
    if ((train.early_stop as Partial<SampgenConfig['train']['early_stop']> & object).patience === undefined) {
      issues.push({ ...at('train.early_stop'), message: 'train.early_stop.patience is required: the epochs without improvement to wait (or set train.early_stop: null)' });
    }
    train.early_stop = { ...EARLY_STOP_DEFAULTS, ...train.early_stop };
  }
  if (train.augment !== null) {
    train.augment = { ...AUGMENT_DEFAULTS, ...train.augment };
    const gain = train.augment.gain_db;
    // The schema checks each number; the pair as a whole is checked here (ajv's tuples need a length the schema lacks).
    if (gain !== null && (gain.length !== 2 || gain[0] > gain[1])) {
      issues.push({
        ...at('train.augment.gain_db'),
        message: `train.augment.gain_db must be a list [low, high] of two gains in dB with low <= high, got ${JSON.stringify(gain)}`,
      });
    }
  }
  if (train.lr_schedule === 'cosine' && train.lr_min > train.lr) {
    issues.push({ ...at('train.lr_min'), message: `train.lr_min (${train.lr_min}) must not exceed train.lr (${train.lr}): the cosine schedule decays from lr to lr_min` });
  }
  if (issues.length > 0) throw new ConfigError(issues);

  return {
    name: (raw.name as string | undefined) ?? ctx.defaultName,
    model: model as unknown as ModelConfig,
    data: { ...DATA_DEFAULTS, ...(raw.data as Section | undefined) } as SampgenConfig['data'],
    train,
    gan: { ...GAN_DEFAULTS, ...(raw.gan as Section | undefined) } as SampgenConfig['gan'],
    vae: { ...VAE_DEFAULTS, ...(raw.vae as Section | undefined) } as SampgenConfig['vae'],
    output: { ...OUTPUT_DEFAULTS, ...(raw.output as Section | undefined) } as SampgenConfig['output'],
  };
}
