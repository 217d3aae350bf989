/**
 * The grid file of a sweep: which configs to train, and which keys to vary over them.
 *
 *   version: 1                      # optional; the only version there is
 *   configs:                        # files or patterns (*, ?, [..]), relative to the grid file's folder
 *     - ../configs/ae-*.yaml
 *     - ../configs/vae-a.yaml
 *   axes:                           # optional: key path -> non-empty list of values
 *     train.lr: [0.001, 0.0001]
 *   set:                            # optional: key path -> value, applied to every entry before the axes
 *     train.epochs: 700
 *
 * Config paths are relative to the grid file, like `extends` in a config: a grid and its configs can move
 * together, and the same grid means the same files from any working directory.
 */
import * as fs from 'fs';
import * as path from 'path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, stringify } from 'yaml';
import { configFileProblem, MAX_ALIAS_COUNT } from '../config/layer';
import { UserError } from '../errors';
import { canonicalJson } from '../config';
import { schemaAt } from '../config/schema';
import { suggestPath } from '../config/suggest';
import { expandGlob, hasMagic } from './glob';

export const GRID_VERSION = 1;
const TOP_KEYS = ['version', 'configs', 'axes', 'set'];
const KEY = /^[A-Za-z0-9_-]+$/;

export interface GridAxis {
  /** Dotted key path, e.g. train.lr. */
  key: string;
  values: unknown[];
}

export interface GridConfigPattern {
  /** As written in the grid file. */
  pattern: string;
  /** The files it names, sorted, as paths from the working directory. */
  files: string[];
}

export interface Grid {
  file: string;
  configs: GridConfigPattern[];
  axes: GridAxis[];
  /** Fixed overrides, as `key=value` expressions. */
  set: string[];
}

/** A `--set` expression for a value: YAML flow text, so that lists and strings read back as they were. */
export function setExpression(key: string, value: unknown): string {
  return `${key}=${stringify(value, { collectionStyle: 'flow', lineWidth: 0 }).trimEnd()}`;
}

export function readGridFile(file: string): Grid {
  // The same limits as a config file: a FIFO or /dev/zero must not hang the planner, nor a huge file cost memory.
  if (!fs.existsSync(file)) throw new UserError(`grid file ${file} does not exist`);
  const problem = configFileProblem(file);
  if (problem) throw new UserError(`cannot read grid file ${file}: ${problem.replace(/^is /, 'it is ')}`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `grid file ${file} does not exist` : `cannot read grid file ${file}: ${(err as Error).message}`);
  }
  return parseGrid(text, file);
}

/** Parses and checks a grid file's text; every problem is reported at once, each naming the file, line and key. */
export function parseGrid(text: string, file: string): Grid {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new UserError(`${file}: not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  }
  const problems: string[] = [];
  // The line of a key (its key node, so a bad value's line is the line of its key) or of a list item.
  const where = (keyPath: unknown[]): string => {
    let node: unknown = doc.contents;
    let at: { range?: [number, number, number] | null } | undefined;
    for (const step of keyPath) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && p.key.value === step);
        at = pair?.key as typeof at;
        node = pair?.value;
      } else if (isSeq(node) && typeof step === 'number') {
        node = node.items[step];
        at = node as typeof at;
      } else break;
    }
    const offset = at?.range?.[0];
    return offset === undefined ? file : `${file}:${lineCounter.linePos(offset).line}`;
  };
  const problem = (keyPath: unknown[], message: string) => problems.push(`${where(keyPath)}: ${message}`);

  if (!isMap(doc.contents)) throw new UserError(`${file}: a grid file must be a mapping with keys ${TOP_KEYS.join(', ')}`);
  let raw: Record<string, unknown>;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as Record<string, unknown>;
  } catch {
    throw new UserError(`${file}: its YAML aliases (*name) expand to more than ${MAX_ALIAS_COUNT} copies of their anchors (a YAML alias bomb?)`);
  }
  for (const key of Object.keys(raw)) {
    if (!TOP_KEYS.includes(key)) problem([key], `unknown key "${key}" (a grid file has ${TOP_KEYS.join(', ')})`);
  }
  if (raw.version !== undefined && raw.version !== GRID_VERSION) {
    problem(['version'], `version ${JSON.stringify(raw.version)} is not known to this sampgen (it reads version ${GRID_VERSION})`);
  }

  const configs: GridConfigPattern[] = [];
  const baseDir = path.dirname(file);
  if (raw.configs === undefined) problems.push(`${file}: configs is required: a list of config files (globs allowed)`);
  else if (!Array.isArray(raw.configs) || raw.configs.length === 0) problem(['configs'], 'configs must be a non-empty list of config files');
  else {
    raw.configs.forEach((pattern, i) => {
      if (typeof pattern !== 'string' || pattern.trim() === '') {
        problem(['configs', i], `configs[${i}] must be a file name or pattern, got ${JSON.stringify(pattern)}`);
        return;
      }
      const full = path.isAbsolute(pattern) ? pattern : path.join(baseDir, pattern);
      let files: string[];
      try {
        files = expandGlob(full);
      } catch (err) {
        problem(['configs', i], `configs[${i}] ${pattern}: ${(err as Error).message}`);
        return;
      }
      if (files.length === 0) {
        problem(['configs', i], hasMagic(pattern) ? `configs[${i}] ${pattern} matches no file (looked in ${path.dirname(full)})` : `configs[${i}] ${pattern}: no such file (looked for ${full})`);
      }
      configs.push({ pattern, files });
    });
    const seen = new Map<string, string>();
    for (const c of configs) {
      for (const f of c.files) {
        const real = path.resolve(f);
        if (seen.has(real)) problems.push(`${file}: ${f} is listed twice (by ${seen.get(real)} and ${c.pattern}); list each config once`);
        else seen.set(real, c.pattern);
      }
    }
  }

  const axes: GridAxis[] = [];
  if (raw.axes !== undefined && raw.axes !== null) {
    if (!isMap(doc.get('axes', true))) problem(['axes'], 'axes must be a mapping from key path (e.g. train.lr) to a list of values');
    else {
      for (const [key, values] of Object.entries(raw.axes as Record<string, unknown>)) {
        const keyProblem = checkKeyPath(key);
        if (keyProblem) problem(['axes', key], `axes: ${keyProblem}`);
        if (!Array.isArray(values)) {
          problem(['axes', key], `axes: ${key} must be a list of values, e.g. ${key}: [a, b]`);
          continue;
        }
        if (values.length === 0) {
          problem(['axes', key], `axes: ${key} has no values; give at least one, or remove the axis`);
          continue;
        }
        const canon = values.map((v) => canonicalJson(v));
        const dup = canon.findIndex((c, i) => canon.indexOf(c) !== i);
        if (dup >= 0) problem(['axes', key], `axes: ${key} lists ${JSON.stringify(values[dup])} twice`);
        if (!keyProblem) axes.push({ key, values });
      }
    }
  }

  const set: string[] = [];
  if (raw.set !== undefined && raw.set !== null) {
    if (!isMap(doc.get('set', true))) problem(['set'], 'set must be a mapping from key path to value, e.g. train.epochs: 700');
    else {
      for (const [key, value] of Object.entries(raw.set as Record<string, unknown>)) {
        const keyProblem = checkKeyPath(key);
        if (keyProblem) problem(['set', key], `set: ${keyProblem}`);
        else if (axes.some((a) => a.key === key)) problem(['set', key], `set: ${key} is also an axis; keep it in one place`);
        else set.push(setExpression(key, value));
      }
    }
  }
  if (problems.length > 0) throw new UserError(problems.join('\n'));
  return { file, configs, axes, set };
}

/** Why a dotted key cannot be set in a config (unknown path, a whole section, extends), or undefined if it can. */
function checkKeyPath(key: string): string | undefined {
  const parts = key.split('.');
  if (!parts.every((p) => KEY.test(p))) return `"${key}" is not a key path: expected dot-separated keys such as train.lr`;
  if (parts[0] === 'extends') return 'extends cannot vary in a grid; list the config files under configs instead';
  const node = schemaAt(parts);
  if (!node) {
    const hint = suggestPath(parts);
    return `unknown key path ${key}${hint ? ` (did you mean ${hint}?)` : ''}`;
  }
  if (node.properties) return `${key} is a section; name one of its keys (${Object.keys(node.properties).map((k) => `${key}.${k}`).join(', ')})`;
  return undefined;
}

/** Every combination of the axes' values, in order, the last axis varying fastest (like nested loops). */
export function axisProduct(axes: readonly GridAxis[]): string[][] {
  let combos: string[][] = [[]];
  for (const axis of axes) {
    const next: string[][] = [];
    for (const combo of combos) for (const v of axis.values) next.push([...combo, setExpression(axis.key, v)]);
    combos = next;
  }
  return combos;
}

/** All config files of the grid, in the order listed (each pattern's matches sorted by name). */
export function gridConfigFiles(grid: Grid): string[] {
  return grid.configs.flatMap((c) => c.files);
}
