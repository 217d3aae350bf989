/**
 * PNG plots rendered in Node (no browser or display): pure data in, PNG bytes out. Callers write the bytes
 * (atomically, with src/util/atomic). Charts (lines, scatter, heatmap) are Vega-Lite specifications rendered by
 * src/eval/chart; waveforms, spectrograms and contact sheets are painted on a canvas (axes.ts says why).
 */
export { waveformPng, type WaveformOptions } from './waveform';
export { spectrogramPng, stftMagnitudeDb, type SpectrogramOptions, type StftDb } from './spectrogram';
export { scatterPng, type ScatterOptions, type ScatterPoints } from './scatter';
export { lineChartPng, type LineChartOptions, type LineSeries } from './lines';
export { heatmapPng, type HeatmapOptions } from './heatmap';
export { contactSheetPng, type ContactSheetOptions, type SheetCell } from './sheet';
export { minMaxEnvelope, type Envelope } from './envelope';
export { niceTicks, niceStep, niceDomain, formatTick } from './ticks';
export { viridis, categoryColor } from './colormap';
export { hasFonts } from './canvas';
