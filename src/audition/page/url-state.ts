import type { ConditionChoice } from './conditioning';
import { DEFAULT_SOUND, SoundSettings } from './sound';

/**
 * The state a shared link carries, in the query string: `?model=<folder>&z=<x0>,<x1>,…` and, for a conditional
 * model, `class`, `mix` (the class blended in), `blend` and `v` (velocity); sound controls that differ from their
 * defaults as `gain` (dB), `norm=1` and `len` (ms). Coordinates are written as JavaScript's shortest round-trip
 * form of each number, so that the link lands on the very point it was made at.
 */

export interface SharedState {
  model: string | null;
  point: number[] | null;
  choice: Partial<ConditionChoice>;
  sound: SoundSettings;
}

export function shareQuery(model: string, point: readonly number[], choice: ConditionChoice | null, sound: SoundSettings, extra: URLSearchParams = new URLSearchParams()): string {
  const q = new URLSearchParams(extra);
  for (const key of ['model', 'z', 'class', 'mix', 'blend', 'v', 'gain', 'norm', 'len']) q.delete(key);
  q.set('model', model);
  q.set('z', point.map((x) => String(x)).join(','));
  if (choice?.classA) q.set('class', choice.classA);
  if (choice?.classB && choice.blend > 0) {
    q.set('mix', choice.classB);
    q.set('blend', String(choice.blend));
  }
  if (choice?.velocity !== null && choice?.velocity !== undefined) q.set('v', String(choice.velocity));
  if (sound.gainDb !== DEFAULT_SOUND.gainDb) q.set('gain', String(sound.gainDb));
  if (sound.normalise) q.set('norm', '1');
  if (sound.lengthMs !== null) q.set('len', String(sound.lengthMs));
  return q.toString();
}

/** A link's state, and what in it could not be used (said to the user in words). */
export function parseShared(q: URLSearchParams): { state: SharedState; problems: string[] } {
  const problems: string[] = [];
  const number = (key: string, what: string): number | null => {
    const raw = q.get(key);
    if (raw === null) return null;
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v)) {
      problems.push(`the link's ${what} (${key}=${raw}) is not a number`);
      return null;
    }
    return v;
  };
  let point: number[] | null = null;
  const z = q.get('z');
  if (z !== null) {
    const values = z.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
    if (values.length === 0 || values.some((v) => !Number.isFinite(v))) problems.push(`the link's point (z=${z}) is not a list of numbers`);
    else point = values;
  }
  const choice: Partial<ConditionChoice> = {};
  const cls = q.get('class');
  if (cls) choice.classA = cls;
  const mix = q.get('mix');
  if (mix) choice.classB = mix;
  const blend = number('blend', 'blend');
  if (blend !== null) choice.blend = blend;
  const v = number('v', 'velocity');
  if (v !== null) choice.velocity = v;
  const gain = number('gain', 'gain');
  const len = number('len', 'length');
  const sound: SoundSettings = {
    gainDb: gain ?? DEFAULT_SOUND.gainDb,
    normalise: q.get('norm') === '1',
    lengthMs: len !== null && len > 0 ? len : null,
  };
  return { state: { model: q.get('model'), point, choice, sound }, problems };
}
