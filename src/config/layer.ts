/**
 * A layer is one source of config values — a YAML file, an in-memory object or one `--set` — with the means
 * to point at the line of a key, so that every message can say where to fix it.
 */
import * as fs from 'fs';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { errorMessage } from '../errors';
import { clip, quoteClipped } from '../util/clip';
import { specialFileKind } from '../util/file-kind';
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

/** A config is a few dozen lines; anything near this size is not one (and must not cost memory or time to reject). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Anchors and aliases are allowed (a base layer may reuse a list), but a handful of aliases that each repeat the one
 * before (a "billion laughs" alias bomb) would expand to gigabytes: the `yaml` package counts alias expansions
 * against this limit (its default, made explicit).
 */
export const MAX_ALIAS_COUNT = 100;

/** At most this many syntax errors are listed (a binary file read as YAML has thousands). */
const MAX_SYNTAX_ISSUES = 10;

/** Parses YAML text; syntax errors (all of them, with line and column) become one ConfigError. */
export function yamlLayer(text: string, source: string): Layer {
  if (text.includes('\u0000')) {
    throw new ConfigError([{ source, message: 'not a YAML text file: it holds NUL bytes (a binary file?)' }]);
  }
  const lineCounter = new LineCounter();
  // uniqueKeys (the default) makes a repeated key an error instead of letting the last one silently win.
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.slice(0, MAX_SYNTAX_ISSUES).map((e): ConfigIssue => {
      const pos = e.linePos?.[0];
      // The pretty message repeats the position and quotes the text on further lines; keep one line.
      const first = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      return { source, line: pos?.line, column: pos?.col, message: `invalid YAML: ${clip(first, 200)}` };
    });
    if (doc.errors.length > MAX_SYNTAX_ISSUES) {
      issues.push({ source, message: `… and ${doc.errors.length - MAX_SYNTAX_ISSUES} more YAML errors (is this a YAML config file?)` });
    }
    throw new ConfigError(issues);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    // The yaml package throws a ReferenceError for both an alias bomb and an alias without its anchor.
    const why = /excessive alias count/i.test(errorMessage(err))
      ? `its aliases (*name) expand to more than ${MAX_ALIAS_COUNT} copies of their anchors (a YAML alias bomb?)`
      : clip(errorMessage(err), 200);
    throw new ConfigError([{ source, message: `invalid YAML: ${why}` }]);
  }
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

/**
 * Why `file` cannot be read as a config, or null if it can: only a regular file of at most MAX_CONFIG_BYTES is read
 * (a FIFO would block forever, /dev/zero never end, a folder or a huge file is not a config).
 */
export function configFileProblem(file: string): string | null {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    return fileErrorReason(err);
  }
  if (stat.isDirectory()) return 'is a folder, not a file';
  if (!stat.isFile()) return `is ${specialFileKind(stat)}, not a regular file`;
  if (stat.size > MAX_CONFIG_BYTES) return `is ${stat.size} bytes; a config file is at most ${MAX_CONFIG_BYTES} bytes (is this a config file?)`;
  return null;
}

/** Reads and parses a YAML config file; `source` is how messages name it (the path as the user gave it). */
export function fileLayer(file: string, source: string): Layer {
  const refuse = (why: string) => new ConfigError([{ source, message: `cannot read config: ${why}` }]);
  const problem = configFileProblem(file);
  if (problem) throw refuse(problem);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw refuse(fileErrorReason(err));
  }
  return yamlLayer(text, source);
}

function fileErrorReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'ELOOP') return 'a loop of symbolic links';
  if (code === 'ENOTDIR') return 'a part of the path is a file, not a folder';
  if (code === 'EISDIR') return 'is a folder, not a file';
  return clip(errorMessage(err), 200);
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  return `${typeof value} ${typeof value === 'string' ? quoteClipped(value) : clip(String(value))}`;
}
