import { decodeErrors, DecoderFrameError, loadDecoderBundle } from './wasm-bundle';

/** The part of @wasm-audio-decoders/flac that we use (see its types.d.ts). */
export type FlacFrameError = DecoderFrameError;
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

/** Load @wasm-audio-decoders/flac from its UMD bundle (see wasm-bundle.ts for why). */
export function loadFlacModule(): FlacModule {
  return loadDecoderBundle<FlacModule>('@wasm-audio-decoders/flac', 'flac-decoder.min.js', ['FLACDecoder']);
}

/** The frame errors of a decode result (the bundle mangles the `errors` name; see decodeErrors). */
export function frameErrors(result: FlacDecodeResult): FlacFrameError[] {
  return decodeErrors(result, '@wasm-audio-decoders/flac');
}
