import * as fs from 'fs';
import * as path from 'path';
import { classCounts, classFromFolders, classFromName, classOf, DRUM_CLASSES, nameWords, readLabelCsv } from '../../src/data/labels';
import { tempDir } from '../helpers/dataset';

// The file names of Debian's hydrogen-data kits (GMRockKit, TR808EmulationKit), as a user's sample folders name
// one-shots, with the class a drummer would give each.
const HYDROGEN: Record<string, string> = {
  '24Ride-1.wav': 'cymbal', 'Bell-Hard.wav': 'perc', 'Cowbell-Soft.wav': 'perc', 'Crash-Hardest.wav': 'cymbal',
  'HandClap.wav': 'clap', 'HatClosed-Med.wav': 'hat-closed', 'HatOpen-Hard.wav': 'hat-open', 'HatPedal-Soft.wav': 'hat-closed',
  'HatSemiOpen-Softest.wav': 'hat-open', 'Kick-Softest.wav': 'kick', 'Ride-Med.wav': 'cymbal', 'SideStick-Hard.wav': 'snare',
  'Snare-Hard.wav': 'snare', 'SnareRimshot-Med.wav': 'snare', 'Splash-Soft.wav': 'cymbal', 'Tom1-Hard.wav': 'tom',
  'Tom2-Softest.wav': 'tom', 'TomFloor-Med.wav': 'tom', '808_Clap.flac': 'clap', '808_Clave.flac': 'perc',
  '808_Conga.flac': 'perc', '808_Cowbell.flac': 'perc', '808_Cymbal.flac': 'cymbal', '808_Hat_Closed.flac': 'hat-closed',
  '808_Hat_Open.flac': 'hat-open', '808_Hat_Pedal.flac': 'hat-closed', '808_Kick_Long.flac': 'kick', '808_Kick_Short.flac': 'kick',
  '808_Shaker.flac': 'perc', '808_Snare_1.flac': 'snare', '808_Tom_Hi.flac': 'tom', '808_Tom_Low.flac': 'tom',
};

describe('drum classes from names', () => {
  test.each(Object.entries(HYDROGEN))('%s is %s', (name, label) => {
    expect(classFromName(name)).toBe(label);
  });

  test('other common spellings, case-insensitive and by whole word', () => {
    const cases: [string, string | null][] = [
      ['BD_909_hard.wav', 'kick'], ['bassdrum 03.aif', 'kick'], ['Bass Drum 1.wav', 'kick'], ['SD-01.wav', 'snare'],
      ['rim.wav', 'snare'], ['HiHat_closed.wav', 'hat-closed'], ['hihat open 2.wav', 'hat-open'], ['OHH_01.wav', 'hat-open'],
      ['CHH.wav', 'hat-closed'], ['china.wav', 'cymbal'], ['perc_loop_hit.wav', 'perc'], ['snare-0001.wav', 'snare'],
      ['kick-0001.wav', 'kick'], ['hat-0001.wav', 'hat-closed'],
      // Not inside other words: "sn" in "synth", "hat" in "what", "tom" in "atom", "rim" in "primer".
      ['synth_stab.wav', null], ['what.wav', null], ['atom.wav', null], ['primer.wav', null], ['vocal.wav', null],
    ];
    for (const [name, label] of cases) expect([name, classFromName(name)]).toEqual([name, label]);
  });

  test('words: case changes, digits and separators split; neighbours also join', () => {
    expect(nameWords('SnareRimshot-Med.wav')).toEqual(['snare', 'rimshot', 'med', 'snarerimshot', 'rimshotmed']);
    expect(nameWords('24Ride-1.wav')).toEqual(['24', 'ride', '1', '24ride', 'ride1']);
  });
});

describe('label sources', () => {
  test('folders (innermost that names a class), names, auto (folders, else the name), none', () => {
    expect(classFromFolders('kick/001.wav')).toBe('kick');
    expect(classFromFolders('Drums/Snares/take 3.wav')).toBe('snare');
    expect(classFromFolders('GMRockKit/Kick-Hard.wav')).toBeNull();
    expect(classOf('kick/001.wav', { kind: 'auto' })).toBe('kick');
    expect(classOf('GMRockKit/Kick-Hard.wav', { kind: 'auto' })).toBe('kick');
    expect(classOf('GMRockKit/Kick-Hard.wav', { kind: 'folder' })).toBe('unknown');
    expect(classOf('kick/001.wav', { kind: 'name' })).toBe('unknown');
    expect(classOf('kick/001.wav', { kind: 'none' })).toBe('unknown');
  });

  test('a CSV of path,class (header optional, aliases accepted); bad classes, repeats and malformed lines name the line', () => {
    const dir = tempDir();
    const good = path.join(dir, 'labels.csv');
    fs.writeFileSync(good, 'path,class\nkit/a.wav,kick\n"kit/b, c.wav",BD\nkit/d.wav,hat-open\n');
    const source = readLabelCsv(good);
    expect(classOf('kit/a.wav', source)).toBe('kick');
    expect(classOf('kit/b, c.wav', source)).toBe('kick');
    expect(classOf('kit/d.wav', source)).toBe('hat-open');
    expect(classOf('kit/e.wav', source)).toBe('unknown');
    const bad = (text: string) => {
      fs.writeFileSync(good, text);
      return () => readLabelCsv(good);
    };
    expect(bad('a.wav,trumpet\n')).toThrow(/labels\.csv:1: class "trumpet" is not one of kick, snare/);
    expect(bad('a.wav,kick\na.wav,snare\n')).toThrow(/labels\.csv:2: a\.wav is listed twice/);
    expect(bad('a.wav\n')).toThrow(/labels\.csv/);
    expect(() => readLabelCsv(path.join(dir, 'missing.csv'))).toThrow(/cannot read the CSV/);
  });

  test('counts list every class', () => {
    expect(classCounts(['kick', 'kick', 'unknown'])).toEqual(Object.fromEntries(DRUM_CLASSES.map((c) => [c, c === 'kick' ? 2 : c === 'unknown' ? 1 : 0])));
  });
});
