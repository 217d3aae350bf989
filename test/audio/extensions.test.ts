import { AUDIO_EXTENSIONS, isAudioFileName } from '../../src/audio';

describe('audio file names', () => {
  it('lists the lower-case extensions with their dot', () => {
    expect([...AUDIO_EXTENSIONS].sort()).toEqual(['.aif', '.aifc', '.aiff', '.flac', '.mp3', '.oga', '.ogg', '.opus', '.wav', '.wave']);
  });

  it.each(['kick.wav', 'KICK.WAV', 'a/b/snare.Flac', 'c:\\x\\hat.aif', 'x.aiff', 'x.AIFC', 'x.wave', 'two.dots.wav', '._kick.wav', 'kick.mp3', 'notes.OGG', 'x.oga', 'y.opus'])(
    'accepts %s',
    (name) => expect(isAudioFileName(name)).toBe(true),
  );

  it.each(['kick.m4a', 'kick.wav.txt', 'wav', '.wav', 'dir.wav/readme', 'kick.', 'kick', 'notes.spx', '.mp3'])('rejects %s', (name) =>
    expect(isAudioFileName(name)).toBe(false),
  );
});
