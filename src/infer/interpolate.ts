import * as path from 'path';
import { WavEncoding } from '../audio';
import { writeFileAtomic } from '../util/atomic';
import { preprocessFileWithLevels } from './encode';
import { UserError } from '../errors';
import { conditionOfFile, describeRequest } from './condition';
import { ConditionLayout, conditionVector } from '../models/condition';
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
  /** A conditional model: the files' classes when their names do not say them. */
  classA?: string;
  classB?: string;
  /** Clipping (pcm16/pcm24) is warned about, peak-limited loudness said, as `generate` does. */
  warn?: (m: string) => void;
  info?: (m: string) => void;
}

export interface InterpolateSummary {
  a: string;
  b: string;
  /** A conditional model: each step's condition vector too (sampgen.json's condition says its layout). */
  files: { file: string; z: number[]; condition?: number[] }[];
  contact_sheet: string;
  clipped: GenerateSummary['clipped'];
  peak_limited: string[];
}

/** `sampgen interpolate`: encodes two files and decodes the straight line between their latent points. */
export async function interpolate(opts: InterpolateOptions): Promise<InterpolateSummary> {
  const { model } = opts;
  const ends = [await preprocessFileWithLevels(opts.a, model.meta), await preprocessFileWithLevels(opts.b, model.meta)];
  const layout = model.meta.condition;
  if (!layout && (opts.classA !== undefined || opts.classB !== undefined)) {
    throw new UserError(`model ${model.meta.name} is not conditional: --class-a and --class-b cannot apply`);
  }
  // A conditional model: each file with its own class (from its name, or --class-a/--class-b) and level, and the
  // condition moves along the line with the latent (a kick into a snare passes through their mixes).
  const conditions = layout
    ? [conditionOfFile(model.meta, opts.a, ends[0]!.levels, opts.classA), conditionOfFile(model.meta, opts.b, ends[1]!.levels, opts.classB)].map((r) => conditionVector(layout, r!))
    : undefined;
  const [za, zb] = encodeRows(model, ends.map((e) => e.row), true, conditions);
  const points = linePoints(za!, zb!, opts.steps);
  const lineConditions = conditions ? linePoints(Array.from(conditions[0]!), Array.from(conditions[1]!), opts.steps).map((c) => Float32Array.from(c)) : undefined;
  if (layout) opts.info?.(`conditioned from ${describeVector(layout, conditions![0]!)} to ${describeVector(layout, conditions![1]!)}`);
  const samples = decodePoints(model, points, 64, lineConditions);
  const digits = String(points.length - 1).length;
  const written = points.map((z, k) => {
    const file = path.join(opts.out, `step-${String(k).padStart(digits, '0')}.wav`);
    return { file, z, report: writeSample(file, samples[k]!, model.meta.sample_rate, opts) };
  });
  const files = written.map(({ file, z }, k) => ({ file, z, ...(lineConditions ? { condition: Array.from(lineConditions[k]!, (v) => Math.round(v * 1e4) / 1e4) } : {}) }));
  const sheet = path.join(opts.out, 'interpolation.png');
  writeFileAtomic(sheet, interpolationSheet(model.meta, samples, points, `${path.basename(opts.a)} → ${path.basename(opts.b)}`));
  return { a: opts.a, b: opts.b, files, contact_sheet: sheet, ...levelReport(written, opts) };
}

/** A condition vector in words (the request it encodes). */
function describeVector(layout: ConditionLayout, vector: Float32Array): string {
  const mix = layout.classes ? Object.fromEntries(layout.classes.map((c, i) => [c, vector[i]!] as const).filter(([, w]) => w > 0)) : undefined;
  return describeRequest(layout, { mix, velocity: layout.velocity ? vector[vector.length - 1] : undefined });
}
