/**
 * src/audio: decoding audio files (WAV, FLAC, AIFF/AIFC) to float32 channels and writing WAV files.
 * Knows nothing of datasets or models.
 */
export { AudioDecodeError } from './errors';
export type { DecodedAudio } from './types';
export { decodeAudio, readAudioFile } from './decode';
export { encodeWav } from './encode';
export type { WavEncoding } from './encode';
export { AUDIO_EXTENSIONS, isAudioFileName } from './extensions';
