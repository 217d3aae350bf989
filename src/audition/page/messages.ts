/**
 * What went wrong with a dropped file, in plain words: the decoders' messages are precise ("not an audio file:
 * unrecognised header 'hell'") but written for logs. The page says what the user can do about it, and keeps the
 * precise reason as a detail. Sizes are in binary units throughout (MiB, as the upload limit is set).
 */

export const READABLE_FORMATS = 'WAV, FLAC, AIFF, MP3, Ogg Vorbis or Opus';

export interface PlainError {
  /** One or two sentences for anyone. */
  text: string;
  /** The decoder's own words, when they add something. */
  detail: string | null;
}

/** '20 MiB', '1.5 MiB', '700 KiB' (the unit of `unitOf`, so that two sizes compare in one unit). */
export function mib(bytes: number, unitOf = bytes): string {
  const trimmed = (x: number) => x.toFixed(1).replace(/\.0$/, '');
  if (unitOf >= 1024 * 1024) return `${trimmed(bytes / 2 ** 20)} MiB`;
  if (unitOf >= 1024) return `${trimmed(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}

export function fileTooLarge(name: string, size: number, limit: number): PlainError {
  return { text: `“${name}” is ${mib(size, limit)}; files up to ${mib(limit)} can be dropped here.`, detail: null };
}

/** A failed drop of `name` with the decoder's (or the server's) message. */
export function plainDropError(name: string, message: string): PlainError {
  const file = `“${name}”`;
  const m = message.replace(/^cannot be encoded: /, '');
  const rules: [RegExp, (match: RegExpMatchArray) => string][] = [
    [/^(not an audio file|not a WAV file|not an AIFF file)/, () => `${file} is not an audio file this page can read. Drop a ${READABLE_FORMATS} file.`],
    [/^unsupported file: (.+)$/, (x) => `${file} is ${article(x[1]!)}, which this page cannot read. Convert it to WAV or FLAC first.`],
    [/^unsupported (WAV|AIFF|AIFC|FLAC)? ?(encoding|format|sample)/, () => `${file} is stored in an encoding this page cannot read. Save it as 16- or 24-bit PCM WAV.`],
    [/^empty file/, () => `${file} is empty.`],
    [/(?:^|the file is )too long: .*the limit is (.+)$/, (x) => `${file} is too long to be a drum sample: the page reads at most ${x[1]}.`],
    [/^silent/, () => `${file} is silent: there is nothing to place.`],
    [/^(no samples|no audio data)/, () => `${file} holds no audio.`],
    [/^contains NaN or Inf/, () => `${file} holds invalid sample values.`],
    [/^(truncated|corrupt)/, () => `${file} is damaged or cut short, so it cannot be read.`],
    [/larger than the upload limit of (.+)$/, (x) => `${file} is larger than the ${x[1]} the server accepts.`],
    [/^the server is busy/, () => `The server is busy with other files; try ${file} again in a moment.`],
  ];
  for (const [pattern, say] of rules) {
    const match = m.match(pattern);
    if (match) return { text: say(match), detail: message };
  }
  return { text: `${file} could not be placed: ${m}`, detail: null };
}

/** 'a' or 'an' as the word is spoken: an acronym by its first letter's name ("an MP4", "a WAV"), a word by its vowel. */
function article(what: string): string {
  // Spelled-out acronyms only: FLAC and WAV are said as words ("a FLAC").
  const acronym = /^[A-Z0-9]{2,}\b/.test(what) && !/^(FLAC|WAV)\b/.test(what);
  const an = acronym ? /^[AEFHILMNORSX8]/.test(what) : /^[aeiou]/i.test(what) && !/^(one|uni)/i.test(what);
  return `${an ? 'an' : 'a'} ${what}`;
}
