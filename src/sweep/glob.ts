/**
 * Expanding the `configs:` patterns of a grid file. Hand-written because Node 20 has no fs.glob,
 * path.matchesGlob prints an "experimental" warning on every use, and no glob package is a dependency. Only what
 * a list of config files needs: `*`, `?` and `[...]` inside one path segment (no `**`, no braces).
 */
import * as fs from 'fs';
import * as path from 'path';

export function hasMagic(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** A regular expression for one path segment (`ae-*.yaml`). */
export function segmentRegExp(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let body = segment.slice(i + 1, end);
        if (body.startsWith('!')) body = '^' + body.slice(1);
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * The files matching `pattern` (a path that may contain wildcards in any segment), sorted by name within each
 * wildcard so the result never depends on the order readdir returns. Hidden entries match only a pattern
 * segment that starts with a dot, as in a shell.
 */
export function expandGlob(pattern: string): string[] {
  if (pattern.split(/[\\/]/).includes('**')) throw new Error('** is not supported');
  const abs = path.isAbsolute(pattern);
  const segments = pattern.split(/[\\/]+/).filter((s, i) => s !== '' || (i === 0 && abs));
  let current: string[] = [abs ? path.sep : ''];
  segments.forEach((segment, i) => {
    if (abs && i === 0) return;
    const last = i === segments.length - 1;
    const next: string[] = [];
    for (const base of current) {
      if (!hasMagic(segment)) {
        next.push(base === '' ? segment : path.join(base, segment));
        continue;
      }
      const dir = base === '' ? '.' : base;
      let names: string[];
      try {
        names = fs.readdirSync(dir).sort();
      } catch {
        continue;
      }
      const re = segmentRegExp(segment);
      for (const name of names) {
        if (name.startsWith('.') && !segment.startsWith('.')) continue;
        if (!re.test(name)) continue;
        const full = base === '' ? name : path.join(base, name);
        if (!last && !isDir(full)) continue;
        next.push(full);
      }
    }
    current = next;
  });
  return current.filter((f) => f !== '' && isFile(f));
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}
