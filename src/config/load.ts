/**
 * Loading a config: follow the `extends` chain, check every layer against the schema, apply `--set`s, merge,
 * apply the whole-config rules and defaults, hash. Problems are gathered and thrown as one ConfigError
 * (a UserError), one line each, so a user sees them all at once.
 *
 * Paths: `extends` is relative to the file that says it (configs can move together); `data.path` and
 * `output.*` are left as written and mean paths relative to the working directory, like any CLI argument.
 */
import * as fs from 'fs';
import * as path from 'path';
import { configHash } from './hash';
import { ConfigError, ConfigIssue } from './issues';
import { configFileProblem, fileLayer, Layer, objectLayer } from './layer';
import { clip } from '../util/clip';
import { mergeLayers } from './merge';
import { resolveMerged } from './resolve';
import { setLayer } from './set';
import type { LoadedConfig } from './types';
import { checkLayer } from './validate';

/** Loads a YAML config file, follows its `extends`, applies `--set key.path=value` overrides in order. */
export function loadConfig(file: string, sets: readonly string[] = []): LoadedConfig {
  const issues: ConfigIssue[] = [];
  const top = fileLayer(file, file);
  const chain = followExtends(top, path.resolve(file), file, [], [], issues);
  return finish(chain, chain.map((l) => l.source), file, sets, issues, nameFromFile(file));
}

/**
 * Resolves a config given as an object (sweeps, smoke runs). `label` names it in messages and supplies the
 * default name; an `extends` in it is relative to `options.baseDir` (default: the working directory).
 */
export function resolveConfigObject(
  raw: unknown,
  label: string,
  sets: readonly string[] = [],
  options: { baseDir?: string } = {},
): LoadedConfig {
  const issues: ConfigIssue[] = [];
  const top = objectLayer(raw, label);
  const pseudoFile = path.join(options.baseDir ?? '.', '(in-memory)');
  const chain = followExtends(top, path.resolve(pseudoFile), pseudoFile, [], [], issues);
  const files = chain.slice(0, -1).map((l) => l.source);
  return finish(chain, files, label, sets, issues, nameFromFile(label));
}

/**
 * The layers of an `extends` chain, base first. `absFile` is the layer's own path (for relative extends and
 * cycle detection), `shownFile` the same path the way the user addressed it (messages name a base the same
 * way: `configs/base.yaml` when the user typed `configs/x.yaml`); `stack` the absolute paths of the files
 * that extend it, nearest last.
 */
function followExtends(
  layer: Layer,
  absFile: string,
  shownFile: string,
  stack: string[],
  shownStack: string[],
  issues: ConfigIssue[],
): Layer[] {
  const ext = layer.data.extends;
  // A non-string extends is the schema's to report, with the layer's other problems.
  if (typeof ext !== 'string' || ext === '') return [layer];
  const line = layer.lineOf(['extends']);
  const target = path.resolve(path.dirname(absFile), ext);
  // An absolute extends is shown as written (path.join would make `/tmp` into `tmp`).
  const shown = path.isAbsolute(ext) ? ext : path.join(path.dirname(shownFile), ext);
  const chainNow = [...stack, absFile];
  if (!fs.existsSync(target)) {
    issues.push({ source: layer.source, line, message: `extends: ${clip(ext)}: no such file (looked for ${clip(target, 200)})` });
    return [layer];
  }
  // A folder, a FIFO or /dev/zero is refused here, on the line that names it, before anything reads it.
  const problem = configFileProblem(target);
  if (problem) {
    issues.push({ source: layer.source, line, message: `extends: ${clip(ext)}: ${problem}` });
    return [layer];
  }
  const real = fs.realpathSync(target);
  const realChain = chainNow.map((f) => (fs.existsSync(f) ? fs.realpathSync(f) : f));
  if (realChain.includes(real)) {
    const shownChain = [...shownStack, shownFile];
    const loop = [...shownChain.slice(realChain.indexOf(real)), shown];
    issues.push({ source: layer.source, line, message: `extends cycle: ${loop.join(' -> ')}` });
    return [layer];
  }
  const base = fileLayer(target, shown);
  return [...followExtends(base, target, shown, chainNow, [...shownStack, shownFile], issues), layer];
}

function finish(
  chain: Layer[],
  sources: string[],
  label: string,
  sets: readonly string[],
  issues: ConfigIssue[],
  defaultName: string,
): LoadedConfig {
  const layers: Layer[] = [...chain];
  for (const expr of sets) {
    try {
      layers.push(setLayer(expr));
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      issues.push(...err.issues);
    }
  }
  for (const layer of layers) issues.push(...checkLayer(layer));
  if (issues.length > 0) throw new ConfigError(issues);

  const config = resolveMerged(mergeLayers(layers), { topSource: label, defaultName });
  return {
    config,
    ...configHash(config),
    file: label,
    sources,
    sets: [...sets],
  };
}

/**
 * The default `name`: the file's base name without .yaml, made safe for a folder name (anything but
 * letters, digits, ".", "_", "-" becomes "-").
 */
export function nameFromFile(file: string): string {
  const base = path.basename(file).replace(/\.ya?ml$/i, '');
  const safe = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 100);
  return safe || 'config';
}
