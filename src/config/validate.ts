/**
 * Checks one layer against LAYER_SCHEMA with ajv and turns ajv's errors into messages that name the key path
 * and what was expected, in the words of the schema's descriptions.
 */
import Ajv, { ErrorObject } from 'ajv';
import { clip } from '../util/clip';
import { ConfigIssue, describeValue } from './issues';
import { Layer } from './layer';
import { LAYER_SCHEMA, schemaAt } from './schema';
import { suggestPath } from './suggest';

/** Longest unknown key that gets a "did you mean" (known keys are at most ~20 characters). */
const MAX_SUGGESTED_KEY = 64;

// allErrors: report every problem in one pass. allowUnionTypes: nullable keys are ['integer', 'null'].
const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
const validateLayerSchema = ajv.compile(LAYER_SCHEMA);

export function checkLayer(layer: Layer): ConfigIssue[] {
  if (validateLayerSchema(layer.data)) return [];
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const err of validateLayerSchema.errors ?? []) {
    const issue = toIssue(err, layer);
    const key = `${issue.line}|${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  // ajv lists unknown keys before bad values; a reader fixing a file goes top to bottom.
  const order = (i: ConfigIssue): number => i.line ?? Number.MAX_SAFE_INTEGER;
  return issues.sort((a, b) => order(a) - order(b));
}

function toIssue(err: ErrorObject, layer: Layer): ConfigIssue {
  const at = pointerToPath(err.instancePath);
  if (err.keyword === 'additionalProperties') {
    const unknown = [...at, String((err.params as { additionalProperty: string }).additionalProperty)];
    // A key longer than any real one is not a typo of one (and the edit distance costs its length squared).
    const suggestion = unknown.at(-1)!.length <= MAX_SUGGESTED_KEY ? suggestPath(unknown) : undefined;
    const hint = suggestion
      ? ` (did you mean ${suggestion}?)`
      : ` (known keys${at.length ? ` in ${at.join('.')}` : ''}: ${Object.keys(schemaAt(at)?.properties ?? {}).join(', ')})`;
    return { source: layer.source, line: layer.lineOf(unknown), message: `unknown key ${clip(unknown.join('.'))}${hint}` };
  }
  // A problem inside a list (model.encoder_units/1) is reported on the key that holds the list: the
  // description says what the whole value must be.
  const keyPath: string[] = [];
  for (const k of at) {
    if (!schemaAt([...keyPath, k])) break;
    keyPath.push(k);
  }
  const node = schemaAt(keyPath);
  const value = valueAt(layer.data, keyPath);
  return {
    source: layer.source,
    line: layer.lineOf(keyPath),
    message: `${keyPath.join('.')} must be ${node?.description ?? err.message}, got ${describeValue(value)}`,
  };
}

function pointerToPath(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function valueAt(data: unknown, path: readonly string[]): unknown {
  let cur = data;
  for (const k of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}
