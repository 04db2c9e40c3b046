import type { GenerationSample } from '@tunekit/core';
import { formatDuration, formatNumber } from './format.js';
import { type ChartSeries, escapeXml, lineChart } from './svg-chart.js';

export interface ReportData {
  readonly title: string;
  /** Training loss and learning rate at every step. */
  readonly steps: readonly { readonly step: number; readonly loss: number; readonly lr: number }[];
  /** Each evaluation's metrics (`eval_loss`...) at its step. */
  readonly evals: readonly {
    readonly step: number;
    readonly metrics: Readonly<Record<string, number>>;
  }[];
  /** The first evaluation's generations, and the last one's (when it is another evaluation). */
  readonly samplesBefore?: readonly GenerationSample[];
  readonly samplesAfter?: readonly GenerationSample[];
  /** Facts shown in the summary table (steps, runtime, output folder...). */
  readonly summary: Readonly<Record<string, string | number>>;
}

/** The whole report: one self-contained HTML page with inline SVG charts and no script. */
export function reportHtml(data: ReportData): string {
  const charts = [
    lineChart('training loss', [
      series(
        'loss',
        data.steps.map((s) => [s.step, s.loss]),
      ),
    ]),
    lineChart('learning rate', [
      series(
        'learning_rate',
        data.steps.map((s) => [s.step, s.lr]),
      ),
    ]),
    ...evalMetricNames(data).map((name) =>
      lineChart(name, [
        series(
          name,
          data.evals.flatMap((e) => (name in e.metrics ? [[e.step, e.metrics[name]]] : [])),
        ),
      ]),
    ),
  ];
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeXml(data.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head><body>',
    `<h1>${escapeXml(data.title)}</h1>`,
    summaryTable(data),
    '<h2>Curves</h2>',
    `<div class="charts">${charts.join('\n')}</div>`,
    evalTable(data),
    samplesSection(data),
    '</body></html>',
    '',
  ].join('\n');
}

function series(name: string, points: readonly (readonly [number, number])[]): ChartSeries {
  return { name, points };
}

function evalMetricNames(data: ReportData): string[] {
  return [...new Set(data.evals.flatMap((e) => Object.keys(e.metrics)))].filter(
    (k) => k !== 'epoch',
  );
}

function summaryTable(data: ReportData): string {
  const rows = Object.entries(data.summary).map(([key, value]) => {
    const shown =
      typeof value === 'number'
        ? key.endsWith('runtime')
          ? formatDuration(value)
          : formatNumber(value)
        : value;
    return `<tr><th>${escapeXml(key)}</th><td>${escapeXml(String(shown))}</td></tr>`;
  });
  return `<table class="summary">${rows.join('')}</table>`;
}

function evalTable(data: ReportData): string {
  if (data.evals.length === 0) return '';
  const names = evalMetricNames(data);
  const head = `<tr><th>step</th>${names.map((n) => `<th>${escapeXml(n)}</th>`).join('')}</tr>`;
  const rows = data.evals.map(
    (e) =>
      `<tr><td>${e.step}</td>${names
        .map((n) => `<td>${n in e.metrics ? formatNumber(e.metrics[n]) : ''}</td>`)
        .join('')}</tr>`,
  );
  return `<h2>Evaluations</h2><table class="evals">${head}${rows.join('')}</table>`;
}

/** Generations side by side, matched by prompt: before training, after, and the reference. */
function samplesSection(data: ReportData): string {
  const before = data.samplesBefore ?? [];
  const after = data.samplesAfter ?? [];
  if (before.length === 0 && after.length === 0) return '';
  const prompts = [...new Set([...before, ...after].map((s) => s.prompt))];
  const cell = (text: string | undefined) => `<td><pre>${escapeXml(text ?? '')}</pre></td>`;
  const rows = prompts.map((prompt) => {
    const b = before.find((s) => s.prompt === prompt);
    const a = after.find((s) => s.prompt === prompt);
    return `<tr class="sample">${cell(prompt)}${cell(b?.prediction)}${cell(a?.prediction)}${cell(a?.reference ?? b?.reference)}</tr>`;
  });
  return (
    '<h2>Sample generations</h2><table class="samples">' +
    '<tr><th>prompt</th><th>before</th><th>after</th><th>reference</th></tr>' +
    `${rows.join('')}</table>`
  );
}

const STYLE = [
  'body{font-family:system-ui,sans-serif;margin:2em;color:#222}',
  'table{border-collapse:collapse;margin:1em 0}',
  'th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}',
  '.charts{display:flex;flex-wrap:wrap;gap:1em}',
  'pre{white-space:pre-wrap;margin:0;max-width:40em}',
].join('');
