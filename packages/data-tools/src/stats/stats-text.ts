import type { DataStats } from './data-stats.js';
import type { LengthSummary } from './token-lengths.js';

/** The statistics as the lines `tunekit data stats` prints. */
export function statsText(stats: DataStats): string[] {
  const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
  const lines = [
    `${stats.files.join(', ')}: ${stats.records} records (${stats.format}), ${stats.invalid} invalid`,
    ...stats.invalid_examples.map((line) => `  invalid: ${line}`),
    `roles:      ${counts(stats.roles)}`,
    `tasks:      ${counts(stats.tasks)}`,
    `personas:   ${counts(stats.personas)}`,
    `turns:      ${stats.mean_turns.toFixed(2)} per record (system messages aside)`,
    `response:   ${lengths(stats.response_words, 'words')}`,
  ];
  if (stats.response_tokens) lines.push(`            ${lengths(stats.response_tokens, 'tokens')}`);
  if (stats.record_tokens) {
    lines.push(`record:     ${lengths(stats.record_tokens, 'tokens')} (rendered by the template)`);
    if (stats.max_length !== undefined)
      lines.push(
        `            ${stats.over_max_length} of ${stats.records} longer than max_length ${stats.max_length}`,
      );
    lines.push(...histogram(stats.record_tokens));
  }
  lines.push(
    `citations:  ${percent(stats.citation_ratio)} of answers cite a source`,
    `refusals:   ${percent(stats.refusal_ratio)} of answers refuse`,
    `duplicates: ${percent(stats.exact_duplicate_rate)} exact, ${percent(stats.near_duplicate_rate)} near (beyond exact)`,
  );
  return lines;
}

function counts(values: Readonly<Record<string, number>>): string {
  const entries = Object.entries(values).sort((a, b) => b[1] - a[1]);
  const shown = entries.slice(0, 8).map(([name, count]) => `${name} ${count}`);
  return entries.length > 8
    ? `${shown.join(', ')}, ... (${entries.length} in all)`
    : shown.join(', ');
}

function lengths(summary: LengthSummary, unit: string): string {
  return `mean ${summary.mean.toFixed(1)} ${unit}, median ${summary.median}, p95 ${summary.p95}, max ${summary.max}`;
}

/** The histogram as bars of '#', 40 for the fullest bin. */
function histogram(summary: LengthSummary): string[] {
  const most = Math.max(1, ...summary.histogram.map((bin) => bin.count));
  const label = (bin: { from: number; to: number }) => `${bin.from}-${bin.to - 1}`.padStart(11);
  return summary.histogram.map(
    (bin) => `${label(bin)} ${'#'.repeat(Math.round((40 * bin.count) / most))} ${bin.count}`,
  );
}
