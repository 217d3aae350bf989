/**
 * Deep merge of layers, base first: sections (mappings whose keys the schema lists: `train`, `train.augment`)
 * merge key by key; anything else replaces what was there — a list is one value, so a child's
 * `encoder_units: [64]` is not spliced into its base's list, and neither is a mapping that is one value (a weighted
 * loss: `--set train.loss={mse: 1}` over a base's `{mse: 1, mr_stft: 1}` means MSE alone, not both). Each key remembers the layer (and line) it came from, so rules checked on the merged
 * config can still point at the file to fix.
 */
import { isPlainObject, Layer } from './layer';
import { schemaAt } from './schema';

/** Whether the schema declares `path` a section (a mapping of known keys) rather than a value that is a mapping. */
function isSection(path: readonly string[]): boolean {
  return path.length === 0 || schemaAt(path)?.properties !== undefined || schemaAt(path) === undefined;
}

export interface Origin {
  source: string;
  line?: number;
}

export interface Merged {
  data: Record<string, unknown>;
  /** Dotted key path → the layer that last set it. */
  origins: Map<string, Origin>;
}

/** `extends` is consumed by the loader; it is not part of the merged config. */
const LOADER_KEYS = new Set(['extends']);

export function mergeLayers(layers: readonly Layer[]): Merged {
  const data: Record<string, unknown> = {};
  const origins = new Map<string, Origin>();
  for (const layer of layers) {
    const top = Object.fromEntries(Object.entries(layer.data).filter(([k]) => !LOADER_KEYS.has(k)));
    mergeInto(data, top, [], layer, origins);
  }
  return { data, origins };
}

function mergeInto(
  target: Record<string, unknown>,
  source: Record<string, unknown>,
  prefix: string[],
  layer: Layer,
  origins: Map<string, Origin>,
): void {
  for (const [key, value] of Object.entries(source)) {
    const path = [...prefix, key];
    origins.set(path.join('.'), { source: layer.source, line: layer.lineOf(path) });
    const existing = target[key];
    if (isPlainObject(value) && isPlainObject(existing) && isSection(path)) {
      mergeInto(existing, value, path, layer, origins);
    } else if (isPlainObject(value)) {
      const fresh: Record<string, unknown> = {};
      target[key] = fresh;
      mergeInto(fresh, value, path, layer, origins);
    } else {
      // structuredClone: the merged config must not share lists with the caller's objects.
      target[key] = structuredClone(value);
    }
  }
}
