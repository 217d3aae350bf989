import type { SoundSettings } from './sound';
import type { Favourite } from './favourites';

/**
 * The page's state as `window.__sampgen` exposes it, live: read by the end-to-end tests (and handy in the
 * browser console). Types only, so that tests can import them without loading the page.
 */

/** What a dropped file became: its name and latent point (and, for a conditional model, the condition it was encoded with). */
export interface Mark {
  label: string;
  point: number[];
  condition: number[] | null;
}

export interface PadState {
  model: string;
  point: number[];
  condition: number[] | null;
  /** The pad's sound: its decode with its sound controls applied. */
  rendered: Float32Array;
  sampleRate: number;
}

export interface AuditionState {
  /** True once a model is loaded and its first point decoded. */
  ready: boolean;
  /** 'site': a static site (`sampgen site`); 'audition': `sampgen audition`'s server. */
  mode: 'site' | 'audition';
  /** The TF.js backend running the models ('webgl' or 'cpu'). */
  backend: string;
  /** The selected model's folder. */
  model: string | null;
  /** The point the controls are at (may be ahead of the decoded sample while a decode runs). */
  point: number[];
  /** A conditional model's condition vector as the controls set it (classes, then velocity); null for other models. */
  condition: number[] | null;
  /** The point and condition of the sample last decoded, and that sample (the decoder's output). */
  decodedPoint: number[] | null;
  decodedCondition: number[] | null;
  sample: Float32Array | null;
  /** The current sound: `sample` with the sound controls applied. */
  rendered: Float32Array | null;
  sound: SoundSettings;
  decodes: number;
  /** Milliseconds the last decode took (prediction and read-back). */
  lastDecodeMs: number | null;
  /** Decode requests replaced by a newer one before they started. */
  droppedRequests: number;
  loop: boolean;
  loopRepetitions: number;
  plays: number;
  marks: Mark[];
  lastSaved: string | null;
  /** The last kit exported: the zip's name and its WAV files. */
  lastKit: { name: string; files: string[] } | null;
  /** The last problem shown next to the pad, in the words shown. */
  error: string | null;
  pads: (PadState | null)[];
  selectedPad: number;
  /** Pads played (the last 256): which, and when on the audio clock. */
  padHits: { pad: number; when: number }[];
  sequencer: { running: boolean; startedAt: number | null; bpm: number; swing: number; pattern: boolean[][]; queued: number };
  favourites: Favourite[];
  /** The training sample nearest to the decoded point: its index, distance and (where known) file. */
  nearest: { index: number; distance: number; name: string | null } | null;
  /** Sliders (directions) the space has: the latent size, so that every dimension is reachable. */
  directions: number;
  canUndo: boolean;
  canRedo: boolean;
}

declare global {
  interface Window {
    __sampgen: AuditionState;
  }
}
