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

export interface AuditionState {
  /** True once a model is loaded and its first point decoded. */
  ready: boolean;
  /** The TF.js backend running the models ('webgl' or 'cpu'). */
  backend: string;
  /** The selected model's folder. */
  model: string | null;
  /** The point the controls are at (may be ahead of the decoded sample while a decode runs). */
  point: number[];
  /** A conditional model's condition vector as the controls set it (classes, then velocity); null for other models. */
  condition: number[] | null;
  /** The point and condition of the sample last decoded, and that sample. */
  decodedPoint: number[] | null;
  decodedCondition: number[] | null;
  sample: Float32Array | null;
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
  error: string | null;
}

declare global {
  interface Window {
    __sampgen: AuditionState;
  }
}
