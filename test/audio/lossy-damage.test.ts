import { AudioDecodeError, AudioTooLongError, decodeAudio } from '../../src/audio';
import { oggCrc } from '../../src/audio/ogg';
import { decodeVorbis } from '../../src/audio/vorbis';
import { attackIndex, expectedAttack, fixture, reference } from './lossy-fixtures';
import { concatBytes, crcBitwise, oggPage, opusPages, readOgg } from './ogg-writer';

/*
 * Damaged, cut and oddly built Ogg and MP3 files, made from the lossy fixtures (test/fixtures/lossy): a file cut
 * short keeps what is whole, with a warning, like truncated WAV/AIFF/FLAC; damage inside the stream refuses the
 * file with a reason; limits are kept before the samples are allocated.
 */

async function reason(bytes: Uint8Array, options = {}): Promise<string> {
  const err = await decodeAudio(bytes, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AudioDecodeError);
  return (err as Error).message;
}

describe('Ogg CRC', () => {
  test('the table-driven CRC matches a bit-by-bit one, and every page of the encoders\' files', () => {
    const input = Array.from(Buffer.from('123456789'));
    expect(oggCrc(Uint8Array.from(input))).toBe(crcBitwise(input));
    // The CRC-32 with Ogg's parameters (poly 0x04C11DB7, init 0, no reflection, no final XOR) of "123456789".
    expect(crcBitwise(input)).toBe(0x89a1897f);
    for (const name of ['mono-44k.ogg', 'stereo-48k.opus']) {
      const bytes = fixture(name);
      for (const page of readOgg(bytes).pages) {
        const stored = new DataView(bytes.buffer, bytes.byteOffset).getUint32(page.offset + 22, true);
        expect(oggCrc(bytes.subarray(page.offset, page.offset + page.length), 22)).toBe(stored);
      }
    }
  });
});

describe('Ogg Opus, re-paged two packets a page (opusenc wrote all audio on one page)', () => {
  const original = fixture('stereo-48k.opus');
  const { pages, packets } = readOgg(original);
  const audio = packets.slice(2);
  const preSkip = new DataView(packets[0]!.buffer).getUint16(10, true);
  const lastGranule = pages[pages.length - 1]!.granule;
  // opusenc's default frames: 20 ms, one frame a packet (TOC code 0), read here from the TOC independently.
  const durations = audio.map((p) => {
    expect(p[0]! & 0x03).toBe(0);
    expect(p[0]! >> 3).toBeGreaterThanOrEqual(16); // CELT
    return [120, 240, 480, 960][(p[0]! >> 3) & 0x03]!;
  });
  const repaged = opusPages(packets.slice(0, 2), audio, durations, 2, lastGranule);
  const file = (list: Uint8Array[]) => concatBytes(list);

  test('decodes exactly as the original', async () => {
    expect(repaged.length).toBe(2 + Math.ceil(audio.length / 2));
    const a = await decodeAudio(original);
    const b = await decodeAudio(file(repaged));
    expect(b.channels).toEqual(a.channels);
    expect(b.warnings).toBeUndefined();
  });

  test('cut inside a page: the whole pages before it are kept, untrimmed, with a warning', async () => {
    const whole = repaged.slice(0, 4); // headers + 2 audio pages = 4 packets
    const cut = file([...whole, repaged[4]!.subarray(0, 50)]);
    const d = await decodeAudio(cut);
    expect(d.channels[0]!.length).toBe(4 * 960 - preSkip);
    const segments = repaged[4]![26]!;
    expect(d.warnings).toEqual([
      `truncated file: the Ogg Opus stream is cut short inside page 5 (byte ${whole.reduce((n, p) => n + p.length, 0)}) (${50 - 27 - segments} bytes of its ${repaged[4]!.length - 27 - segments})`,
    ]);
    // What is kept is the start of the full decode.
    const full = await decodeAudio(original);
    expect(d.channels[0]).toEqual(full.channels[0]!.subarray(0, d.channels[0]!.length));
  });

  test('cut at a page boundary: no end-of-stream page, a warning', async () => {
    const d = await decodeAudio(file(repaged.slice(0, 5)));
    expect(d.channels[0]!.length).toBe(6 * 960 - preSkip);
    expect(d.warnings).toEqual(['truncated file: the Ogg Opus stream has no end-of-stream page (cut short after 5 whole pages)']);
  });

  test('cut inside the headers, or before any audio: refused with the reason', async () => {
    expect(await reason(original.subarray(0, 30))).toBe('truncated header: the file ends inside the first Ogg page');
    expect(await reason(original.subarray(0, 40))).toBe('truncated file: the Ogg Opus stream ends before its OpusHead');
    expect(await reason(file(repaged.slice(0, 1)))).toBe('truncated file: the Ogg Opus stream ends inside its headers');
    expect(await reason(file(repaged.slice(0, 2)))).toBe('truncated file: the Ogg Opus stream ends before its first audio packet');
  });

  test('a missing page, a page out of order and a flipped bit are damage: refused', async () => {
    expect(await reason(file([...repaged.slice(0, 3), ...repaged.slice(4)]))).toMatch(/^corrupt Ogg data: page sequence jumps from 2 to 4 at byte \d+ \(1 page missing or out of order\)$/);
    expect(await reason(file([...repaged.slice(0, 3), repaged[4]!, repaged[3]!, ...repaged.slice(5)]))).toMatch(/^corrupt Ogg data: page sequence jumps from 2 to 4/);
    const flipped = file(repaged);
    const at = repaged.slice(0, 3).reduce((n, p) => n + p.length, 0) + 40;
    flipped[at] ^= 0x10;
    expect(await reason(flipped)).toMatch(/^corrupt Ogg data: page 4 \(byte \d+\) fails its checksum \(CRC\)$/);
    const junkInside = file([...repaged.slice(0, 3), Uint8Array.from([1, 2, 3, 4, 5]), ...repaged.slice(3)]);
    expect(await reason(junkInside)).toMatch(/^corrupt Ogg data: no Ogg page where page 4 \(byte \d+\) should start/);
  });

  test('data after the end-of-stream page is ignored with a warning; a second multiplexed stream is refused', async () => {
    const appended = await decodeAudio(file([...repaged, Uint8Array.from(Buffer.from('junk at the end'))]));
    expect(appended.channels[0]!.length).toBe(reference['stereo-48k.opus']!.frames);
    expect(appended.warnings).toEqual(['ignored 15 bytes after the end of the Ogg Opus stream (a chained stream or appended data)']);
    const other = oggPage({ packets: [packets[0]!], granule: 0n, flags: 0x02, serial: 2, sequence: 0 });
    expect(await reason(file([repaged[0]!, other, ...repaged.slice(1)]))).toBe(
      `unsupported file: Ogg file with more than one logical stream (a second one begins at page 2 (byte ${repaged[0]!.length}))`,
    );
  });

  test('the OpusHead output gain is applied', async () => {
    const head = Uint8Array.from(packets[0]!);
    new DataView(head.buffer).setInt16(16, -1541, true); // Q7.8 dB: -6.02 dB, about half
    const quieter = await decodeAudio(file(opusPages([head, packets[1]!], audio, durations, 2, lastGranule)));
    const normal = await decodeAudio(original);
    const gain = 10 ** (-1541 / 256 / 20);
    quieter.channels.forEach((c, ch) => c.forEach((v, i) => expect(Math.abs(v - normal.channels[ch]![i]! * gain)).toBeLessThan(1e-7)));
  });

  test('a malformed packet is refused: by its TOC before decoding, or by libopus', async () => {
    const zeroFrames = audio.map((p, i) => (i === 3 ? Uint8Array.from([p[0]! | 0x03, 0]) : p));
    expect(await reason(file(opusPages(packets.slice(0, 2), zeroFrames, durations, 2, lastGranule)))).toBe('corrupt Opus data: audio packet 4 is a packet of 0 frames');
    // Code 1 (two frames of equal size) with an odd payload cannot be split in two: libopus refuses it.
    const unequal = audio.map((p, i) => (i === 3 ? Uint8Array.from([(p[0]! & ~0x03) | 0x01, 1, 2, 3]) : p));
    expect(await reason(file(opusPages(packets.slice(0, 2), unequal, durations.map((d, i) => (i === 3 ? 2 * d : d)), 2, lastGranule)))).toMatch(
      /^corrupt Opus data: 1 packet error, first in packet \d+: /,
    );
  });

  test('a granule position on the first audio page smaller than its packets is invalid', async () => {
    const list = [...repaged];
    list[2] = oggPage({ packets: audio.slice(0, 2), granule: 100n, sequence: 2 });
    expect(await reason(file(list))).toBe("corrupt Ogg Opus data: the first audio page's granule position (100) is smaller than its packets' 1920 samples");
  });

  test('maxSamples: counted from the packets before decoding', async () => {
    const err = await decodeAudio(original, { maxSamples: 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AudioTooLongError);
    expect((err as Error).message).toMatch(/^too long: its header declares 19,200 samples/);
    // A last granule position that understates (1000 samples after the pre-skip) passes the header check: the
    // packets are counted before decoding.
    const understated = file(opusPages(packets.slice(0, 2), audio, durations, 2, BigInt(preSkip + 1000)));
    const counted = await decodeAudio(understated, { maxSamples: 5000 }).catch((e: unknown) => e);
    expect(counted).toBeInstanceOf(AudioTooLongError);
    expect((counted as Error).message).toMatch(new RegExp(`^too long: it holds ${(2 * (audio.length * 960 - preSkip)).toLocaleString('en-US')} samples`));
    // What the decoder allocates counts: every packet's samples after the pre-skip, before the end is trimmed.
    expect((await decodeAudio(original, { maxSamples: 2 * (audio.length * 960 - preSkip) })).channels[0]!.length).toBe(9600);
    expect(await decodeAudio(original, { maxSamples: 2 * (audio.length * 960 - preSkip) - 1 }).catch((e: unknown) => e)).toBeInstanceOf(AudioTooLongError);
  });
});

describe('Ogg Vorbis', () => {
  const original = fixture('mono-44k.ogg');
  const { pages } = readOgg(original);

  test('cut inside its only audio page: nothing to keep, refused with the reason', async () => {
    const lastPage = pages[pages.length - 1]!;
    expect(await reason(original.subarray(0, lastPage.offset + 100))).toBe('truncated file: the Ogg Vorbis stream ends before its first audio packet');
    expect(await reason(original.subarray(0, 40))).toBe('truncated file: the Ogg Vorbis stream ends before its identification header');
    expect(await reason(original.subarray(0, pages[1]!.offset + 100))).toBe('truncated file: the Ogg Vorbis stream ends inside its headers (1 of 3 header packets)');
  });

  test('decoding in batches of pages (as under a limit) gives the same samples as one call', async () => {
    const whole = await decodeAudio(original);
    const batched = await decodeVorbis(original, { maxSamples: 1e9 }, 1);
    expect(batched.channels).toEqual(whole.channels);
  });

  test('maxSamples: refused once the decoded samples pass it', async () => {
    // The header check first (the last page's granule position), then the running count for a file that hides it.
    expect(await decodeAudio(original, { maxSamples: 8000 }).catch((e: unknown) => e)).toBeInstanceOf(AudioTooLongError);
    const err = await decodeVorbis(original, { maxSamples: 8000 }, 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AudioTooLongError);
    expect((err as Error).message).toMatch(/^too long: it holds more than 8,000 samples/);
  });

  describe('a damaged audio packet (valid CRC)', () => {
    const { packets } = readOgg(original);
    const withPacket = (index: number, packet: Uint8Array) => {
      const list = packets.map((p, i) => (i === index ? packet : p));
      return concatBytes([
        oggPage({ packets: [list[0]!], granule: 0n, flags: 0x02, sequence: 0 }),
        oggPage({ packets: list.slice(1, 3), granule: 0n, sequence: 1 }),
        oggPage({ packets: list.slice(3), granule: pages[pages.length - 1]!.granule, flags: 0x04, sequence: 2 }),
      ]);
    };

    test('re-paged unchanged, the file decodes as the original', async () => {
      expect((await decodeAudio(withPacket(6, packets[6]!))).channels).toEqual((await decodeAudio(original)).channels);
    });

    test('garbage: libvorbis reports it, the file is refused', async () => {
      const garbage = Uint8Array.from(packets[6]!, (_, i) => (i * 97 + 13) & 0xff);
      expect(await reason(withPacket(6, garbage))).toMatch(/^corrupt Vorbis data: 1 packet error, first in packet \d+: .*OV_ENOTAUDIO/);
    });

    test.each([
      ['its type bit set', Uint8Array.from([0x01, ...packets[6]!.subarray(1)])],
      ['emptied', new Uint8Array(0)],
    ])('%s: libvorbis skips it silently; the samples missing at the end-of-stream page refuse the file', async (_label, packet) => {
      expect(await reason(withPacket(6, packet))).toMatch(/^corrupt Vorbis data: the end-of-stream page says the stream holds 8820 samples but its packets decode to \d+ \(damaged packets that the decoder skipped\)$/);
    });
  });
});

describe('MP3', () => {
  const original = fixture('stereo-48k.mp3');
  // CBR 160 kbit/s at 48 kHz, no padding: 480-byte frames, the first the Info frame.
  const FRAME = 480;
  const frames = original.length / FRAME;

  test('the fixture is what the tests assume', () => {
    expect(Number.isInteger(frames)).toBe(true);
    expect(Buffer.from(original.subarray(36, 40)).toString('latin1')).toBe('Info');
  });

  test('cut inside a frame: the whole frames are kept, the start still aligned, with a warning', async () => {
    // The Info frame and 7 audio frames whole (8064 samples less the 1105 of delay: past the click at 0.1 s).
    const d = await decodeAudio(original.subarray(0, 8 * FRAME + 100));
    expect(d.warnings).toEqual([
      'truncated file: the last MP3 frame is cut short (100 bytes of 480); decoded the 7 whole frames before it',
    ]);
    expect(d.channels[0]!.length).toBeLessThanOrEqual(7 * 1152 - 576 - 529);
    const full = await decodeAudio(original);
    // Up to the last frames kept, the samples are those of the full decode.
    const n = 6 * 1152 - 576 - 529;
    expect(d.channels[0]!.subarray(0, n)).toEqual(full.channels[0]!.subarray(0, n));
    expect(Math.abs(attackIndex(d.channels[0]!) - expectedAttack(48000))).toBeLessThanOrEqual(2);
  });

  test('cut at a frame boundary: fewer frames than the Info frame declares, a warning', async () => {
    const d = await decodeAudio(original.subarray(0, 7 * FRAME));
    expect(d.warnings).toEqual([`truncated file: the MP3's Xing/Info frame declares ${frames - 1} frames but the file holds 6`]);
  });

  test('junk between frames is damage: refused', async () => {
    const junk = concatBytes([original.subarray(0, 4 * FRAME), new Uint8Array(37).fill(0x55), original.subarray(4 * FRAME)]);
    expect(await reason(junk)).toBe(`corrupt MP3 data: the frames lose their sync at byte ${4 * FRAME} (after frame 4) and resume at byte ${4 * FRAME + 37}; 37 bytes in between are not audio`);
  });

  test('ID3v2 tags in front and ID3v1/APE tags behind change nothing; other trailing bytes give a warning', async () => {
    const full = await decodeAudio(original);
    const id3v2 = Uint8Array.from([...Buffer.from('ID3'), 3, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 5]);
    const id3v1 = Uint8Array.from([...Buffer.from('TAG'), ...new Array(125).fill(0x20)]);
    const ape = Uint8Array.from([...Buffer.from('APETAGEX'), ...new Array(24).fill(0)]);
    for (const tagged of [concatBytes([id3v2, original]), concatBytes([original, id3v1]), concatBytes([id3v2, original, ape, id3v1])]) {
      const d = await decodeAudio(tagged);
      expect(d.channels).toEqual(full.channels);
      expect(d.warnings).toBeUndefined();
    }
    const trailing = await decodeAudio(concatBytes([original, Uint8Array.from([1, 2, 3, 4, 5, 6, 7])]));
    expect(trailing.channels).toEqual(full.channels);
    expect(trailing.warnings).toEqual(['ignored 7 bytes after the last MP3 frame that are neither audio nor a tag (junk appended, or a damaged last frame)']);
  });

  test('a mono MP3 decodes to one channel (mpg123 returns two)', async () => {
    expect((await decodeAudio(fixture('mono-44k.mp3'))).channels).toHaveLength(1);
  });

  test('maxSamples: frames counted before decoding', async () => {
    const err = await decodeAudio(original, { maxSamples: 5000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AudioTooLongError);
    expect((err as Error).message).toMatch(/^too long: its header declares 19,200 samples/);
    // Without the Info frame's count (a file from another encoder), the frames are counted while walking them.
    const noInfo = fixture('mono-44k-no-lame-tag.mp3');
    const counted = await decodeAudio(noInfo, { maxSamples: 5000 }).catch((e: unknown) => e);
    expect(counted).toBeInstanceOf(AudioTooLongError);
    expect((counted as Error).message).toMatch(/^too long: it holds more than 5,000 samples/);
    expect((await decodeAudio(noInfo, { maxSamples: 9 * 1152 })).channels[0]!.length).toBe(9 * 1152 - 529);
  });
});
