/** The comparison report over run folders: table (markdown + CSV), loss curves, the size × activation matrix. */
export { buildReport, sizeActivationMatrix, type ReportOptions, type ReportResult, type MatrixResult } from './build';
export { findRunFolders, readRun, flatten, type RunRecord, type RunStatus, type CellValue } from './runs';
export { readMetricsFile, metricsFilesIn, attachMetrics, METRICS_FILE, METRICS_VERSION, type MetricsEntry } from './metrics';
export { buildTable, axisKeys, metricKeys, markdownTable, csvTable, formatCell, type Table } from './table';
