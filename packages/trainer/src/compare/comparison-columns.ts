import { bestRun, type RunComparison } from './compare-runs.js';
import type { RunSummary } from './run-summary.js';

/** One column of the comparison: its heading, each run's cell, and the run it marks best. */
export interface ComparisonColumn {
  readonly heading: string;
  readonly cells: readonly string[];
  /** For metric columns: the run with the best value after training. */
  readonly best?: number;
}

/** The table `tunekit compare` prints and draws: what each run is, what it cost, what it reached. */
export function comparisonColumns(comparison: RunComparison): ComparisonColumn[] {
  const cell = (format: (run: RunSummary) => string) => comparison.runs.map(format);
  return [
    { heading: 'run', cells: cell((run) => run.dir) },
    { heading: 'method', cells: cell((run) => run.method) },
    { heading: 'trainable params', cells: cell(trainableCell) },
    { heading: 'saved', cells: cell((run) => formatBytes(run.savedBytes)) },
    { heading: 'steps', cells: cell((run) => String(run.globalStep)) },
    { heading: 'train time', cells: cell((run) => formatSeconds(run.trainRuntimeSeconds)) },
    { heading: 'peak RSS', cells: cell((run) => formatBytes(run.peakRssBytes)) },
    ...comparison.metrics.map((metric) => ({
      heading: metric,
      cells: cell((run) => formatMetric(run.evalAfter?.[metric])),
      best: comparison.runs.length > 1 ? bestRun(comparison, metric) : undefined,
    })),
  ];
}

const MISSING = '-';

function trainableCell(run: RunSummary): string {
  const { trainableParameters: trainable, allParameters: all } = run;
  if (trainable === undefined || all === undefined) return MISSING;
  const percent = (100 * trainable) / all;
  return `${formatCount(trainable)} (${percent < 0.01 ? percent.toExponential(1) : percent.toFixed(2)}%)`;
}

function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}

/** Bytes in decimal units, as file managers and the Hub show sizes. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return MISSING;
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatSeconds(seconds: number | undefined): string {
  if (seconds === undefined) return MISSING;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m ${Math.round(seconds - 60 * minutes)}s`;
}

function formatMetric(value: number | undefined): string {
  return value === undefined ? MISSING : String(Number(value.toPrecision(4)));
}
