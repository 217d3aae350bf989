/** The comparison report over run folders: table (markdown + CSV), loss curves, the size × activation matrix, and the HTML page. */
export { buildReport, sizeActivationMatrix, type ReportOptions, type ReportResult, type MatrixResult, type CurveChart } from './build';
export { writeHtmlReport, type HtmlOptions } from './html';
export { runLabels } from './names';
export { findRunFolders, readRun, flatten, type RunRecord, type RunStatus, type CellValue, type MetricCount } from './runs';
export { readMetricsFile, metricsFilesIn, attachMetrics, METRICS_FILE, METRICS_VERSION, type MetricsEntry } from './metrics';
export { buildTable, axisKeys, metricKeys, markdownTable, csvTable, formatCell, defaultColumns, checkColumns, selectColumns, KEY_METRICS, type Table } from './table';
