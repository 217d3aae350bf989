/*
 * Reading what the wasm-audio-decoders family returns, shared by the Node loader (wasm-bundle.ts) and the static
 * site's browser loader (src/audition/site-page/wasm-modules.ts); no Node module is imported here.
 */

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
