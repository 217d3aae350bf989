import { zipSync } from 'fflate';
import { encodeWav, WavEncoding } from '../../audio/encode';
import { dbToGain, NORMALISE_PEAK_DBFS, peakOf } from './sound';

/**
 * A kit: sounds as WAV files in a zip (fflate, pinned: a small, well-kept zip writer that runs in the page), with
 * kit.json saying what each file is (the model and its version, the point, the condition, the sound controls) so
 * that the kit can be made again. WAVs are 16- or 24-bit PCM, which hardware samplers read (or 32-bit float), and
 * optionally peak-normalised to NORMALISE_PEAK_DBFS. PCM conversion is src/audio/encode.ts's, the inverse of
 * sampgen's decoder.
 */

export type KitFormat = WavEncoding;

export const KIT_FORMATS: readonly { value: KitFormat; label: string; bits: number }[] = [
  { value: 'pcm16', label: '16-bit', bits: 16 },
  { value: 'pcm24', label: '24-bit', bits: 24 },
  { value: 'float32', label: '32-bit float', bits: 32 },
];

export interface KitOptions {
  format: KitFormat;
  /** Scale each file's peak to NORMALISE_PEAK_DBFS (after the sound controls). */
  normalise: boolean;
}

export interface KitSound {
  /** The file's name (sampleFileName: model and point); repeated names get -2, -3 … */
  name: string;
  /** The sound with its controls applied (sound.ts renderSound). */
  samples: Float32Array;
  sampleRate: number;
  /** What kit.json says about it besides the file: model, point, condition, sound controls. */
  about: Record<string, unknown>;
}

export interface KitFile {
  file: string;
  format: KitFormat;
  sample_rate: number;
  frames: number;
  /** The written file's peak in dBFS (after normalisation, before quantisation). */
  peak_dbfs: number | null;
  /** Whether PCM had to clip samples beyond full scale. */
  clipped: boolean;
}

/** Samples as the kit writes them: normalised when asked (a new array; silence stays silence). */
export function kitSamples(samples: Float32Array, normalise: boolean): Float32Array {
  if (!normalise) return samples;
  const peak = peakOf(samples);
  if (peak === 0) return samples;
  const scale = dbToGain(NORMALISE_PEAK_DBFS) / peak;
  return samples.map((x) => x * scale);
}

/** `name`, or `name` with -2, -3 … before its extension when an earlier file took it. */
export function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let k = 2; taken.has(candidate.toLowerCase()); k++) candidate = `${stem}-${k}${ext}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

/** The zip's bytes and kit.json's content. `created`: an ISO time; `page`: which page made it ("sampgen 0.1.0"). */
export function buildKit(sounds: readonly KitSound[], options: KitOptions, made: { created: string; page: string }): { zip: Uint8Array; manifest: Record<string, unknown> } {
  const files: Record<string, Uint8Array> = {};
  const taken = new Set<string>(['kit.json']);
  const entries: (KitFile & Record<string, unknown>)[] = [];
  for (const sound of sounds) {
    const samples = kitSamples(sound.samples, options.normalise);
    const peak = peakOf(samples);
    const file = uniqueName(sound.name, taken);
    files[file] = encodeWav(samples, sound.sampleRate, options.format);
    entries.push({
      file,
      format: options.format,
      sample_rate: sound.sampleRate,
      frames: samples.length,
      peak_dbfs: peak > 0 ? Math.round(2000 * Math.log10(peak)) / 100 : null,
      clipped: options.format !== 'float32' && peak > 1,
      ...sound.about,
    });
  }
  const manifest = {
    format: 'sampgen-kit',
    version: 1,
    created: made.created,
    made_by: made.page,
    wav: {
      encoding: options.format,
      bits: KIT_FORMATS.find((f) => f.value === options.format)!.bits,
      normalised_to_dbfs: options.normalise ? NORMALISE_PEAK_DBFS : null,
    },
    sounds: entries,
  };
  files['kit.json'] = new TextEncoder().encode(JSON.stringify(manifest, null, 2) + '\n');
  return { zip: zipSync(files, { level: 6 }), manifest };
}
