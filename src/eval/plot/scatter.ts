/**
 * Scatter plot of 2-D points — the study's latent-space figures: thousands of small translucent dots, coloured by
 * a continuous feature (viridis with a colour bar) or by category (palette with a legend).
 */
import { chartPng } from '../chart/render';
import { scatterSpec, type ScatterOptions, type ScatterPoints } from '../chart/specs';

export { type ScatterOptions, type ScatterPoints, interleavedOrder, paddedExtent } from '../chart/specs';

export function scatterPng(points: ScatterPoints, opts: ScatterOptions): Uint8Array {
  return chartPng(scatterSpec(points, opts));
}
