import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { decodeAudio, declaredSize, readAudioFile } from '../../src/audio';
import { attackIndex, bestLag, expectedAttack, fixture, LOSSY, peakFrequency, reference, rms, signalOf, snrDb, spec, synthesize } from './lossy-fixtures';

/*
 * Ogg Vorbis, Ogg Opus and MP3 files encoded by Debian's oggenc, opusenc and lame from known signals (a sine per
 * channel plus a click at 0.1 s; test/fixtures/lossy), decoded by sampgen and checked against the signal (frequency,
 * level, length, where the click lands, SNR) and against what Debian's own decoders (oggdec, opusdec, lame --decode)
 * made of the same files (reference.json).
 */

const FORMAT: Record<string, string> = { mp3: 'MP3', ogg: 'Ogg Vorbis', opus: 'Ogg Opus' };
const GAPLESS = Object.keys(reference).filter((name) => !name.includes('no-lame-tag'));

describe.each(GAPLESS)('%s', (name) => {
  const ref = reference[name]!;
  const signal = signalOf(name);
  const ext = path.extname(name).slice(1);

  test('decodes to the reference decoder\'s length, rate and channels, with no warning', async () => {
    const d = await decodeAudio(fixture(name));
    expect(d.format.startsWith(FORMAT[ext]!)).toBe(true);
    // Opus always decodes at 48 kHz, whatever the original's rate.
    expect(d.sampleRate).toBe(ext === 'opus' ? 48000 : signal.rate);
    expect(d.sampleRate).toBe(ref.rate);
    expect(d.channels).toHaveLength(signal.frequencies.length);
    expect(d.channels).toHaveLength(ref.channels);
    // Exactly as long as the original (encoder delay and padding removed), at the decoded rate.
    for (const c of d.channels) expect(c.length).toBe(Math.round(spec.seconds * d.sampleRate));
    expect(d.channels[0]!.length).toBe(ref.frames);
    expect(d.warnings).toBeUndefined();
  });

  test('the click lands where it was in the original (within 2 samples), and where the reference decoder puts it', async () => {
    const d = await decodeAudio(fixture(name));
    for (const c of d.channels) {
      expect(Math.abs(attackIndex(c) - expectedAttack(d.sampleRate))).toBeLessThanOrEqual(2);
      expect(Math.abs(attackIndex(c) - ref.attack)).toBeLessThanOrEqual(2);
    }
    if (d.sampleRate === signal.rate) {
      // Sample for sample: the best alignment with the original is no shift at all.
      const original = synthesize(signal);
      d.channels.forEach((c, i) => expect(bestLag(original[i]!, c, 1200)).toBe(0));
    }
  });

  test('each channel holds its sine (FFT peak within 2 Hz) at the original level (within 1 dB) with an SNR over 20 dB', async () => {
    const d = await decodeAudio(fixture(name));
    // Before the click (0.1 s): 2048 samples at the lowest rate here (22.05 kHz) end at 0.093 s.
    const before = Math.floor(0.09 * d.sampleRate);
    const sineRms = spec.amplitude / Math.SQRT2;
    d.channels.forEach((c, i) => {
      expect(Math.abs(peakFrequency(c, d.sampleRate, 0, 2048) - signal.frequencies[i]!)).toBeLessThan(2);
      const levelDb = 20 * Math.log10(rms(c, 0, before) / sineRms);
      expect(Math.abs(levelDb)).toBeLessThan(1);
      // Whole signal, against the reference decoder's RMS: the same decode, within rounding to 16 bits.
      expect(Math.abs(rms(c) / ref.rms[i]! - 1)).toBeLessThan(0.002);
      // Against the sine itself at the decoded rate, before the click (a resampled click differs in shape).
      const sine = Array.from({ length: before }, (_, k) => spec.amplitude * Math.sin((2 * Math.PI * signal.frequencies[i]! * k) / d.sampleRate));
      expect(snrDb(sine, c.subarray(0, before))).toBeGreaterThan(20);
    });
    if (d.sampleRate === signal.rate) {
      const original = synthesize(signal);
      d.channels.forEach((c, i) => expect(snrDb(original[i]!, c)).toBeGreaterThan(20));
    }
  });

  test('firstChannelOnly gives channel 0 alone, the same samples', async () => {
    const all = await decodeAudio(fixture(name));
    const first = await decodeAudio(fixture(name), { firstChannelOnly: true });
    expect(first.channels).toHaveLength(1);
    expect(first.channels[0]).toEqual(all.channels[0]);
  });

  test('declaredSize reads the length from the header alone', () => {
    expect(declaredSize(fixture(name))).toEqual({ frames: ref.frames, channels: ref.channels, sampleRate: ref.rate });
  });
});

describe('MP3 Info/Xing frame variants', () => {
  test('the fixtures cover a CRC-protected stream (lame -p) and a VBR one (a Xing, not an Info, frame)', () => {
    expect(fixture('mono-44k-crc.mp3')[1]! & 0x01).toBe(0); // protection bit clear: CRCs present
    expect(Buffer.from(fixture('mono-44k.mp3')).indexOf('Info')).toBe(4 + 17);
    // LAME puts the tag right after the side information even when the frames carry CRCs.
    expect(Buffer.from(fixture('mono-44k-crc.mp3')).indexOf('Info')).toBe(4 + 17);
    expect(Buffer.from(fixture('stereo-48k-vbr.mp3')).indexOf('Xing')).toBe(4 + 32);
  });
});

describe('an MP3 without the LAME Info frame (lame -t)', () => {
  const name = 'mono-44k-no-lame-tag.mp3';
  const ref = reference[name]!;

  test("keeps the encoder's delay (LAME: 576 samples) but not the decoder's (529), like lame --decode, and says so", async () => {
    const d = await decodeAudio(fixture(name));
    expect(d.sampleRate).toBe(44100);
    expect(d.channels).toHaveLength(1);
    // 9 frames of 1152 samples, less the decoder's 529.
    expect(d.channels[0]!.length).toBe(9 * 1152 - 529);
    expect(d.channels[0]!.length).toBe(ref.frames);
    expect(attackIndex(d.channels[0]!)).toBe(expectedAttack(44100) + 576);
    expect(Math.abs(attackIndex(d.channels[0]!) - ref.attack)).toBeLessThanOrEqual(2);
    expect(bestLag(synthesize(signalOf(name))[0]!, d.channels[0]!, 1200)).toBe(576);
    expect(d.warnings).toEqual(["the MP3 has no encoder delay information (no LAME Info frame): its start keeps the encoder's delay (LAME's is 576 samples)"]);
  });

  test('declares no length (no Xing/Info frame to say)', () => {
    expect(declaredSize(fixture(name))).toBeNull();
  });
});

describe('the bytes decide, not the name', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sampgen-lossy-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test.each([
    ['stereo-48k.opus', 'kick.wav', 'Ogg Opus'],
    ['mono-44k.mp3', 'snare.ogg', 'MP3 (MPEG-1 Layer III)'],
    ['mono-44k.ogg', 'hat.mp3', 'Ogg Vorbis'],
  ])('%s renamed %s decodes as %s', async (source, renamed, format) => {
    const file = path.join(tmp, renamed);
    fs.copyFileSync(path.join(LOSSY, source), file);
    const d = await readAudioFile(file);
    expect(d.format).toBe(format);
    expect(d.channels[0]!.length).toBe(reference[source]!.frames);
  });
});
