import { escapeHtml } from '../html/index.js';
import type { RunComparison } from './compare-runs.js';
import { comparisonColumns } from './comparison-columns.js';

/**
 * The comparison as one self-contained HTML page (no scripts, no network): the table with the best
 * value of each metric in bold, and beside each metric cell a bar scaled to that column's largest value.
 */
export function comparisonHtml(comparison: RunComparison): string {
  const columns = comparisonColumns(comparison);
  const metricStart = columns.length - comparison.metrics.length;
  const head = columns.map((c) => `<th>${escapeHtml(c.heading)}</th>`).join('');
  const rows = comparison.runs.map((_, row) => {
    const cells = columns.map((column, col) => {
      const text = escapeHtml(column.cells[row] ?? '');
      if (col < metricStart) return `<td>${text}</td>`;
      const metric = comparison.metrics[col - metricStart] ?? '';
      const bar = barPercent(comparison, metric, row);
      const body = row === column.best ? `<strong>${text}</strong>` : text;
      return bar === undefined
        ? `<td class="num">${body}</td>`
        : `<td class="num">${body}<span class="bar" style="width:${bar.toFixed(1)}%"></span></td>`;
    });
    return `<tr>${cells.join('')}</tr>`;
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tunekit compare</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; }
th, td { padding: 0.35em 0.8em; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
td.num { font-variant-numeric: tabular-nums; }
.bar { display: block; height: 4px; margin-top: 3px; background: #4a7bd0; }
</style>
</head>
<body>
<h1>Training runs compared</h1>
<p>Eval metrics after training; the best of each in bold (lowest loss and perplexity, highest otherwise).</p>
<table>
<thead><tr>${head}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</body>
</html>
`;
}

/** The run's value of `metric` as a share of the column's largest, or undefined without values. */
function barPercent(comparison: RunComparison, metric: string, row: number): number | undefined {
  const values = comparison.runs.map((run) => run.evalAfter?.[metric]);
  const value = values[row];
  const max = Math.max(...values.filter((v): v is number => v !== undefined && Number.isFinite(v)));
  if (value === undefined || !Number.isFinite(value) || !(max > 0)) return undefined;
  return (100 * Math.max(0, value)) / max;
}
