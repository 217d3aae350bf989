import * as fs from 'fs';
import { encodeWav, WavEncoding } from '../audio';
import { UserError } from '../errors';
import { writeFileAtomic } from '../util/atomic';
import { normalizePeak } from './model';

export const WAV_FORMATS: readonly WavEncoding[] = ['float32', 'pcm16', 'pcm24'];

export function checkWavFormat(format: string): WavEncoding {
  if (!(WAV_FORMATS as readonly string[]).includes(format)) {
    throw new UserError(`--format ${JSON.stringify(format)}: expected one of ${WAV_FORMATS.join(', ')}`);
  }
  return format as WavEncoding;
}

/** Writes one generated sample as a WAV, atomically; refuses to replace an existing file unless `force`. */
export function writeSample(file: string, samples: Float32Array, sampleRate: number, opts: { format: WavEncoding; normalize?: boolean; force?: boolean }): void {
  if (!opts.force && fs.existsSync(file)) throw new UserError(`${file} exists; use --force to overwrite it`);
  writeFileAtomic(file, encodeWav(opts.normalize ? normalizePeak(samples) : samples, sampleRate, opts.format));
}
