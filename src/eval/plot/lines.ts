/** Line chart: one line per series with a legend, linear or log y — the loss curves of training runs. */
import { chartPng } from '../chart/render';
import { lineChartSpec, type LineChartOptions, type LineSeries } from '../chart/specs';

export { type LineChartOptions, type LineSeries, MARKER_LIMIT } from '../chart/specs';

export function lineChartPng(series: readonly LineSeries[], opts: LineChartOptions): Uint8Array {
  return chartPng(lineChartSpec(series, opts));
}
