import { escapeHtml } from '@tunekit/trainer';
import type { DataStats } from './data-stats.js';
import type { LengthSummary } from './token-lengths.js';

/** The statistics as one self-contained page: the figures, the counts and SVG length histograms. */
export function statsHtml(stats: DataStats): string {
  const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
  const rows: [string, string][] = [
    ['files', stats.files.join(', ')],
    ['format', stats.format],
    ['records', String(stats.records)],
    ['invalid', String(stats.invalid)],
    ['turns per record', stats.mean_turns.toFixed(2)],
    ['citation ratio', percent(stats.citation_ratio)],
    ['refusal ratio', percent(stats.refusal_ratio)],
    ['exact duplicates', percent(stats.exact_duplicate_rate)],
    ['near duplicates (beyond exact)', percent(stats.near_duplicate_rate)],
  ];
  if (stats.max_length !== undefined)
    rows.push([`longer than max_length ${stats.max_length}`, String(stats.over_max_length)]);
  const charts: [string, LengthSummary | undefined][] = [
    ['Answer length (words)', stats.response_words],
    ['Answer length (tokens)', stats.response_tokens],
    ['Record length (tokens, rendered)', stats.record_tokens],
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tunekit data stats</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin-bottom: 1.5em; }
th, td { padding: 0.3em 0.8em; border-bottom: 1px solid #ddd; text-align: left; }
svg rect { fill: #4a7bd0; }
svg text { font-size: 10px; fill: #444; }
</style>
</head>
<body>
<h1>Data statistics</h1>
${table(rows)}
${stats.invalid_examples.length > 0 ? `<h2>Invalid records</h2><ul>${stats.invalid_examples.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul>` : ''}
<h2>Roles</h2>
${table(sortedCounts(stats.roles))}
<h2>Tasks</h2>
${table(sortedCounts(stats.tasks))}
<h2>Personas</h2>
${table(sortedCounts(stats.personas))}
${charts
  .filter((chart): chart is [string, LengthSummary] => chart[1] !== undefined)
  .map(([title, summary]) => `<h2>${title}</h2>\n${histogramSvg(summary)}`)
  .join('\n')}
</body>
</html>
`;
}

function sortedCounts(values: Readonly<Record<string, number>>): [string, string][] {
  return Object.entries(values)
    .sort((a, b) => b[1] - a[1])
    .map(([name, count]) => [name, String(count)]);
}

function table(rows: readonly [string, string][]): string {
  return `<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

/** Bars of the histogram's bins with their ranges under them, 400 x 160 pixels. */
function histogramSvg(summary: LengthSummary): string {
  const bins = summary.histogram;
  const most = Math.max(1, ...bins.map((bin) => bin.count));
  const width = 400 / bins.length;
  const bars = bins.map((bin, i) => {
    const height = (120 * bin.count) / most;
    const x = (i * width).toFixed(1);
    return (
      `<rect x="${x}" y="${(130 - height).toFixed(1)}" width="${(width - 2).toFixed(1)}" height="${height.toFixed(1)}"><title>${bin.from}-${bin.to - 1}: ${bin.count}</title></rect>` +
      `<text x="${x}" y="145">${bin.from}</text>`
    );
  });
  return `<svg width="420" height="160" role="img" aria-label="histogram">${bars.join('')}<text x="0" y="158">mean ${summary.mean.toFixed(1)}, median ${summary.median}, p95 ${summary.p95}, max ${summary.max}</text></svg>`;
}
