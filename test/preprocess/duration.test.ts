import { UserError } from '../../src/errors';
import { durationToSamples, formatDuration, parseDuration, type Duration } from '../../src/preprocess/duration';

describe('parseDuration', () => {
  const accepted: [string, Duration][] = [
    ['0.4', { seconds: 0.4 }],
    ['0.1', { seconds: 0.1 }],
    ['2', { seconds: 2 }],
    ['.25', { seconds: 0.25 }],
    ['0.4sec', { seconds: 0.4 }],
    ['0.4 sec', { seconds: 0.4 }],
    ['400ms', { seconds: 0.4 }],
    ['2.5ms', { seconds: 0.0025 }],
    ['16384s', { samples: 16384 }],
    ['0s', { samples: 0 }],
    ['16384samples', { samples: 16384 }],
    ['16384 samples', { samples: 16384 }],
    ['4410smp', { samples: 4410 }],
    ['  100MS ', { seconds: 0.1 }],
  ];
  it.each(accepted)('reads %j', (text, expected) => {
    expect(parseDuration(text, '--length')).toEqual(expected);
  });

  it('rejects a fractional sample count, suggesting the seconds spellings', () => {
    expect(() => parseDuration('0.5s', '--attack')).toThrow(UserError);
    expect(() => parseDuration('0.5s', '--attack')).toThrow(
      /--attack: invalid duration '0\.5s'.*whole number.*'0\.5' or '0\.5sec'/,
    );
    expect(() => parseDuration('100.5samples', '--length')).toThrow(/whole number/);
  });

  it.each(['', 'abc', '-0.4', '0.4h', '1..2', 'ms', '1e400', '0.4secs'])('rejects %j naming the option and text', (text) => {
    let err: unknown;
    try {
      parseDuration(text, '--length');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toContain(`--length: invalid duration '${text}'`);
  });

  it('says why for a negative duration and an unknown unit', () => {
    expect(() => parseDuration('-1', '--attack')).toThrow(/cannot be negative/);
    expect(() => parseDuration('3min', '--attack')).toThrow(/unknown unit 'min'/);
  });
});

describe('durationToSamples', () => {
  it('rounds seconds to whole samples like the study (ATTACK_SEC 0.1, LENGTH_SEC 0.4 at 44.1 kHz)', () => {
    expect(durationToSamples({ seconds: 0.1 }, 44100)).toBe(4410);
    expect(durationToSamples({ seconds: 0.4 }, 44100)).toBe(17640);
    expect(durationToSamples({ seconds: 0.001 }, 22050)).toBe(22); // 22.05
    expect(durationToSamples({ seconds: 0.0001 }, 22050)).toBe(2); // 2.205
    expect(durationToSamples({ seconds: 3 / 16000 }, 8000)).toBe(2); // 1.5 rounds up
  });

  it('keeps a sample count whatever the rate', () => {
    expect(durationToSamples({ samples: 16384 }, 44100)).toBe(16384);
    expect(durationToSamples({ samples: 16384 }, 8000)).toBe(16384);
  });
});

describe('formatDuration', () => {
  it('writes text that parses back to the same duration', () => {
    const cases: Duration[] = [{ seconds: 0.4 }, { seconds: 1e-7 }, { seconds: 2 }, { samples: 16384 }, { samples: 0 }];
    for (const d of cases) expect(parseDuration(formatDuration(d), 'x')).toEqual(d);
    expect(formatDuration({ samples: 16384 })).toBe('16384 samples');
    expect(formatDuration({ seconds: 0.4 })).toBe('0.4 sec');
  });
});
