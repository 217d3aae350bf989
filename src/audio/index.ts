/**
 * src/audio: decoding audio files (WAV, FLAC, AIFF/AIFC, Ogg Vorbis, Ogg Opus, MP3) to float32 channels and writing WAV
 * files.
 * Knows nothing of datasets or models.
 */
export { AudioDecodeError, AudioTooLongError } from './errors';
export type { DecodedAudio, DecodeOptions } from './types';
export { declaredSize, declaredSamples } from './declared';
export type { DeclaredSize } from './declared';
export { describeSampleLimit, formatDuration, groupDigits, samplesAsDuration } from './sizes';
export { decodeAudio } from './decode';
export { readAudioFile } from './read-file';
export { encodeWav } from './encode';
export type { WavEncoding } from './encode';
export { AUDIO_EXTENSIONS, isAudioFileName } from './extensions';
