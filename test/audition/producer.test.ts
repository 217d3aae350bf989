import { unzipSync } from 'fflate';
import { AudioTooLongError, decodeAudio, encodeWav } from '../../src/audio';
import { preprocessUpload, UnusableUpload } from '../../src/audition/upload-chain';
import { loadFavourites, saveFavourites, FAVOURITES_KEY, Favourite } from '../../src/audition/page/favourites';
import { sampleFileName } from '../../src/audition/page/filename';
import { UndoHistory } from '../../src/audition/page/history';
import { buildKit, KitSound, uniqueName } from '../../src/audition/page/kit';
import { fileTooLarge, plainDropError } from '../../src/audition/page/messages';
import { cardRows, lossText } from '../../src/audition/page/model-card';
import { nearestPoint } from '../../src/audition/page/nearest';
import { dragPlayOf, emptyPattern, noteMs, playsOnDecode, Sequencer, stepSeconds, stepTime } from '../../src/audition/page/sequencer';
import { DEFAULT_SOUND, renderSound } from '../../src/audition/page/sound';
import { parseShared, shareQuery } from '../../src/audition/page/url-state';

/**
 * The producer's half of the audition page (issue 14) as pure functions, checked in Node against references written
 * here: the sound controls, the sequencer's step times, the kit's zip and WAVs (read back by a parser of this file,
 * not src/audio's), shared links, undo, the nearest training point, plain-words errors and the model card.
 */

describe('sound controls', () => {
  const sr = 1000;
  const x = Float32Array.from({ length: 100 }, (_, i) => 0.5 * Math.sin(i / 3) * Math.exp(-i / 40));

  test('defaults leave the decode as it is (a copy)', () => {
    const y = renderSound(x, sr, DEFAULT_SOUND);
    expect(Array.from(y)).toEqual(Array.from(x));
    expect(y).not.toBe(x);
  });

  test('length trim cuts with a linear fade over 10 ms, then normalises the peak to −1 dBFS, then applies the gain', () => {
    const y = renderSound(x, sr, { lengthMs: 50, normalise: true, gainDb: -6 });
    // Reference in float64: 50 samples kept; the last 10 faded by (10 − k)/10; peak to 10^(−1/20); × 10^(−6/20).
    const kept = Array.from(x.slice(0, 50), (v, i) => (i >= 40 ? (v * (10 - (i - 40))) / 10 : v));
    const peak = Math.max(...kept.map(Math.abs));
    const expected = kept.map((v) => (v * 10 ** (-1 / 20) * 10 ** (-6 / 20)) / peak);
    expect(y).toHaveLength(50);
    y.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    expect(Math.max(...Array.from(y, Math.abs))).toBeCloseTo(10 ** (-7 / 20), 6);
  });

  test('a silent decode stays silent when normalised; a trim never keeps less than one sample', () => {
    expect(Array.from(renderSound(new Float32Array(10), sr, { ...DEFAULT_SOUND, normalise: true }))).toEqual(Array(10).fill(0));
    expect(renderSound(x, sr, { ...DEFAULT_SOUND, lengthMs: 0.1 })).toHaveLength(1);
  });
});

describe('sequencer timing', () => {
  test('sixteenths at the tempo; swing delays the off-beats by (2·swing/100 − 1) of a step', () => {
    expect(stepSeconds(120)).toBe(0.125);
    expect(stepTime(10, 4, 120, 50)).toBe(10.5);
    expect(stepTime(10, 3, 120, 50)).toBe(10.375);
    // 66.67 % swing: the off-beat lands at two thirds of the pair (a triplet feel).
    expect(stepTime(0, 1, 120, 200 / 3)).toBeCloseTo((2 / 3) * 0.25, 12);
    expect(stepTime(0, 2, 120, 75)).toBe(0.25);
    expect(noteMs(120, 8)).toBe(250);
    expect(noteMs(90, 16)).toBeCloseTo(166.667, 3);
  });

  test('a drag retriggers at most once per note of the chosen division, or only when let go', () => {
    // 120 BPM: an eighth is 250 ms, a sixteenth 125 ms.
    expect(playsOnDecode('drag', 8, 120, 249)).toBe(false);
    expect(playsOnDecode('drag', 8, 120, 250)).toBe(true);
    expect(playsOnDecode('drag', 16, 120, 130)).toBe(true);
    expect(playsOnDecode('drag', 4, 60, 999)).toBe(false);
    expect(playsOnDecode('press', 8, 120, 0)).toBe(true);
    for (const g of ['press', 'drag'] as const) expect(playsOnDecode(g, 'release', 120, 1e9)).toBe(false);
    for (const mode of ['release', 4, 8, 16] as const) expect(playsOnDecode('release', mode, 120, 0)).toBe(true);
    expect(playsOnDecode('other', 'release', 120, 0)).toBe(true);
    expect(['release', '4', '8', '16', 'junk'].map(dragPlayOf)).toEqual(['release', 4, 8, 16, 8]);
  });

  describe('the scheduler', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    function run(setup: (s: Sequencer) => void, seconds: number, midway?: (s: Sequencer) => void) {
      let clock = 5;
      const hits: { pad: number; when: number }[] = [];
      const s = new Sequencer({ now: () => clock, trigger: (pad, when) => (hits.push({ pad, when }), true) });
      s.pattern = emptyPattern();
      setup(s);
      s.start();
      for (let t = 0; t < seconds * 40; t++) {
        clock += 0.025;
        jest.advanceTimersByTime(25);
        if (t === Math.floor(seconds * 20)) midway?.(s);
      }
      const startedAt = s.startedAt!;
      s.stop();
      return { hits, startedAt, queued: s.queued };
    }

    test('queues each pad of each step at its step time, ahead of the clock, bar after bar', () => {
      const { hits, startedAt, queued } = run((s) => {
        s.setBpm(150);
        s.setSwing(60);
        s.pattern[0]![0] = s.pattern[0]![8] = true;
        s.pattern[3]![3] = true;
      }, 2);
      expect(startedAt).toBeCloseTo(5.06, 12);
      const expected: { pad: number; when: number }[] = [];
      for (let n = 0; n < queued; n++) {
        const step = n % 16;
        if (step === 0 || step === 8) expected.push({ pad: 0, when: stepTime(startedAt, n, 150, 60) });
        if (step === 3) expected.push({ pad: 3, when: stepTime(startedAt, n, 150, 60) });
      }
      expect(queued).toBeGreaterThan(16); // more than a bar in 2 s at 150 BPM
      expect(hits.map((h) => h.pad)).toEqual(expected.map((h) => h.pad));
      hits.forEach((h, i) => expect(h.when).toBeCloseTo(expected[i]!.when, 9));
    });

    test('a tempo change bends the grid from the next step on', () => {
      const { hits } = run((s) => s.pattern[0]!.fill(true), 1.2, (s) => s.setBpm(60));
      const gaps = hits.slice(1).map((h, i) => h.when - hits[i]!.when);
      expect(gaps[0]).toBeCloseTo(stepSeconds(120), 9);
      expect(gaps[gaps.length - 1]).toBeCloseTo(stepSeconds(60), 9);
      expect(gaps.every((g) => Math.abs(g - stepSeconds(120)) < 1e-9 || Math.abs(g - stepSeconds(60)) < 1e-9)).toBe(true);
    });
  });
});

/** A WAV's format fields and samples, read here byte by byte (canonical 44-byte PCM or float header). */
function readWav(bytes: Uint8Array): { format: number; channels: number; rate: number; bits: number; samples: number[] } {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = (o: number) => String.fromCharCode(...bytes.subarray(o, o + 4));
  expect(text(0)).toBe('RIFF');
  expect(text(8)).toBe('WAVE');
  let o = 12;
  let fmt = { format: 0, channels: 0, rate: 0, bits: 0 };
  while (o + 8 <= bytes.length) {
    const id = text(o);
    const size = v.getUint32(o + 4, true);
    if (id === 'fmt ') fmt = { format: v.getUint16(o + 8, true), channels: v.getUint16(o + 10, true), rate: v.getUint32(o + 12, true), bits: v.getUint16(o + 22, true) };
    if (id === 'data') {
      const samples: number[] = [];
      const step = fmt.bits / 8;
      for (let p = o + 8; p < o + 8 + size; p += step) {
        if (fmt.format === 3) samples.push(v.getFloat32(p, true));
        else if (fmt.bits === 16) samples.push(v.getInt16(p, true) / 32768);
        else samples.push((((bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16)) << 8) >> 8) / 8388608);
      }
      return { ...fmt, samples };
    }
    o += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}

describe('kit export', () => {
  const sr = 8000;
  const quiet = Float32Array.from({ length: 64 }, (_, i) => 0.05 * Math.sin(i / 2));
  const loud = Float32Array.from({ length: 32 }, (_, i) => (i === 3 ? 1.4 : 0.3 * Math.cos(i)));
  const sounds: KitSound[] = [
    { name: sampleFileName('snare', [0.3, -0.5]), samples: quiet, sampleRate: sr, about: { point: [0.3, -0.5] } },
    { name: sampleFileName('snare', [0.3, -0.5]), samples: loud, sampleRate: sr, about: { point: [0.3, -0.5004] } },
  ];
  const made = { created: '2026-01-02T03:04:05.000Z', page: 'sampgen test' };

  test('16-bit, normalised: every WAV is PCM at the model rate with its peak at −1 dBFS; kit.json lists them', () => {
    const { zip } = buildKit(sounds, { format: 'pcm16', normalise: true }, made);
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual(['kit.json', 'snare_z0.300_-0.500-2.wav', 'snare_z0.300_-0.500.wav']);
    const kit = JSON.parse(new TextDecoder().decode(files['kit.json']));
    expect(kit).toEqual(expect.objectContaining({ format: 'sampgen-kit', version: 1, created: made.created, made_by: 'sampgen test' }));
    expect(kit.wav).toEqual({ encoding: 'pcm16', bits: 16, normalised_to_dbfs: -1 });
    expect(kit.sounds.map((s: { file: string; point: number[] }) => [s.file, s.point])).toEqual([
      ['snare_z0.300_-0.500.wav', [0.3, -0.5]],
      ['snare_z0.300_-0.500-2.wav', [0.3, -0.5004]],
    ]);
    for (const [file, source] of [['snare_z0.300_-0.500.wav', quiet], ['snare_z0.300_-0.500-2.wav', loud]] as const) {
      const wav = readWav(files[file]!);
      expect(wav).toEqual(expect.objectContaining({ format: 1, channels: 1, rate: sr, bits: 16 }));
      const peak = Math.max(...Array.from(source, Math.abs));
      const target = Array.from(source, (x) => (x * 10 ** (-1 / 20)) / peak);
      wav.samples.forEach((v, i) => expect(Math.abs(v - target[i]!)).toBeLessThanOrEqual(0.5 / 32768 + 1e-7));
      expect(Math.max(...wav.samples.map(Math.abs))).toBeCloseTo(10 ** (-1 / 20), 4);
    }
    expect(kit.sounds.every((s: { clipped: boolean; peak_dbfs: number }) => !s.clipped && s.peak_dbfs === -1)).toBe(true);
  });

  test('24-bit as rendered: levels kept, samples beyond full scale clipped and said so', () => {
    const { zip, manifest } = buildKit(sounds, { format: 'pcm24', normalise: false }, made);
    const files = unzipSync(zip);
    const quietWav = readWav(files['snare_z0.300_-0.500.wav']!);
    expect(quietWav.bits).toBe(24);
    quietWav.samples.forEach((v, i) => expect(Math.abs(v - quiet[i]!)).toBeLessThanOrEqual(0.5 / 8388608 + 1e-9));
    const loudWav = readWav(files['snare_z0.300_-0.500-2.wav']!);
    expect(loudWav.samples[3]).toBe(8388607 / 8388608);
    expect((manifest.sounds as { clipped: boolean }[]).map((s) => s.clipped)).toEqual([false, true]);
    expect((manifest.wav as { normalised_to_dbfs: number | null }).normalised_to_dbfs).toBeNull();
  });

  test('repeated names get -2, -3 …, case-insensitively, and never kit.json', () => {
    const taken = new Set(['kit.json']);
    expect(['a.wav', 'A.wav', 'a.wav', 'kit.json'].map((n) => uniqueName(n, taken))).toEqual(['a.wav', 'A-2.wav', 'a-3.wav', 'kit-2.json']);
  });
});

describe('shared links', () => {
  test('the point comes back exactly, with the condition and the sound controls', () => {
    const point = [0.1 + 0.2, -1 / 3, 1e-9, 12345.678901234567];
    const q = shareQuery('drums', point, { classA: 'snare', classB: 'kick', blend: 0.25, velocity: 0.8 }, { gainDb: -4.5, normalise: true, lengthMs: 120 }, new URLSearchParams('backend=cpu&z=1,2'));
    const { state, problems } = parseShared(new URLSearchParams(q));
    expect(problems).toEqual([]);
    expect(state.model).toBe('drums');
    expect(state.point).toEqual(point);
    expect(state.choice).toEqual({ classA: 'snare', classB: 'kick', blend: 0.25, velocity: 0.8 });
    expect(state.sound).toEqual({ gainDb: -4.5, normalise: true, lengthMs: 120 });
    expect(new URLSearchParams(q).get('backend')).toBe('cpu');
  });

  test('defaults are left out; what cannot be read is said', () => {
    expect(shareQuery('m', [0, 1], null, DEFAULT_SOUND)).toBe('model=m&z=0%2C1');
    const { state, problems } = parseShared(new URLSearchParams('model=m&z=1,x&v=loud'));
    expect(state.point).toBeNull();
    expect(problems).toEqual(["the link's point (z=1,x) is not a list of numbers", "the link's velocity (v=loud) is not a number"]);
  });
});

test('undo and redo walk the recorded moves; a new move drops the undone ones; repeats are not recorded', () => {
  const h = new UndoHistory<number>((a, b) => a === b);
  for (const x of [1, 2, 2, 3]) h.push(x);
  expect(h.undo()).toBe(2);
  expect(h.undo()).toBe(1);
  expect(h.undo()).toBeNull();
  expect(h.redo()).toBe(2);
  h.push(9);
  expect(h.canRedo).toBe(false);
  expect(h.undo()).toBe(2);
  expect(h.redo()).toBe(9);
});

test('the nearest training point by Euclidean distance', () => {
  const points = [[0, 0, 0], [1, 1, 1], [0.9, 1.2, 0.8], [-2, 0, 0]];
  const found = nearestPoint(points, [1, 1.1, 0.95])!;
  expect(found.index).toBe(1);
  expect(found.distance).toBeCloseTo(Math.sqrt(0.01 + 0.0025), 12);
  expect(nearestPoint(points, [-1.2, 0, 0])!.index).toBe(3);
  expect(nearestPoint([], [0])).toBeNull();
});

describe('errors in plain words', () => {
  const chain = { preprocess: { channel: 'first', attack: 4, length: 16, sample_rate: 8000 }, length: 16 };
  async function dropMessage(bytes: Uint8Array, maxSamples?: number): Promise<string> {
    try {
      await preprocessUpload(bytes, chain, maxSamples);
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('the upload was accepted');
  }

  test("the decoders' own messages become sentences that say what to do", async () => {
    const text = await dropMessage(new TextEncoder().encode('hello, this is a text file'));
    expect(text).toMatch(/^not an audio file: unrecognised header/);
    expect(plainDropError('notes.txt', text)).toEqual({ text: '“notes.txt” is not an audio file this page can read. Drop a WAV, FLAC, AIFF, MP3, Ogg Vorbis or Opus file.', detail: text });
    const silent = await dropMessage(encodeWav(new Float32Array(100), 8000, 'pcm16'));
    expect(plainDropError('quiet.wav', silent).text).toBe('“quiet.wav” is silent: there is nothing to place.');
    const long = await dropMessage(encodeWav(new Float32Array(2000), 8000, 'pcm16'), 1000);
    expect(plainDropError('long.wav', long).text).toMatch(/^“long.wav” is too long to be a drum sample: the page reads at most /);
    const cut = encodeWav(Float32Array.from({ length: 100 }, (_, i) => Math.sin(i)), 8000, 'pcm16').slice(0, 30);
    expect(plainDropError('cut.wav', await dropMessage(cut)).text).toBe('“cut.wav” is damaged or cut short, so it cannot be read.');
    expect(plainDropError('x.m4a', 'unsupported file: MP4/M4A (ISO media)').text).toBe('“x.m4a” is an MP4/M4A (ISO media), which this page cannot read. Convert it to WAV or FLAC first.');
  });

  test('sizes in MiB, the unit of the limit (20 MiB, not "21 MB")', () => {
    expect(fileTooLarge('big.wav', 21 * 2 ** 20 + 5, 20 * 2 ** 20).text).toBe('“big.wav” is 21 MiB; files up to 20 MiB can be dropped here.');
    expect(fileTooLarge('b.wav', 900 * 1024, 512 * 1024).text).toBe('“b.wav” is 900 KiB; files up to 512 KiB can be dropped here.');
  });

  test('the upload classes are the ones the messages come from', async () => {
    await expect(preprocessUpload(new Uint8Array([1, 2, 3]), chain)).rejects.toBeInstanceOf(UnusableUpload);
    expect(new AudioTooLongError(10, 5, { channels: 1, sampleRate: 8000 }, 'counted').message).toMatch(/the limit is/);
  });
});

test('the model card says what matters in words, not log keys', () => {
  const rows = Object.fromEntries(
    cardRows(
      {
        name: 'drums',
        model_type: 'vae',
        latent: 8,
        sample_rate: 44100,
        length: 44100,
        epochs: 300,
        losses: { loss: 0.02, val_loss: 0.0123456, val_beta: 1.5e-7, samples_per_s: 148 },
        latent_points: [[0], [1], [2]],
        created: '2026-03-04T05:06:07Z',
        sampgen_version: '0.1.0',
        condition: { classes: ['kick', 'snare'], class_counts: [1200, 34], velocity: { feature: 'attack_rms_dbfs', min_dbfs: -30, max_dbfs: -6.25 } },
        training: { dataset: { path: '/home/someone/data/drums-2024', count: 1234 }, best: { epoch: 250, val_loss: 0.01 }, stopped_early: null },
      },
      'a dense VAE with a linear KL ramp',
    ),
  );
  expect(rows).toEqual({
    Type: 'A dense VAE with a linear KL ramp, conditioned on drum class and velocity (vae)',
    Latent: '8 dimensions',
    Sound: '1000 ms at 44.1 kHz (44,100 samples)',
    Training: '300 epochs; validation loss 0.0123 at the end; 0.01 at its best (epoch 250)',
    Dataset: 'drums-2024 · 1,234 samples',
    Classes: 'kick (1,200), snare (34)',
    Velocity: "0 to 1 across the training set's attack levels, −30.0 to −6.3 dBFS",
    Pad: '3 training samples shown as dots',
    Exported: '2026-03-04 by sampgen 0.1.0',
  });
  expect(lossText(1.5e-7)).toBe('1.50e-7');
});

describe('favourites in local storage', () => {
  const good: Favourite = { id: 'a', model: 'm', modelName: 'M', point: [0.1, 0.2], choice: null, sound: { ...DEFAULT_SOUND }, added: '2026-01-01T00:00:00Z' };
  const store = (raw: string | null) => {
    const data = new Map<string, string>(raw === null ? [] : [[FAVOURITES_KEY, raw]]);
    return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), data };
  };

  test('entries that do not parse are left out and said; the rest come back', () => {
    const s = store(JSON.stringify([good, { ...good, point: ['x'] }, { id: 'b' }]));
    expect(loadFavourites(s)).toEqual({ list: [good], problem: '2 stored favourites could not be read and were left out' });
    expect(loadFavourites(store('{nope')).problem).toMatch(/not JSON/);
    expect(loadFavourites(store(null))).toEqual({ list: [], problem: null });
  });

  test('saving writes JSON a load reads back; a full or refused storage is a sentence, not an exception', () => {
    const s = store(null);
    expect(saveFavourites(s, [good])).toBeNull();
    expect(loadFavourites(s).list).toEqual([good]);
    const full = { getItem: () => null, setItem: () => { throw new Error('QuotaExceededError'); } };
    expect(saveFavourites(full, [good])).toMatch(/full or switched off/);
    expect(loadFavourites({ getItem: () => { throw new Error('SecurityError'); }, setItem: () => undefined }).problem).toMatch(/does not let the page read/);
  });
});

test('decodeAudio reads back what the kit writes (the same scaling as sampgen saves)', async () => {
  const x = Float32Array.from({ length: 40 }, (_, i) => Math.sin(i) * 0.7);
  const files = unzipSync(buildKit([{ name: 'a.wav', samples: x, sampleRate: 8000, about: {} }], { format: 'pcm24', normalise: false }, { created: 'now', page: 'test' }).zip);
  const decoded = await decodeAudio(files['a.wav']!);
  decoded.channels[0]!.forEach((v, i) => expect(Math.abs(v - x[i]!)).toBeLessThanOrEqual(0.5 / 8388608 + 1e-9));
});
