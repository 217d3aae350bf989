/**
 * Heatmap of a small labelled matrix with each value written in its cell — the study's size × activation table
 * of a metric. Missing cells (null, or a metric that came out NaN) are grey with a dash.
 */
import { chartPng } from '../chart/render';
import { heatmapSpec, type HeatmapOptions } from '../chart/specs';

export { type HeatmapOptions, formatValue } from '../chart/specs';

export function heatmapPng(matrix: ReadonlyArray<ReadonlyArray<number | null>>, rowLabels: readonly string[], colLabels: readonly string[], opts: HeatmapOptions): Uint8Array {
  return chartPng(heatmapSpec(matrix, rowLabels, colLabels, opts));
}
