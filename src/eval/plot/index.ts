/**
 * PNG plots rendered in Node (no browser or display): pure data in, PNG bytes out. Callers write the bytes
 * (atomically, with src/util/atomic).
 */
export { waveformPng, type WaveformOptions } from './waveform';
export { spectrogramPng, type SpectrogramOptions } from './spectrogram';
export { scatterPng, type ScatterOptions, type ScatterPoints } from './scatter';
export { lineChartPng, type LineChartOptions, type LineSeries } from './lines';
export { heatmapPng, type HeatmapOptions } from './heatmap';
export { contactSheetPng, type ContactSheetOptions, type SheetCell } from './sheet';
export { stftMagnitudeDb, type StftDb, type StftOptions } from './stft';
export { minMaxEnvelope, type Envelope } from './envelope';
export { niceTicks, niceStep, niceDomain, logTicks, formatTick } from './ticks';
export { viridis, categoryColor } from './colormap';
export { hasFonts } from './canvas';
