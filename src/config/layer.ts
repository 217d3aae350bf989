/**
 * A layer is one source of config values — a YAML file, an in-memory object or one `--set` — with the means
 * to point at the line of a key, so that every message can say where to fix it.
 */
import * as fs from 'fs';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { ConfigError, ConfigIssue } from './issues';

export interface Layer {
  /** What messages call this layer: the file path as given, `--set …`, or an in-memory label. */
  source: string;
  data: Record<string, unknown>;
  /** 1-based line of a key in the source text, where there is one. */
  lineOf(path: readonly string[]): number | undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const noLines = (): undefined => undefined;

/** A layer from an object built in code (sweeps, smoke runs); it has no lines to point at. */
export function objectLayer(raw: unknown, source: string): Layer {
  if (raw === null || raw === undefined) return { source, data: {}, lineOf: noLines };
  if (!isPlainObject(raw)) {
    throw new ConfigError([{ source, message: `a config must be a mapping of sections (model, data, train, …), got ${kindOf(raw)}` }]);
  }
  return { source, data: raw, lineOf: noLines };
}

/** Parses YAML text; syntax errors (all of them, with line and column) become one ConfigError. */
export function yamlLayer(text: string, source: string): Layer {
  const lineCounter = new LineCounter();
  // uniqueKeys (the default) makes a repeated key an error instead of letting the last one silently win.
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e): ConfigIssue => {
        const pos = e.linePos?.[0];
        // The pretty message repeats the position and quotes the text on further lines; keep one line.
        const first = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return { source, line: pos?.line, column: pos?.col, message: `invalid YAML: ${first}` };
      }),
    );
  }
  const raw: unknown = doc.toJS();
  if (raw !== null && raw !== undefined && !isPlainObject(raw)) {
    throw new ConfigError([
      { source, line: 1, message: `a config must be a mapping of sections (model, data, train, …), got ${kindOf(raw)}` },
    ]);
  }
  const lineOf = (path: readonly string[]): number | undefined => {
    if (path.length === 0) return undefined;
    const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
    if (!isMap(parent)) return undefined;
    const key = path[path.length - 1];
    const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
    const offset = pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined;
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
  return { source, data: raw ?? {}, lineOf };
}

/** Reads and parses a YAML config file; `source` is how messages name it (the path as the user gave it). */
export function fileLayer(file: string, source: string): Layer {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : (err as Error).message;
    throw new ConfigError([{ source, message: `cannot read config: ${why}` }]);
  }
  return yamlLayer(text, source);
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  return `${typeof value} ${JSON.stringify(value)}`;
}
