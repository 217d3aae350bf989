import { AudioDecodeError, AudioTooLongError } from './errors';
import { decodeAiff } from './aiff';
import { declaredSamples, declaredSize } from './declared';
import { detectContainer } from './detect';
import { decodeFlac } from './flac';
import { decodeMp3 } from './mp3';
import { decodeOpus } from './opus';
import { decodeVorbis } from './vorbis';
import { decodeWav } from './wav';
import { DecodedAudio, DecodeOptions } from './types';

// No Node module is imported here, so that the static site's page bundles this decoder (readAudioFile, which reads
// a file from disk, is in read-file.ts).

/**
 * Decode a WAV, FLAC, AIFF/AIFC, Ogg Vorbis, Ogg Opus or MP3 file held in memory to float32 channels. Every problem
 * with the bytes becomes an AudioDecodeError whose message says what is wrong; NaN/Inf samples and silence are not
 * errors here.
 *
 * The lossy formats decode to what their encoder kept, not to the original: a band-limited approximation (MP3 and
 * Vorbis at typical rates cut above 16–20 kHz), with the encoder's delay removed where the file says how much (see
 * mp3.ts, opus.ts; Vorbis has none), and Opus always at 48 kHz. For a dataset this means lossy sources carry
 * codec artefacts into the training data; the format is recorded per row (DecodedAudio.format) so they can be told
 * apart.
 *
 * With `maxSamples`, a file whose header declares more samples (frames × channels) is refused before anything is
 * decoded, and the decoders refuse one that holds more than its header says (or whose header does not say) before
 * allocating its samples: memory stays bounded by the limit whatever the file claims.
 */
export async function decodeAudio(bytes: Uint8Array, options: DecodeOptions = {}): Promise<DecodedAudio> {
  const container = detectContainer(bytes);
  if (options.maxSamples !== undefined) {
    const declared = declaredSize(bytes);
    if (declared !== null && declaredSamples(declared) > options.maxSamples) {
      throw new AudioTooLongError(declaredSamples(declared), options.maxSamples, declared, 'declared');
    }
  }
  switch (container.kind) {
    case 'wav':
      return decodeWav(bytes, options);
    case 'aiff':
      return decodeAiff(bytes, options);
    case 'flac':
      return decodeFlac(bytes, container.offset, options);
    case 'vorbis':
      return decodeVorbis(bytes, options);
    case 'opus':
      return decodeOpus(bytes, options);
    case 'mp3':
      return decodeMp3(bytes, container.offset, options);
  }
}
