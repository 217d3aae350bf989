import * as fs from 'fs';
import * as path from 'path';

/** The part of @wasm-audio-decoders/flac that we use (see its types.d.ts). */
export interface FlacFrameError {
  message: string;
  frameNumber: number;
  inputBytes: number;
  outputSamples: number;
}
export interface FlacDecodeResult {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  bitDepth: number;
  errors?: FlacFrameError[];
}
export interface FlacDecoderInstance {
  ready: Promise<void>;
  decodeFrames(frames: Uint8Array[]): Promise<FlacDecodeResult>;
  reset(): Promise<void>;
  free(): void;
}
export interface FlacModule {
  FLACDecoder: new () => FlacDecoderInstance;
}

let cached: FlacModule | undefined;

/**
 * Load @wasm-audio-decoders/flac.
 *
 * The package's entry point is an ES module. Node ≥ 20.19 can require() it, but jest's module system on Node 20
 * cannot ("Must use import to load ES Module"), and process.getBuiltinModule/createRequire are routed through
 * jest too. The package also ships the very same decoder as a self-contained UMD bundle
 * (dist/flac-decoder.min.js) for script tags; because the package is "type": "module", Node would load that file as
 * ESM too, so we evaluate it ourselves as a CommonJS-style function. One code path, identical under Node and jest,
 * in the caller's realm (so its Float32Arrays are ordinary Float32Arrays in tests).
 */
export function loadFlacModule(): FlacModule {
  if (cached) return cached;
  const entry = require.resolve('@wasm-audio-decoders/flac');
  const bundlePath = path.join(path.dirname(entry), 'dist', 'flac-decoder.min.js');
  const source = fs.readFileSync(bundlePath, 'utf8');
  const mod: { exports: Record<string, unknown> } = { exports: {} };
  // The bundle's UMD header picks the CommonJS branch when `exports` and `module` exist; it requires
  // '@eshaz/web-worker' (a CommonJS package) only for the web-worker variant we do not use.
  const factory = new Function('exports', 'module', 'require', `${source}\n//# sourceURL=${bundlePath}`);
  factory(mod.exports, mod, require);
  if (typeof mod.exports.FLACDecoder !== 'function') {
    throw new Error(`@wasm-audio-decoders/flac: ${bundlePath} did not define FLACDecoder`);
  }
  cached = mod.exports as unknown as FlacModule;
  return cached;
}

const KNOWN_RESULT_KEYS = new Set(['channelData', 'samplesDecoded', 'sampleRate', 'bitDepth']);

/**
 * The frame errors of a decode result. The package's minified bundle (0.2.11) mangles the `errors` property name
 * (to `U`), unlike its ES module build, so we accept `errors` or the one other array-valued property. If neither
 * exists we fail loudly rather than silently stop checking for corrupt frames; test/audio covers this with a
 * corrupted frame.
 */
export function frameErrors(result: FlacDecodeResult): FlacFrameError[] {
  if (Array.isArray(result.errors)) return result.errors;
  const candidates = Object.entries(result).filter(([key, value]) => !KNOWN_RESULT_KEYS.has(key) && Array.isArray(value));
  if (candidates.length !== 1) {
    throw new Error('@wasm-audio-decoders/flac: cannot find the errors array in the decode result (package changed?)');
  }
  return candidates[0][1] as FlacFrameError[];
}
