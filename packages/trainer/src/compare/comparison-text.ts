import type { RunComparison } from './compare-runs.js';
import { comparisonColumns } from './comparison-columns.js';

/**
 * The comparison as a plain-text table, one line per run, columns padded to their widest cell; the
 * best value of each metric after training is starred.
 */
export function comparisonText(comparison: RunComparison): string[] {
  const columns = comparisonColumns(comparison).map((column) => ({
    heading: column.heading,
    cells: column.cells.map((cell, i) => (i === column.best ? `${cell}*` : cell)),
  }));
  const widths = columns.map((c) => Math.max(c.heading.length, ...c.cells.map((s) => s.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const lines = [
    line(columns.map((c) => c.heading)),
    line(widths.map((w) => '-'.repeat(w))),
    ...comparison.runs.map((_, row) => line(columns.map((c) => c.cells[row] ?? ''))),
  ];
  if (comparison.metrics.length > 0 && comparison.runs.length > 1)
    lines.push('', '* best after training (lowest loss and perplexity, highest otherwise)');
  return lines;
}
