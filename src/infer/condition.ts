/**
 * What a user asks a conditional model for, from the command line (`--class`, `--mix`, `--velocity`, `--level`) or
 * from an audio file (its class from its name, its velocity from its measured level), as the condition request of
 * src/models/condition.ts. The model's sampgen.json `condition` says what it accepts.
 */
import * as path from 'path';
import { classFromName, DEFAULT_LABEL_TABLE, DRUM_CLASSES } from '../data/labels';
import type { ModelMetadata } from '../export';
import { UserError } from '../errors';
import { ConditionLayout, ConditionRequest, conditionVector, defaultClass, levelOfVelocity, velocityOfLevel } from '../models/condition';
import type { SourceLevels } from '../preprocess/pipeline';

/** The condition options as the CLI gives them (strings, unparsed). */
export interface ConditionOptions {
  class?: string;
  mix?: string;
  velocity?: string;
  level?: string;
}

/** The class name a user typed, as the dataset spells it (aliases of the label table: `bd` → kick, `hh` → hat-closed). */
export function canonicalClass(name: string): string {
  const trimmed = name.trim().toLowerCase();
  if ((DRUM_CLASSES as readonly string[]).includes(trimmed)) return trimmed;
  return classFromName(trimmed, DEFAULT_LABEL_TABLE) ?? trimmed;
}

/** "kick=0.3,snare=0.7" → {kick: 0.3, snare: 0.7}. */
export function parseMix(text: string): Record<string, number> {
  const mix: Record<string, number> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([^=\s]+)\s*=\s*([^=\s]+)\s*$/.exec(part);
    const weight = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(weight) || weight < 0) {
      throw new UserError(`--mix ${JSON.stringify(text)}: expected CLASS=WEIGHT pairs with weights >= 0, e.g. kick=0.3,snare=0.7`);
    }
    const name = canonicalClass(m[1]!);
    if (name in mix) throw new UserError(`--mix ${JSON.stringify(text)} names ${name} twice`);
    mix[name] = weight;
  }
  return mix;
}

/** "-12dB", "-12 dBFS" or "-12" → −12 (dBFS). */
export function parseLevel(text: string): number {
  const m = /^\s*([-+]?\d+(?:\.\d+)?)\s*(?:db|dbfs)?\s*$/i.exec(text);
  const db = m ? Number(m[1]) : NaN;
  if (!m || !Number.isFinite(db) || db > 0) throw new UserError(`--level ${JSON.stringify(text)}: expected a level in dBFS <= 0, e.g. -12dB`);
  return db;
}

/**
 * The request the options make for a model: undefined for an unconditional model given none of them; a UserError
 * for options the model cannot take (naming what it can) or that contradict each other. `warn` hears about a
 * velocity outside the training range (decoded anyway: the model extrapolates).
 */
export function conditionRequestOf(meta: ModelMetadata, opts: ConditionOptions, warn?: (m: string) => void): ConditionRequest | undefined {
  const given = (['class', 'mix', 'velocity', 'level'] as const).filter((k) => opts[k] !== undefined);
  const layout = meta.condition;
  if (!layout) {
    if (given.length > 0) {
      throw new UserError(`model ${meta.name} (${meta.model_type}) is not conditional: --${given.join(', --')} cannot apply (train with model.condition to get one)`);
    }
    return undefined;
  }
  if (opts.class !== undefined && opts.mix !== undefined) throw new UserError('give --class or --mix, not both');
  if (opts.velocity !== undefined && opts.level !== undefined) throw new UserError('give --velocity or --level, not both');
  const request: ConditionRequest = {};
  if (opts.class !== undefined) request.mix = { [canonicalClass(opts.class)]: 1 };
  if (opts.mix !== undefined) request.mix = parseMix(opts.mix);
  if (request.mix && !layout.classes) throw new UserError(`model ${meta.name} is not conditioned on class: leave out --class and --mix`);
  const typed = opts.class !== undefined ? [opts.class] : (opts.mix?.split(',').map((p) => p.split('=')[0]!.trim()) ?? []);
  for (const name of typed) {
    const known = canonicalClass(name);
    if (!layout.classes!.includes(known)) {
      const alias = known !== name.trim().toLowerCase() ? ` (${known} in sampgen's classes)` : '';
      throw new UserError(`class '${name}'${alias} is not one model ${meta.name} was trained on (${layout.classes!.join(', ')})`);
    }
  }
  if ((opts.velocity !== undefined || opts.level !== undefined) && !layout.velocity) {
    throw new UserError(`model ${meta.name} is not conditioned on velocity: leave out --velocity and --level`);
  }
  if (opts.velocity !== undefined) {
    const v = Number(opts.velocity);
    if (opts.velocity.trim() === '' || !Number.isFinite(v)) throw new UserError(`--velocity ${JSON.stringify(opts.velocity)}: expected a number, 0 (the training set's quietest) to 1 (its loudest)`);
    request.velocity = v;
  }
  if (opts.level !== undefined) request.velocity = velocityOfLevel(layout, parseLevel(opts.level));
  if (request.velocity !== undefined && (request.velocity < 0 || request.velocity > 1)) {
    warn?.(`velocity ${request.velocity.toFixed(2)} (${levelOfVelocity(layout, request.velocity).toFixed(1)} dBFS attack RMS) is outside the training set's range ` +
      `(${layout.velocity!.min_dbfs.toFixed(1)}…${layout.velocity!.max_dbfs.toFixed(1)} dBFS): the model extrapolates`);
  }
  conditionVector(layout, request); // unknown classes and zero weights fail here, before anything is decoded
  return request;
}

/** The request in words: "snare, velocity 0.80 (−11.9 dBFS attack RMS)"; parts left out are named as defaults. */
export function describeRequest(layout: ConditionLayout, request: ConditionRequest): string {
  const parts: string[] = [];
  if (layout.classes) {
    const mix = request.mix ?? { [defaultClass(layout)]: 1 };
    const entries = Object.entries(mix).filter(([, w]) => w > 0);
    const total = entries.reduce((s, [, w]) => s + w, 0);
    const named = entries.length === 1 ? entries[0]![0] : entries.map(([c, w]) => `${c} ${(w / total).toFixed(2)}`).join(' + ');
    parts.push(request.mix ? named : `${named} (the training set's most common class)`);
  }
  if (layout.velocity) {
    const v = request.velocity ?? 0.5;
    parts.push(`velocity ${v.toFixed(2)} (${levelOfVelocity(layout, v).toFixed(1)} dBFS attack RMS)${request.velocity === undefined ? ' (default)' : ''}`);
  }
  return parts.join(', ');
}

/** A file-safe label for a request: "snare-v0.80", "kick0.30+snare0.70". */
export function requestLabel(layout: ConditionLayout, request: ConditionRequest): string {
  const parts: string[] = [];
  if (layout.classes) {
    const mix = request.mix ?? { [defaultClass(layout)]: 1 };
    const entries = Object.entries(mix).filter(([, w]) => w > 0);
    const total = entries.reduce((s, [, w]) => s + w, 0);
    parts.push(entries.length === 1 ? entries[0]![0] : entries.map(([c, w]) => `${c}${(w / total).toFixed(2)}`).join('+'));
  }
  if (layout.velocity && request.velocity !== undefined) parts.push(`v${request.velocity.toFixed(2)}`);
  return parts.join('-');
}

/**
 * The condition of an audio file being encoded: its class from `classOverride`, else from its name (the file name,
 * then the folder it is in), and its velocity from its measured attack level. A class
 * that cannot be told, or that the model does not know, is a UserError naming the file and the way out (--class).
 */
export function conditionOfFile(meta: ModelMetadata, file: string, levels: SourceLevels, classOverride?: string): ConditionRequest | undefined {
  const layout = meta.condition;
  if (!layout) return undefined;
  const request: ConditionRequest = {};
  if (layout.classes) {
    // The file name, then its own folder (`kick/001.wav`); folders further up are not read: an absolute path's
    // folders (`/home/sd/…`) would name classes by accident.
    const name = classOverride !== undefined ? canonicalClass(classOverride) : (classFromName(path.basename(file)) ?? classFromName(path.basename(path.dirname(path.resolve(file)))));
    if (!name) {
      throw new UserError(`${file}: its name does not say which drum it is, and model ${meta.name} is conditioned on class: give --class (one of ${layout.classes.join(', ')})`);
    }
    if (!layout.classes.includes(name)) {
      throw new UserError(`${file}: class ${name} is not one model ${meta.name} was trained on (${layout.classes.join(', ')}); give --class`);
    }
    request.mix = { [name]: 1 };
  }
  if (layout.velocity) request.velocity = velocityOfLevel(layout, levels.attackRmsDbfs);
  return request;
}
