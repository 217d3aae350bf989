/**
 * Model families: each is declared once, in one module under src/models/families/, and registered here (as
 * tfjs-layers' registerClass does for layers). Everything that differs between families reads this registry: the
 * config schema and defaults (model.* keys, the family's own sections such as `vae:`), the run hash, building the
 * trainer, and the export. Adding a family is one new module plus its configs and tests: docs/extending.md.
 */
import type { SampgenConfig } from '../config/types';
import type { SchemaNode } from '../config/schema-nodes';
import type { ModelTrainer } from '../train/model-trainer';
import type { DatasetInfo } from '../data/format';

/** One config key a family reads: what it accepts (a schema node), its default, and what it means (for the docs). */
export interface KeySpec {
  schema: SchemaNode;
  /** The value when the config leaves the key out; absent (with `required`) when the key must be given. */
  default?: unknown;
  required?: boolean;
  meaning: string;
  /**
   * For a key added after runs existed: true where its value leaves training as it was before the key (e.g.
   * model.condition null). Such a value is left out of the run hash, so that every earlier run keeps its hash.
   */
  isOff?(value: unknown): boolean;
  /** A mapping-valued key's own keys: what each means and its value when the mapping leaves it out (for the docs). */
  subkeys?: Readonly<Record<string, { meaning: string; default: unknown }>>;
}

/** A top-level config section a family reads (e.g. `vae:`), declared once and shared by the families that use it. */
export interface SectionSpec {
  name: string;
  meaning: string;
  keys: Readonly<Record<string, KeySpec>>;
  /** Keys that determine the trained weights (they enter the run hash of the families that use the section). */
  hashed: readonly string[];
}

/** Facts of the dataset a trainer may need beyond the config. */
export interface TrainerOptions {
  /** The dataset's sample rate (GAN previews are WAV files). */
  sampleRate?: number;
  /** The training dataset's description and folder (conditional families read its classes and levels). */
  dataset?: { info: DatasetInfo; dir: string };
}

export interface ModelFamily {
  /** model.type */
  readonly type: string;
  /** One line for docs and messages. */
  readonly description: string;
  /** The model.* keys it accepts besides `type`, in the order the resolved config lists them. */
  readonly modelKeys: Readonly<Record<string, KeySpec>>;
  /** Sections it reads (their hashed keys enter its run hash). */
  readonly sections?: readonly SectionSpec[];
  /** `train.*` keys it does not use, left out of its run hash (the GAN has its own loss: train.loss). */
  readonly unusedTrainKeys?: readonly string[];
  /** Rules over its resolved model keys that the schema cannot state (a length multiple): problems by key. */
  check?(model: Readonly<Record<string, unknown>>): { key: string; message: string }[];
  /** Builds its networks from the config with initial weights drawn from `initSeed`, and the trainer that trains them. */
  buildTrainer(config: SampgenConfig, initSeed: number, options: TrainerOptions): ModelTrainer;
}

const registry = new Map<string, ModelFamily>();

/** Adds a family; its type must be new, and a model key it shares with another family must accept the same values. */
export function registerFamily(family: ModelFamily): ModelFamily {
  if (registry.has(family.type)) throw new Error(`model family '${family.type}' is registered twice`);
  for (const other of registry.values()) {
    for (const [key, spec] of Object.entries(family.modelKeys)) {
      const theirs = other.modelKeys[key];
      if (theirs && JSON.stringify(theirs.schema) !== JSON.stringify(spec.schema)) {
        throw new Error(`model.${key} of family '${family.type}' accepts other values than in family '${other.type}': share its KeySpec`);
      }
    }
  }
  registry.set(family.type, family);
  return family;
}

/** Every registered family, in registration order. */
export function families(): ModelFamily[] {
  return [...registry.values()];
}

export function familyTypes(): string[] {
  return [...registry.keys()];
}

/** The family of a model.type; an unknown type is a programming error here (configs are validated against the registry). */
export function familyOf(type: string): ModelFamily {
  const family = registry.get(type);
  if (!family) throw new Error(`no model family '${type}' is registered (known: ${familyTypes().join(', ')})`);
  return family;
}

/** Every section some family reads, once each, by name. */
export function familySections(): SectionSpec[] {
  const byName = new Map<string, SectionSpec>();
  for (const f of registry.values()) for (const s of f.sections ?? []) byName.set(s.name, s);
  return [...byName.values()];
}

/** The defaults of a section's keys. */
export function sectionDefaults(section: SectionSpec): Record<string, unknown> {
  return Object.fromEntries(Object.entries(section.keys).map(([k, spec]) => [k, spec.default]));
}
