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

/** An error the decoders report per frame or packet (see @wasm-audio-decoders/common's DecodeError). */
export interface DecoderFrameError {
  message: string;
  frameNumber: number;
  inputBytes: number;
  outputSamples: number;
}

/**
 * The errors array of a decode result. The minified bundles mangle the `errors` property name (to a one-letter
 * name that differs from package to package), unlike their ES module builds, so we accept `errors` or the one
 * other array-valued property besides the known ones. If neither exists we fail loudly rather than silently stop
 * checking for corrupt frames; the tests cover this with a corrupted frame for each format.
 */
export function decodeErrors(result: object, packageName: string, knownArrayKeys: readonly string[] = ['channelData']): DecoderFrameError[] {
  const record = result as Record<string, unknown>;
  if (Array.isArray(record.errors)) return record.errors as DecoderFrameError[];
  const candidates = Object.entries(record).filter(([key, value]) => !knownArrayKeys.includes(key) && Array.isArray(value));
  if (candidates.length !== 1) throw new Error(`${packageName}: cannot find the errors array in the decode result (package changed?)`);
  return candidates[0]![1] as DecoderFrameError[];
}

/**
 * Runs `call` with console.error silenced. The decoders print each error they also return (which we turn into our
 * own message), which would litter preprocessing's output. Only for calls that do all their work synchronously
 * (the promise they may return is settled by then), so that nobody else's output can be swallowed.
 */
export function withoutConsoleErrors<T>(call: () => T): T {
  const originalError = console.error;
  try {
    console.error = () => undefined;
    return call();
  } finally {
    console.error = originalError;
  }
}
