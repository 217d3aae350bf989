import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { decodeAudio } from '../../src/audio';
import { generate } from '../../src/infer/generate';
import { formatBounds, gridPoints, latentBoxFor, MAX_POINTS, parseBounds, percentileBox } from '../../src/infer/model';
import { countAboveFullScale, normalizeSample, NORMALIZE_PEAK_DBFS, NORMALIZE_RMS_DBFS, writeSample } from '../../src/infer/write';
import { tempDir } from '../helpers/dataset';
import { fakeModel } from './fake-model';
import { userErrorOf } from '../helpers/errors';

beforeAll(async () => {
  await tf.setBackend('cpu');
});


/** 200 training points near the origin and one outlier at z₂ = 240 (the medium relu model of the issue). */
function pointsWithOutlier(): number[][] {
  const points = Array.from({ length: 200 }, (_, i) => [((i % 20) - 10) / 10, (Math.floor(i / 20) - 5) / 10]);
  points.push([0.2, 240]);
  return points;
}

describe('latent bounds', () => {
  test('percentile bounds ignore one outlier that stretches the min–max box', () => {
    const points = pointsWithOutlier();
    const minmax = percentileBox(points, 0, 100);
    expect(minmax.max[1]).toBe(240);
    const p = percentileBox(points, 1, 99);
    // z₂ takes the values −0.5 … 0.4 twenty times each: the 99th percentile is 0.4, far from 240
    expect(p.max[1]).toBeCloseTo(0.4, 12);
    expect(p.min[1]).toBeCloseTo(-0.5, 12);
    expect(p.max[0]).toBeCloseTo(0.9, 12);
  });

  test('the default box of a model is p1-99 of its latent points, and grids follow it', () => {
    const model = fakeModel({ length: 32, sampleRate: 8000, attack: 8, latentPoints: pointsWithOutlier(), bounds: { min: [-1, -0.5], max: [0.9, 240] } });
    const box = latentBoxFor(model.meta);
    expect(box.bounds).toBe('p1-99');
    expect(box.points).toBe(201);
    expect(box.fallback).toBeNull();
    const grid = gridPoints(model.meta, 3, 3, box);
    expect(grid[0]!.point[1]).toBeCloseTo(0.4, 12); // top row at the box's largest z₂, not at 240
    expect(grid[8]!.point[1]).toBeCloseTo(-0.5, 12);
    expect(latentBoxFor(model.meta, { kind: 'minmax' }).max[1]).toBe(240);
  });

  test('falls back to the min–max bounds, and says so, when the model keeps no points', () => {
    const gan = fakeModel({ length: 32, sampleRate: 8000, attack: 8, encoder: false, prior: 'uniform' });
    const box = latentBoxFor(gan.meta, parseBounds('p5-95'));
    expect(box.bounds).toBe('minmax');
    expect(box.requested).toBe('p5-95');
    expect(box.fallback).toMatch(/keeps no training latent points.*--bounds p5-95 falls back to its min–max latent bounds/);
  });

  test('--bounds reads minmax and pLOW-HIGH, and refuses anything else naming the syntax', async () => {
    expect(parseBounds('minmax')).toEqual({ kind: 'minmax' });
    expect(parseBounds('p2.5-97.5')).toEqual({ kind: 'percentile', low: 2.5, high: 97.5 });
    expect(formatBounds(parseBounds('P1-99'))).toBe('p1-99');
    for (const bad of ['p99-1', 'p0-101', '1-99', 'pct']) expect((await userErrorOf(() => parseBounds(bad))).message).toMatch(/pLOW-HIGH/);
  });
});

describe('generate', () => {
  test('--random is capped like --grid, before anything is decoded or written', async () => {
    const model = fakeModel({ length: 32, sampleRate: 8000, attack: 8 });
    const out = path.join(tempDir(), 'many');
    const err = await userErrorOf(() => generate({ model, random: 1e9, out, format: 'float32' }));
    expect(err.message).toBe(`--random 1000000000: at most ${MAX_POINTS} samples per call (the same cap as --grid)`);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('pcm16 clips samples above full scale and warns with the count per file; float32 keeps them', async () => {
    const model = fakeModel({ length: 32, sampleRate: 8000, attack: 8, decoderConstant: 1.445 });
    const warnings: string[] = [];
    const out = path.join(tempDir(), 'grid');
    const s = await generate({ model, grid: '1x2', out, format: 'pcm16', warn: (m) => warnings.push(m) });
    expect(s.clipped.samples).toBe(64);
    expect(s.clipped.files.map((f) => [path.basename(f.file), f.samples])).toEqual([['grid-r0-c0.wav', 32], ['grid-r0-c1.wav', 32]]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^64 sample\(s\) above full scale were clipped in 2 of 2 file\(s\) written as pcm16: .*grid-r0-c0\.wav \(32\).*--normalize/);
    const wav = await decodeAudio(fs.readFileSync(s.files[0]!.file));
    expect(Math.max(...wav.channels[0]!)).toBeLessThanOrEqual(1);

    const float = await generate({ model, grid: '1x2', out: path.join(tempDir(), 'f'), format: 'float32', warn: (m) => warnings.push(m) });
    expect(float.clipped.samples).toBe(0);
    expect(warnings).toHaveLength(1);
  });

  test('--normalize peak writes every file at −1 dBFS peak, so nothing clips', async () => {
    const model = fakeModel({ length: 32, sampleRate: 8000, attack: 8, decoderConstant: 1.445 });
    const warnings: string[] = [];
    const s = await generate({ model, random: 3, out: path.join(tempDir(), 'n'), format: 'pcm24', normalize: 'peak', warn: (m) => warnings.push(m) });
    expect(s.clipped.samples).toBe(0);
    expect(warnings).toEqual([]);
    const wav = await decodeAudio(fs.readFileSync(s.files[0]!.file));
    expect(Math.max(...wav.channels[0]!.map(Math.abs))).toBeCloseTo(10 ** (NORMALIZE_PEAK_DBFS / 20), 6);
  });
});

describe('level normalisation', () => {
  const rms = (x: Float32Array) => Math.sqrt(x.reduce((a, v) => a + v * v, 0) / x.length);
  const peak = (x: Float32Array) => Math.max(...Array.from(x, Math.abs));
  const sine = Float32Array.from({ length: 8000 }, (_, n) => 0.05 * Math.sin((2 * Math.PI * 440 * n) / 8000));

  test('peak: max |x| = −1 dBFS', () => {
    expect(20 * Math.log10(peak(normalizeSample(sine, 'peak').samples))).toBeCloseTo(NORMALIZE_PEAK_DBFS, 5);
  });

  test('loudness: RMS = −20 dBFS for a sine (crest factor 3 dB, peak −17 dBFS)', () => {
    const { samples, limited } = normalizeSample(sine, 'loudness');
    expect(limited).toBe(false);
    expect(20 * Math.log10(rms(samples))).toBeCloseTo(NORMALIZE_RMS_DBFS, 4);
    expect(20 * Math.log10(peak(samples))).toBeCloseTo(NORMALIZE_RMS_DBFS + 20 * Math.log10(Math.SQRT2), 2);
  });

  test('loudness: a click whose RMS target would peak above −1 dBFS is held at −1 dBFS and flagged', () => {
    const click = new Float32Array(8000);
    click[100] = 0.3; // RMS −79 dBFS: +59 dB of gain would put the peak at +48 dBFS
    const { samples, limited } = normalizeSample(click, 'loudness');
    expect(limited).toBe(true);
    expect(20 * Math.log10(peak(samples))).toBeCloseTo(NORMALIZE_PEAK_DBFS, 5);
  });

  test('silence stays silence; writeSample counts clipped samples only for fixed-point formats', () => {
    expect(normalizeSample(new Float32Array(10), 'loudness').samples).toEqual(new Float32Array(10));
    const x = Float32Array.from([0.5, 1, 1.2, -1.5, NaN]);
    expect(countAboveFullScale(x)).toBe(3);
    const dir = tempDir();
    expect(writeSample(path.join(dir, 'a.wav'), x, 8000, { format: 'pcm16' }).clipped).toBe(3);
    expect(writeSample(path.join(dir, 'b.wav'), x, 8000, { format: 'float32' }).clipped).toBe(0);
    expect(writeSample(path.join(dir, 'c.wav'), x.subarray(0, 4), 8000, { format: 'pcm16', normalize: true }).clipped).toBe(0);
  });
});
