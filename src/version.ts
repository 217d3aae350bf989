import * as fs from 'fs';
import * as path from 'path';

function readVersion(name: string, fromDir: string): string {
  try {
    const file = require.resolve(`${name}/package.json`, { paths: [fromDir] });
    return JSON.parse(fs.readFileSync(file, 'utf8')).version as string;
  } catch {
    return 'unknown';
  }
}

const packageRoot = path.resolve(__dirname, '..');

/** sampgen's own version, from package.json (works from src/ under jest and from dist/). */
export const VERSION: string = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')).version;

/** The version of an installed package, or 'unknown'. */
export function packageVersion(name: string): string {
  return readVersion(name, packageRoot);
}

export const PACKAGE_ROOT = packageRoot;
