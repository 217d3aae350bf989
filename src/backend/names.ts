/**
 * The backends a user can ask for (`train.backend`, `--backend`), declared once. A module without imports, so that
 * the config types can use it without loading TF.js.
 *   auto: tfjs-node-gpu, tfjs-node, wasm, then cpu, the first that works; the others name one.
 */
export const BACKEND_REQUESTS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendRequest = (typeof BACKEND_REQUESTS)[number];
