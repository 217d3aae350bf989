import { isSafeName, safeSegments } from '../../src/audition/paths';
import { contentTypeOf } from '../../src/audition/mime';

describe('safeSegments', () => {
  test('plain paths are split and decoded', () => {
    expect(safeSegments('/')).toEqual([]);
    expect(safeSegments('/models/snare/decoder/model.json')).toEqual(['models', 'snare', 'decoder', 'model.json']);
    expect(safeSegments('/models/kick%20808/sampgen.json')).toEqual(['models', 'kick 808', 'sampgen.json']);
    expect(safeSegments('/models/caf%C3%A9/')).toEqual(['models', 'café']);
  });

  test.each([
    ['relative', 'models/x'],
    ['dot-dot', '/models/../x'],
    ['dot', '/./x'],
    ['encoded dot-dot', '/%2e%2e/x'],
    ['encoded slash', '/a%2fb'],
    ['encoded slash, upper case', '/a%2Fb'],
    ['encoded backslash', '/a%5cb'],
    ['backslash', '/a\\b'],
    ['encoded NUL', '/a%00'],
    ['empty segment', '//x'],
    ['hidden file', '/.env'],
    ['malformed escape', '/%zz'],
    ['drive letter', '/C:/x'],
  ])('%s is refused: %s', (_why, p) => {
    expect(safeSegments(p)).toBeNull();
  });

  test('isSafeName', () => {
    expect(isSafeName('weights.bin')).toBe(true);
    expect(isSafeName('..')).toBe(false);
    expect(isSafeName('a\u0001b')).toBe(false);
  });
});

test('content types', () => {
  expect(contentTypeOf('model.json')).toBe('application/json; charset=utf-8');
  expect(contentTypeOf('weights.bin')).toBe('application/octet-stream');
  expect(contentTypeOf('app.js')).toBe('text/javascript; charset=utf-8');
  expect(contentTypeOf('INDEX.HTML')).toBe('text/html; charset=utf-8');
  expect(contentTypeOf('secret')).toBe('application/octet-stream');
});
