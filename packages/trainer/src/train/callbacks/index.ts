export {
  BUILTIN_CALLBACK_FACTORIES,
  builtinCallbacks,
  type CallbackFactory,
} from './builtin-callbacks.js';
export { EarlyStoppingCallback, type EarlyStoppingOptions } from './early-stopping.js';
export { JsonlMetricsCallback, METRICS_FILE } from './jsonl-metrics.js';
export { ProgressBarCallback, type ProgressBarOptions } from './progress-bar.js';
export { REPORT_FILE, ReportCallback } from './report.js';
export { type ReportData, reportHtml } from './report-html.js';
