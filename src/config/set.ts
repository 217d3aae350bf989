/**
 * `--set key.path=value` overrides. The value is read as YAML so that `--set train.lr=1e-4` is a number,
 * `--set data.shuffle=false` a boolean and `--set model.encoder_units=[96,24]` a list, exactly as the same
 * text would be in a config file.
 */
import { parse, YAMLParseError } from 'yaml';
import { errorMessage } from '../errors';
import { clip, quoteClipped } from '../util/clip';
import { ConfigError } from './issues';
import { Layer, MAX_ALIAS_COUNT } from './layer';

const KEY = /^[A-Za-z0-9_-]+$/;

export function parseSet(expr: string): { path: string[]; value: unknown } {
  const source = setSource(expr);
  const eq = expr.indexOf('=');
  if (eq < 0) throw new ConfigError([{ source, message: 'expected key.path=value (e.g. --set train.lr=0.0001)' }]);
  const keyText = expr.slice(0, eq).trim();
  const path = keyText.split('.');
  if (keyText === '' || !path.every((k) => KEY.test(k))) {
    throw new ConfigError([
      { source, message: `${quoteClipped(keyText)} is not a key path: expected dot-separated keys such as train.lr` },
    ]);
  }
  if (path[0] === 'extends') {
    throw new ConfigError([{ source, message: 'extends cannot be set from the command line; pass that file as the config instead' }]);
  }
  let value: unknown;
  try {
    value = parse(expr.slice(eq + 1), { maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const why = err instanceof YAMLParseError ? err.message.split('\n')[0]! : errorMessage(err);
    throw new ConfigError([{ source, message: `the value is not valid YAML: ${clip(why, 200)}` }]);
  }
  return { path, value: value ?? null };
}

/** One `--set` as a config layer ({train: {lr: 0.0001}}), validated like a file so errors name the `--set`. */
export function setLayer(expr: string): Layer {
  const { path, value } = parseSet(expr);
  let data: unknown = value;
  for (let i = path.length - 1; i >= 0; i--) data = { [path[i]!]: data };
  return { source: setSource(expr), data: data as Record<string, unknown>, lineOf: () => undefined };
}

/** How messages name one `--set` (clipped: the expression may be as long as the command line allows). */
function setSource(expr: string): string {
  return `--set ${clip(expr)}`;
}
