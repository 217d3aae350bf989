import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { OggVorbisDecoder } from '@wasm-audio-decoders/ogg-vorbis';
import { MPEGDecoder } from 'mpg123-decoder';
import { OpusDecoder } from 'opus-decoder';

export { decodeErrors, withoutConsoleErrors } from '../../audio/wasm-results';
export type { DecoderFrameError } from '../../audio/wasm-results';

/*
 * src/audio/wasm-bundle.ts for the browser: scripts/build-page.js bundles this module in its place into the static
 * site's decode worker (as a package.json "browser" field would swap a file), so that src/audio's FLAC, Vorbis, MP3
 * and Opus decoders run unchanged in the page. In Node the decoders evaluate each package's UMD bundle from disk
 * (see wasm-bundle.ts for why); here esbuild bundles the packages' ES modules, the same decoders (same versions,
 * same embedded wasm), so no file is read and nothing is evaluated from a string.
 */

const MODULES: Readonly<Record<string, Record<string, unknown>>> = {
  '@wasm-audio-decoders/flac': { FLACDecoder },
  '@wasm-audio-decoders/ogg-vorbis': { OggVorbisDecoder },
  'mpg123-decoder': { MPEGDecoder },
  'opus-decoder': { OpusDecoder },
};

/** The exports of `packageName` that the decoders use, checked to define each of `names` as a function (as wasm-bundle.ts checks). */
export function loadDecoderBundle<T>(packageName: string, _bundle: string, names: readonly string[]): T {
  const exports = MODULES[packageName];
  if (!exports) throw new Error(`${packageName}: not bundled into the page's decode worker (src/audition/browser/wasm-modules.ts)`);
  for (const name of names) {
    if (typeof exports[name] !== 'function') throw new Error(`${packageName}: the bundled module does not define ${name}`);
  }
  return exports as unknown as T;
}
