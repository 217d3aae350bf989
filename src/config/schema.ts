/**
 * The JSON schema of one config layer (a YAML file, an in-memory object or one `--set`), checked by ajv.
 *
 * Every key is optional here: a layer may be a shared base that only sets a few defaults, and the rules that
 * need the merged whole (model.type given, keys that apply to the chosen model) are checked after merging
 * (see rules.ts). Every node carries a `description` that reads as the end of "KEY must be …"; it is the
 * standard JSON-schema annotation, so ajv's strict mode accepts it, and error messages come from the same
 * place as the rules themselves instead of from ajv's generic wording.
 */
// Seeds feed Rng, which keeps 32 bits: larger seeds would silently collide with smaller ones (src/util/seed.ts).
import { MAX_SEED } from '../util/seed';
import { LOSS_SCHEMA } from '../train/losses/spec';
import '../models/families';
import { families, familySections, familyTypes } from '../models/family';
import { BACKENDS, EXPORT_CHOICES, LOSSES, LR_SCHEDULES, OPTIMIZERS } from './types';

export type { SchemaNode } from './schema-nodes';
import { int, nullable, oneOf, section, SchemaNode, text } from './schema-nodes';

/** model.type and the union of every family's model keys (a key shared by families accepts the same values in each). */
function modelSectionKeys(): Record<string, SchemaNode> {
  const keys: Record<string, SchemaNode> = { type: oneOf(familyTypes()) };
  for (const family of families()) for (const [key, spec] of Object.entries(family.modelKeys)) keys[key] ??= spec.schema;
  return keys;
}

/** The sections model families declare (gan:, vae:). */
function familySectionSchemas(): Record<string, SchemaNode> {
  return Object.fromEntries(
    familySections().map((s) => [s.name, section(Object.fromEntries(Object.entries(s.keys).map(([k, spec]) => [k, spec.schema])))]),
  );
}

export const LAYER_SCHEMA: SchemaNode = section({
  extends: text('path of a config file to extend, relative to this file'),
  name: {
    type: 'string',
    pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$',
    description: 'a name of at most 100 letters, digits, ".", "_" or "-", starting with a letter or digit (it names the run folder)',
  },
  model: section(modelSectionKeys()),
  data: section({
    path: text('a dataset folder made by `sampgen preprocess`'),
    validation: { type: 'number', minimum: 0, maximum: 0.9, description: 'a number in [0, 0.9] (fraction held out)' },
    shuffle: { type: 'boolean', description: 'true or false' },
  }),
  train: section({
    epochs: int(1),
    batch_size: int(1),
    optimizer: oneOf(OPTIMIZERS),
    lr: { type: 'number', exclusiveMinimum: 0, description: 'a number > 0' },
    beta1: { type: 'number', minimum: 0, exclusiveMaximum: 1, description: 'a number in [0, 1)' },
    beta2: { type: 'number', minimum: 0, exclusiveMaximum: 1, description: 'a number in [0, 1)' },
    loss: LOSS_SCHEMA,
    seed: int(0, MAX_SEED),
    backend: oneOf(BACKENDS),
    checkpoint_every: int(1),
    log_every: int(1),
    max_steps: nullable(int(1), 'no limit'),
    lr_schedule: oneOf(LR_SCHEDULES),
    lr_warmup_epochs: { type: 'number', minimum: 0, description: 'a number of epochs >= 0' },
    lr_step_every: int(1),
    lr_step_gamma: { type: 'number', exclusiveMinimum: 0, maximum: 1, description: 'a number in (0, 1]' },
    lr_min: { type: 'number', minimum: 0, description: 'a number >= 0' },
    export: oneOf(EXPORT_CHOICES),
    early_stop: nullable(
      {
        ...section({
          patience: int(1),
          min_delta: { type: 'number', minimum: 0, description: 'a number >= 0' },
        }),
        description: 'a mapping with keys patience (epochs without improvement, required) and min_delta (default 0)',
      },
      'no early stopping',
    ),
    augment: nullable(
      {
        ...section({
          gain_db: nullable(
            {
              type: 'array',
              items: { type: 'number', minimum: -40, maximum: 40 },
              minItems: 2,
              description: 'a list [low, high] of two gains in dB, each in [-40, 40], low <= high',
            },
            'no gain change',
          ),
          polarity: { type: 'boolean', description: 'true or false' },
          shift_ms: { type: 'number', minimum: 0, maximum: 1000, description: 'a number of milliseconds in [0, 1000]' },
          pitch_semitones: { type: 'number', minimum: 0, maximum: 12, description: 'a number of semitones in [0, 12]' },
          mix: { type: 'number', minimum: 0, maximum: 0.5, description: 'a number in [0, 0.5] (the largest blend weight)' },
        }),
        description: 'a mapping with keys gain_db, polarity, shift_ms, pitch_semitones, mix (each optional, off by default)',
      },
      'no augmentation',
    ),
    init_from: nullable(text('a model folder or a run folder whose weights training starts from'), 'fresh weights'),
  }),
  ...familySectionSchemas(),
  output: section({
    runs: text('parent folder of run folders'),
    models: text('parent folder of exported models'),
    tensorboard: { type: 'boolean', description: 'true or false (TensorBoard event files in <run>/tb/)' },
    audio_every: int(0),
  }),
});

/** The schema node of a key path, or undefined for a path the schema does not know. */
export function schemaAt(path: readonly string[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = LAYER_SCHEMA;
  for (const key of path) {
    node = node?.properties && Object.prototype.hasOwnProperty.call(node.properties, key) ? node.properties[key] : undefined;
    if (!node) return undefined;
  }
  return node;
}

/** Every key path the schema knows, dotted ("train.lr"), sections included. */
export function knownPaths(node: SchemaNode = LAYER_SCHEMA, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    out.push([...prefix, key]);
    out.push(...knownPaths(child, [...prefix, key]));
  }
  return out;
}
