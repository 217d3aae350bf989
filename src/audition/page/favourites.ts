import type { ConditionChoice } from './conditioning';
import type { SoundSettings } from './sound';

/**
 * Starred sounds, kept in the browser (localStorage, per site: a static site's favourites are its own), to be
 * exported together as a kit. A favourite names its model by folder and keeps everything that makes its sound
 * again: the point, the condition and the sound controls. Entries read back are checked field by field; what does
 * not parse (another version, a hand edit) is left out and said, never thrown.
 */

export const FAVOURITES_KEY = 'sampgen.favourites.v1';

export interface Favourite {
  id: string;
  /** The model's folder (its id in URLs) and name. */
  model: string;
  modelName: string;
  point: number[];
  choice: ConditionChoice | null;
  sound: SoundSettings;
  /** ISO time it was starred. */
  added: string;
}

type Store = Pick<Storage, 'getItem' | 'setItem'>;

const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isNullableString = (x: unknown) => x === null || typeof x === 'string';

function validChoice(c: unknown): c is ConditionChoice | null {
  if (c === null) return true;
  if (typeof c !== 'object') return false;
  const o = c as Record<string, unknown>;
  return isNullableString(o.classA) && isNullableString(o.classB) && isNumber(o.blend) && (o.velocity === null || isNumber(o.velocity));
}

function validSound(s: unknown): s is SoundSettings {
  if (typeof s !== 'object' || s === null) return false;
  const o = s as Record<string, unknown>;
  return isNumber(o.gainDb) && typeof o.normalise === 'boolean' && (o.lengthMs === null || isNumber(o.lengthMs));
}

export function isFavourite(x: unknown): x is Favourite {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return (
    typeof o.id === 'string' &&
    typeof o.model === 'string' &&
    typeof o.modelName === 'string' &&
    Array.isArray(o.point) &&
    o.point.length > 0 &&
    o.point.every(isNumber) &&
    validChoice(o.choice) &&
    validSound(o.sound) &&
    typeof o.added === 'string'
  );
}

/** The stored favourites, and a sentence when some (or all) could not be read. */
export function loadFavourites(store: Store | null): { list: Favourite[]; problem: string | null } {
  if (!store) return { list: [], problem: 'this browser keeps no local storage here, so favourites last only until the page is closed' };
  let raw: string | null;
  try {
    raw = store.getItem(FAVOURITES_KEY);
  } catch {
    return { list: [], problem: 'this browser does not let the page read its local storage, so favourites last only until the page is closed' };
  }
  if (raw === null) return { list: [], problem: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { list: [], problem: 'the stored favourites could not be read (not JSON); starting a new list' };
  }
  if (!Array.isArray(parsed)) return { list: [], problem: 'the stored favourites could not be read; starting a new list' };
  const list = parsed.filter(isFavourite);
  const lost = parsed.length - list.length;
  return { list, problem: lost > 0 ? `${lost} stored favourite${lost === 1 ? '' : 's'} could not be read and ${lost === 1 ? 'was' : 'were'} left out` : null };
}

/** Stores the list; returns why it could not (storage full or refused), or null. */
export function saveFavourites(store: Store | null, list: readonly Favourite[]): string | null {
  if (!store) return 'favourites cannot be kept: this browser gives the page no local storage';
  try {
    store.setItem(FAVOURITES_KEY, JSON.stringify(list));
    return null;
  } catch {
    return "favourites cannot be kept: the browser's local storage for this site is full or switched off";
  }
}

/** localStorage, or null where the browser refuses it (some private modes throw on access). */
export function browserStore(): Store | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
