import * as fs from 'fs';
import * as path from 'path';

/*
 * Loading the wasm-audio-decoders family (https://github.com/eshaz/wasm-audio-decoders): @wasm-audio-decoders/flac,
 * @wasm-audio-decoders/ogg-vorbis, mpg123-decoder and opus-decoder.
 *
 * Their entry points are ES modules. Node ≥ 20.19 can require() them, but jest's module system on Node 20 cannot
 * ("Must use import to load ES Module"), and process.getBuiltinModule/createRequire are routed through jest too.
 * Each package also ships the very same decoder as a self-contained UMD bundle (dist/<name>.min.js) for script
 * tags; because the packages are "type": "module", Node would load that file as ESM too, so we evaluate it
 * ourselves as a CommonJS-style function. One code path, identical under Node and jest, in the caller's realm (so
 * its Float32Arrays are ordinary Float32Arrays in tests).
 */

// What the decoders' results carry is read by wasm-results.ts, which the static site's page bundles with its own loader.
export { decodeErrors, withoutConsoleErrors } from './wasm-results';
export type { DecoderFrameError } from './wasm-results';

const cache = new Map<string, Record<string, unknown>>();

/**
 * The exports of `packageName`'s UMD bundle `dist/<bundle>`, checked to define each of `names` as a function.
 * Evaluated once per process.
 */
export function loadDecoderBundle<T>(packageName: string, bundle: string, names: readonly string[]): T {
  const key = `${packageName}/${bundle}`;
  let exports = cache.get(key);
  if (!exports) {
    const entry = require.resolve(packageName);
    const bundlePath = path.join(path.dirname(entry), 'dist', bundle);
    const source = fs.readFileSync(bundlePath, 'utf8');
    const mod: { exports: Record<string, unknown> } = { exports: {} };
    // The bundle's UMD header picks the CommonJS branch when `exports` and `module` exist; it requires
    // '@eshaz/web-worker' (a CommonJS package) only for the web-worker variant we do not use.
    const factory = new Function('exports', 'module', 'require', `${source}\n//# sourceURL=${bundlePath}`);
    factory(mod.exports, mod, require);
    for (const name of names) {
      if (typeof mod.exports[name] !== 'function') throw new Error(`${packageName}: ${bundlePath} did not define ${name}`);
    }
    exports = mod.exports;
    cache.set(key, exports);
  }
  return exports as unknown as T;
}
