import * as fs from 'fs';
import * as path from 'path';

/**
 * Turning a request path into a file the server may send, or null (the server answers 404 to null, whatever the
 * reason, so that a probe learns nothing about what exists outside).
 *
 * Hand-written rather than through a static-file package because the rules are few and must be exact: the raw
 * path (before any decoding) may not contain a backslash, an encoded slash or backslash (%2f, %5c), an encoded
 * NUL or a dot segment; each decoded segment must be a plain name (no leading dot: no `..`, no hidden files); and
 * the file's real path, symlinks resolved, must lie inside the real path of the root it was asked under.
 */

/**
 * A plain file or folder name: no leading dot (so no `.`, `..` or hidden files), no control characters, no
 * separators or characters that mean something to some file system (`\ / : * ? " < > |`). Unicode is fine.
 */
const SAFE_SEGMENT = /^[^.\x00-\x1f\x7f\\/:*?"<>|][^\x00-\x1f\x7f\\/:*?"<>|]*$/u;

/** Whether `name` may be one segment of a served path (see SAFE_SEGMENT). */
export function isSafeName(name: string): boolean {
  return SAFE_SEGMENT.test(name);
}

/**
 * Splits a raw URL path (without the query) into decoded, checked segments, or null when any rule is broken.
 * `'/models/a/b.json'` → `['models', 'a', 'b.json']`; `'/'` → `[]`.
 */
export function safeSegments(rawPath: string): string[] | null {
  if (!rawPath.startsWith('/')) return null;
  if (rawPath.includes('\\') || /%(2f|5c|00)/i.test(rawPath)) return null;
  const rawSegments = rawPath.slice(1).split('/');
  // A trailing slash ('/models/') names the same thing as without it; an empty segment elsewhere ('//x') does not.
  if (rawSegments.length > 1 && rawSegments[rawSegments.length - 1] === '') rawSegments.pop();
  if (rawSegments.length === 1 && rawSegments[0] === '') return [];
  const out: string[] = [];
  for (const raw of rawSegments) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return null; // malformed percent-encoding
    }
    if (!isSafeName(seg)) return null;
    out.push(seg);
  }
  return out;
}

/**
 * The real path of `root/segments…` when it is an existing regular file whose real path lies inside root's real
 * path; otherwise null. Symlinks inside root that point inside root are followed; any that lead out are refused.
 */
export function resolveInside(root: string, segments: readonly string[]): string | null {
  let realRoot: string;
  let real: string;
  try {
    realRoot = fs.realpathSync(root);
    real = fs.realpathSync(path.join(realRoot, ...segments));
  } catch {
    return null;
  }
  if (!real.startsWith(realRoot + path.sep)) return null;
  try {
    if (!fs.statSync(real).isFile()) return null;
  } catch {
    return null;
  }
  return real;
}

/** Like resolveInside, for a folder (a model folder under --models). */
export function resolveDirInside(root: string, segments: readonly string[]): string | null {
  try {
    const realRoot = fs.realpathSync(root);
    const real = fs.realpathSync(path.join(realRoot, ...segments));
    if (!real.startsWith(realRoot + path.sep) || !fs.statSync(real).isDirectory()) return null;
    return real;
  } catch {
    return null;
  }
}
