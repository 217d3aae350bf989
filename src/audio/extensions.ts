/** File name extensions that preprocessing treats as audio (lower case, with the dot). */
export const AUDIO_EXTENSIONS: readonly string[] = Object.freeze([
  '.wav',
  '.wave',
  '.flac',
  '.aif',
  '.aiff',
  '.aifc',
  '.ogg',
  '.oga',
  '.opus',
  '.mp3',
]);

/**
 * True when the name ends in one of AUDIO_EXTENSIONS, in any letter case. A name test only: what the file holds
 * is decided by its bytes (decodeAudio), so e.g. macOS '._kick.wav' metadata files pass here and are then
 * refused by the decoder with a clear reason.
 */
export function isAudioFileName(name: string): boolean {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  // Like path.extname: a leading dot starts a hidden name, not an extension ('.wav' alone has none).
  if (dot <= 0) return false;
  return AUDIO_EXTENSIONS.includes(base.slice(dot).toLowerCase());
}
