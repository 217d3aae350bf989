import { isUserError } from '../../src/errors';
import { evaluateGeneration, evaluateReconstruction, formatMetricsTable, formatMetricValue } from '../../src/eval/summary';
import { Rng } from '../../src/util/rng';

const sr = 48000;
const length = 4800; // 0.1 s keeps every STFT small

/** A drum-like hit: decaying noise through a one-pole low-pass (`smooth` near 1 = dark, 0 = bright). */
function hit(rng: Rng, smooth: number, gain = 0.8): Float32Array {
  const x = new Float32Array(length);
  let y = 0;
  for (let n = 0; n < length; n++) {
    y = smooth * y + (1 - smooth) * rng.normal();
    x[n] = gain * y * Math.exp(-n / 1200) * Math.min(1, n / 48);
  }
  return x;
}

function set(seed: number, count: number, smooth: number): Float32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => hit(rng, smooth, 0.5 + 0.5 * rng.next()));
}

function expectUserError(f: () => unknown, message: RegExp): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(isUserError(caught)).toBe(true);
  expect((caught as Error).message).toMatch(message);
}

const RECONSTRUCTION_KEYS = [
  'count', 'mse', 'mr_stft', 'mr_stft_sc', 'mr_stft_logmag', 'lsd_db',
  'click_onset_db', 'click_onset_db_real', 'click_jump', 'click_jump_real',
  'tail_noise_db', 'tail_noise_db_real', 'hiss_db', 'hiss_vs_real_db', 'hiss_cutoff_hz',
];

describe('evaluateReconstruction', () => {
  const real = set(1, 4, 0.5);

  it('gives 0 distances for a perfect reconstruction, with stable snake_case keys', () => {
    const m = evaluateReconstruction(real, real.map((x) => x.slice()), sr).metrics;
    expect(Object.keys(m)).toEqual(RECONSTRUCTION_KEYS);
    expect(m.count).toBe(4);
    expect(m.mse).toBe(0);
    expect(m.mr_stft).toBe(0);
    expect(m.lsd_db).toBe(0);
    expect(m.hiss_vs_real_db).toBe(0);
    expect(m.click_jump).toBe(m.click_jump_real);
    expect(m.hiss_cutoff_hz).toBe(16000);
    expect(JSON.parse(JSON.stringify(m))).toEqual(m); // every value finite: JSON keeps them all
  });

  it('gives the closed-form MSE of a scaled copy, averaged over pairs', () => {
    const m = evaluateReconstruction(real, real.map((x) => x.map((v) => 0.5 * v)), sr).metrics;
    const expected = real.reduce((s, x) => s + x.reduce((a, v) => a + 0.25 * v * v, 0) / x.length, 0) / real.length;
    expect(m.mse).toBeCloseTo(expected, 10);
    expect(m.mr_stft_sc).toBeCloseTo(0.5, 5);
    expect(m.lsd_db).toBeCloseTo(20 * Math.log10(2), 2);
  });

  it('sees added hiss, a noisy tail and a click', () => {
    const darkReal = set(7, 4, 0.95);
    const rng = new Rng(9);
    const hissy = evaluateReconstruction(darkReal, darkReal.map((x) => x.map((v) => v + 0.02 * rng.normal())), sr).metrics;
    expect(hissy.hiss_vs_real_db).toBeGreaterThan(10);
    expect(hissy.tail_noise_db).toBeGreaterThan(hissy.tail_noise_db_real + 10);
    const clicked = darkReal.map((x) => x.slice());
    clicked[0]![4000]! += 0.3;
    const click = evaluateReconstruction(darkReal, clicked, sr).metrics;
    expect(click.click_jump).toBeGreaterThan(2 * click.click_jump_real);
  });

  it('rejects sets that do not pair up, naming the counts and lengths', () => {
    expectUserError(() => evaluateReconstruction(real, real.slice(1), sr), /3 outputs for 4 inputs/);
    expectUserError(() => evaluateReconstruction(real, real.map((x) => x.subarray(1)), sr), /4799 samples long.*4800/);
    expectUserError(() => evaluateReconstruction(real, real, 0), /sample rate/);
    expectUserError(() => evaluateReconstruction([], [], sr), /at least 1/);
  });
});

describe('evaluateGeneration', () => {
  const dark = set(2, 12, 0.95);
  const bright = set(3, 12, 0.05);
  const real = [...dark, ...bright];

  it('gives 0 distances and no different bin for a copy of the real set', () => {
    const m = evaluateGeneration(real, real.map((x) => x.slice()), sr, new Rng(1), { resamples: 0 }).metrics;
    expect(Object.keys(m)).toEqual([
      'count_real', 'count_generated', 'frechet', 'ndb', 'ndb_fraction', 'ndb_bins',
      'nn_to_real', 'nn_within_generated', 'nn_within_real',
      'click_onset_db', 'click_onset_db_real', 'click_jump', 'click_jump_real',
      'tail_noise_db', 'tail_noise_db_real', 'hiss_db', 'hiss_vs_real_db', 'hiss_cutoff_hz',
    ]);
    expect(m.frechet).toBeLessThan(1e-6);
    expect(m.ndb).toBe(0);
    expect(m.ndb_bins).toBe(2); // 24 real samples: about 10 per bin
    expect(m.nn_to_real).toBe(0); // every generated sample is a real one: memorised
    expect(m.nn_within_generated).toBeCloseTo(m.nn_within_real, 12);
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
  });

  it('ranks a fresh draw of both kinds above a set of only one kind (Fréchet, NDB), without memorisation', () => {
    const fresh = [...set(4, 12, 0.95), ...set(5, 12, 0.05)];
    const collapsed = set(6, 24, 0.95);
    const good = evaluateGeneration(real, fresh, sr, new Rng(1), { resamples: 0 }).metrics;
    const bad = evaluateGeneration(real, collapsed, sr, new Rng(1), { resamples: 0 }).metrics;
    expect(good.ndb).toBe(0);
    expect(bad.ndb).toBe(2);
    expect(bad.ndb_fraction).toBe(1);
    expect(bad.frechet).toBeGreaterThan(2 * good.frechet);
    expect(good.nn_to_real).toBeGreaterThan(0);
  });

  it('rejects sets too small for a covariance or of mixed lengths', () => {
    expectUserError(() => evaluateGeneration(real, [real[0]!], sr, new Rng(1)), /generated set: need at least 2/);
    expectUserError(() => evaluateGeneration(real, [real[0]!, real[1]!.subarray(5)], sr, new Rng(1)), /sample 1 has 4795/);
    expectUserError(() => evaluateGeneration(real, real, sr, new Rng(1), { ndbBins: 30 }), /NDB bins.*\(24\), got 30/);
  });
});

describe('what a generation metric rests on', () => {
  const dark = set(2, 12, 0.95);
  const bright = set(3, 12, 0.05);
  const real = [...dark, ...bright];
  const fresh = [...set(4, 5, 0.95), ...set(5, 5, 0.05)];

  it('counts the real and generated samples behind every key', () => {
    const r = evaluateGeneration(real, fresh, sr, new Rng(1), { resamples: 0 });
    expect(Object.keys(r.counts).sort()).toEqual(Object.keys(r.metrics).filter((k) => k !== 'hiss_cutoff_hz').sort());
    expect(r.counts.frechet).toEqual({ n_real: 24, n_generated: 10 });
    expect(r.counts.ndb_fraction).toEqual({ n_real: 24, n_generated: 10 });
    expect(r.counts.nn_within_generated).toEqual({ n_generated: 10 });
    expect(r.counts.click_jump_real).toEqual({ n_real: 24 });
    expect(r.counts.hiss_vs_real_db).toEqual({ n_real: 24, n_generated: 10 });
    expect(r.intervals).toEqual({});
  });

  it('warns where a set is smaller than a metric needs, and not otherwise', () => {
    const small = evaluateGeneration(real.slice(0, 8), fresh, sr, new Rng(1), { resamples: 0 });
    const keys = small.warnings.map((w) => w.key);
    expect(keys).toEqual(['frechet', 'ndb', '*']);
    expect(small.warnings[0]!.message).toMatch(/8 real and 10 generated.*more than 64 samples/);
    expect(small.warnings[1]!.message).toMatch(/2 bin\(s\) rests on 8 real/);
    const large = (seed: number) => [...set(seed, 33, 0.95), ...set(seed + 1, 33, 0.05)]; // 66: over the 64 features, 6 NDB bins of 11
    const enough = evaluateGeneration(large(10), large(20), sr, new Rng(1), { resamples: 0 });
    expect(enough.warnings).toEqual([]);
  });

  it('gives seeded bootstrap intervals around the set-level values', () => {
    const a = evaluateGeneration(real, fresh, sr, new Rng(1), { resamples: 30 });
    const b = evaluateGeneration(real, fresh, sr, new Rng(1), { resamples: 30 });
    expect(Object.keys(a.intervals).sort()).toEqual(['frechet', 'ndb', 'ndb_fraction', 'nn_to_real']);
    expect(a.intervals).toEqual(b.intervals);
    for (const key of ['frechet', 'nn_to_real']) {
      expect(a.intervals[key]!.low).toBeLessThanOrEqual(a.metrics[key]!);
      expect(a.intervals[key]!.high).toBeGreaterThanOrEqual(a.metrics[key]!);
    }
    expect(a.intervals.ndb!.high).toBeLessThanOrEqual(a.metrics.ndb_bins);
  });

  it('looks for onset clicks before the attack it is given', () => {
    const attack = 2400; // 50 ms in: 50 ms of silence, then the hit
    const place = (x: Float32Array) => {
      const y = new Float32Array(x.length);
      y.set(x.subarray(0, x.length - attack), attack);
      return y;
    };
    const aligned = real.map(place);
    const clicked = aligned.map((x) => {
      const y = x.slice();
      y[300]! += 0.5; // a click in the silent lead-in
      return y;
    });
    const r = evaluateGeneration(aligned, clicked, sr, new Rng(1), { attack, resamples: 0 }).metrics;
    expect(r.click_onset_db_real).toBeLessThan(-60);
    expect(r.click_onset_db - r.click_onset_db_real).toBeGreaterThan(40);
  });

  it('refuses a sample holding NaN, naming it', () => {
    const bad = fresh.map((x) => x.slice());
    bad[3]![17] = NaN;
    expectUserError(() => evaluateGeneration(real, bad, sr, new Rng(1)), /generated set: sample 3 holds NaN at index 17/);
  });
});

describe('formatMetricsTable', () => {
  it('writes one markdown row per model over the union of keys', () => {
    const table = formatMetricsTable([
      { name: 'dense|ae', metrics: { mse: 0.0123456, ndb: 3 } },
      { name: 'vae', metrics: { mse: 2.5e-5, lsd_db: 12.3456, ndb: Number.NaN } },
    ]);
    expect(table).toBe(
      [
        '| model | mse | ndb | lsd_db |',
        '| --- | ---: | ---: | ---: |',
        '| dense\\|ae | 0.01235 | 3 | n/a |',
        '| vae | 2.500e-5 | n/a | 12.35 |',
        '',
      ].join('\n'),
    );
  });

  it('formats values compactly', () => {
    expect(formatMetricValue(0)).toBe('0');
    expect(formatMetricValue(-60.04321)).toBe('-60.04');
    expect(formatMetricValue(1234567.8)).toBe('1.235e+6');
    expect(formatMetricValue(Infinity)).toBe('n/a');
  });
});
