import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError } from '../../src/config';

/** A fresh temporary folder with the given files (name → YAML text). */
export function tempConfigs(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sampgen-config-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** The message lines of the ConfigError that `fn` throws (fails the test if it throws anything else). */
export function errorLines(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.message.split('\n');
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}
