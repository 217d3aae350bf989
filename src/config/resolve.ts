/**
 * From the merged layers to a complete SampgenConfig: the rules that need the whole config (model.type
 * given, model keys that apply to that type, required keys, the conv length), then defaults for the rest.
 * Runs only on layers that passed the schema, so every value present has the right type and range.
 */
import { DATA_DEFAULTS, EARLY_STOP_DEFAULTS, OUTPUT_DEFAULTS, TRAIN_DEFAULTS } from './defaults';
import { familySections, familyTypes, familyOf, families, sectionDefaults } from '../models/family';
import { AUGMENT_DEFAULTS } from './defaults';
import { ConfigError, ConfigIssue } from './issues';
import { resolveLossSpec } from '../train/losses/spec';
import { Merged } from './merge';
import { schemaAt } from './schema';
import { ModelConfig, SampgenConfig } from './types';

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

  const type = rawModel.type as string | undefined;
  if (type === undefined) {
    throw new ConfigError([{ ...at('model'), message: `model.type is required: ${schemaAt(['model', 'type'])!.description}` }]);
  }
  if (!familyTypes().includes(type)) throw new Error(`unvalidated model.type ${String(type)}`);
  const family = familyOf(type);

  for (const key of Object.keys(rawModel)) {
    if (key !== 'type' && !(key in family.modelKeys)) {
      const users = families().filter((f) => key in f.modelKeys).map((f) => f.type);
      issues.push({
        ...at(`model.${key}`),
        message: `model.${key} does not apply to model.type ${type} (only to ${users.join(', ')}); remove it`,
      });
    }
  }
  const model: Section = { type };
  for (const [key, spec] of Object.entries(family.modelKeys)) {
    if (rawModel[key] !== undefined) model[key] = rawModel[key];
    else if (spec.required) {
      issues.push({ ...at('model.type'), message: `model.${key} is required for model.type ${type}: ${schemaAt(['model', key])!.description}` });
    } else model[key] = spec.default;
  }
  for (const problem of family.check?.(model) ?? []) issues.push({ ...at(`model.${problem.key}`), message: problem.message });
  const train = { ...TRAIN_DEFAULTS, ...(raw.train as Section | undefined) } as SampgenConfig['train'];
  train.loss = resolveLossSpec(train.loss);
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
    // Every family's section, with its defaults: config.yaml spells out every key, whatever the model.
    ...(Object.fromEntries(familySections().map((s) => [s.name, { ...sectionDefaults(s), ...(raw[s.name] as Section | undefined) }])) as unknown as Pick<SampgenConfig, 'gan' | 'vae'>),
    output: { ...OUTPUT_DEFAULTS, ...(raw.output as Section | undefined) } as SampgenConfig['output'],
  };
}
