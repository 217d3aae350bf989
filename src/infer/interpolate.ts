import * as path from 'path';
import { WavEncoding } from '../audio';
import { writeFileAtomic } from '../util/atomic';
import { preprocessForModel } from './encode';
import { decodePoints, encodeRows, linePoints, OpenedModel } from './model';
import { interpolationSheet } from './sheets';
import { levelReport, GenerateSummary } from './generate';
import { NormalizeMode, writeSample } from './write';

export interface InterpolateOptions {
  model: OpenedModel;
  /** The two audio files, preprocessed like the model's dataset and encoded. */
  a: string;
  b: string;
  /** Points on the line, both ends included (≥ 2). */
  steps: number;
  /** Output folder: step-0.wav … and interpolation.png. */
  out: string;
  format: WavEncoding;
  normalize?: boolean | NormalizeMode;
  force?: boolean;
  /** Clipping (pcm16/pcm24) is warned about, peak-limited loudness said, as `generate` does. */
  warn?: (m: string) => void;
  info?: (m: string) => void;
}

export interface InterpolateSummary {
  a: string;
  b: string;
  files: { file: string; z: number[] }[];
  contact_sheet: string;
  clipped: GenerateSummary['clipped'];
  peak_limited: string[];
}

/** `sampgen interpolate`: encodes two files and decodes the straight line between their latent points. */
export async function interpolate(opts: InterpolateOptions): Promise<InterpolateSummary> {
  const { model } = opts;
  const rows = [await preprocessForModel(opts.a, model.meta), await preprocessForModel(opts.b, model.meta)];
  const [za, zb] = encodeRows(model, rows);
  const points = linePoints(za!, zb!, opts.steps);
  const samples = decodePoints(model, points);
  const digits = String(points.length - 1).length;
  const written = points.map((z, k) => {
    const file = path.join(opts.out, `step-${String(k).padStart(digits, '0')}.wav`);
    return { file, z, report: writeSample(file, samples[k]!, model.meta.sample_rate, opts) };
  });
  const files = written.map(({ file, z }) => ({ file, z }));
  const sheet = path.join(opts.out, 'interpolation.png');
  writeFileAtomic(sheet, interpolationSheet(model.meta, samples, points, `${path.basename(opts.a)} → ${path.basename(opts.b)}`));
  return { a: opts.a, b: opts.b, files, contact_sheet: sheet, ...levelReport(written, opts) };
}
