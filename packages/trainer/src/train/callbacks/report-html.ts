import type { GenerationSample } from '@tunekit/core';
import { escapeHtml } from '../../html/index.js';
import { formatDuration, formatNumber } from './format.js';
import { reportAssets } from './report-assets.js';
import {
  type EvalSeriesGroups,
  evalSeries,
  groupEvalSeries,
  type LoggedEvaluation,
  logScaleAllowed,
  prefersLogScale,
  type StepSeries,
} from './report-series.js';

export interface ReportData {
  readonly title: string;
  /** Training loss and learning rate at every step. */
  readonly steps: readonly { readonly step: number; readonly loss: number; readonly lr: number }[];
  /** Each evaluation's metrics (`eval_loss`...) at its step. */
  readonly evals: readonly LoggedEvaluation[];
  /** The first evaluation's generations, and the last one's (when it is another evaluation). */
  readonly samplesBefore?: readonly GenerationSample[];
  readonly samplesAfter?: readonly GenerationSample[];
  /** Facts shown in the summary table (steps, runtime, output folder...). */
  readonly summary: Readonly<Record<string, string | number>>;
  /** Sections a task adds after the evaluations (a classifier's confusion matrix), HTML ready to insert. */
  readonly sections?: readonly { readonly title: string; readonly html: string }[];
}

/** TensorBoard's default smoothing weight. */
const DEFAULT_SMOOTHING = 0.6;

/**
 * The whole report: one self-contained HTML page. Its charts are drawn in the browser by uPlot,
 * inlined with the page script (report-page.js) and the data as JSON, so the file opens offline.
 */
export function reportHtml(data: ReportData): string {
  const groups = groupEvalSeries(data.evals);
  const lastStep = Math.max(data.steps.at(-1)?.step ?? 0, data.evals.at(-1)?.step ?? 0);
  const assets = reportAssets();
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(data.title)}</title>`,
    `<style>${assets.uplotCss}${STYLE}</style>`,
    '</head><body>',
    `<h1>${escapeHtml(data.title)}</h1>`,
    summaryTable(data),
    trainingSection(data),
    evaluationSection(data, groups, lastStep),
    ...(data.sections ?? []).map(({ title, html }) => `<h2>${escapeHtml(title)}</h2>\n${html}`),
    samplesSection(data),
    '<noscript><p>The charts are drawn by the script in this page.</p></noscript>',
    `<script type="application/json" id="report-data">${pageData(data, groups, lastStep)}</script>`,
    `<script>/*\n${assets.uplotLicense}*/\n${assets.uplotJs}</script>`,
    `<script type="module">${assets.pageJs}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}

/** What report-page.js draws, as JSON safe inside a <script> element. */
function pageData(data: ReportData, groups: EvalSeriesGroups, lastStep: number): string {
  const json = JSON.stringify({
    lastStep,
    training: {
      steps: data.steps.map((s) => s.step),
      loss: data.steps.map((s) => s.loss),
      learning_rate: data.steps.map((s) => s.lr),
    },
    evalCurves: groups.curves,
  });
  return json.replace(/</g, '\\u003c');
}

function summaryTable(data: ReportData): string {
  const rows = Object.entries(data.summary).map(([key, value]) => {
    const shown =
      typeof value === 'number'
        ? key.endsWith('runtime')
          ? formatDuration(value)
          : formatNumber(value)
        : value;
    return `<tr><th>${escapeHtml(key)}</th><td>${escapeHtml(String(shown))}</td></tr>`;
  });
  return `<table class="summary">${rows.join('')}</table>`;
}

/** The loss and learning-rate charts' places and the loss chart's controls. */
function trainingSection(data: ReportData): string {
  if (data.steps.length === 0) return '<h2>Training</h2><p>No training step was logged.</p>';
  const loss = data.steps.map((s) => s.loss);
  const log = [
    prefersLogScale(loss) ? ' checked' : '',
    logScaleAllowed(loss) ? '' : ' disabled title="the loss is not positive everywhere"',
  ].join('');
  return [
    '<h2>Training</h2>',
    '<div class="controls">',
    `<label><input type="checkbox" id="loss-log"${log}> log scale (training loss)</label>`,
    '<label>smoothing (training loss) ',
    `<input type="range" id="smoothing" min="0" max="0.99" step="0.01" value="${DEFAULT_SMOOTHING}">`,
    ` <output id="smoothing-value">${DEFAULT_SMOOTHING}</output></label>`,
    '</div>',
    '<div class="charts" id="training-charts"></div>',
  ].join('');
}

/** Charts of the metrics evaluated often, a before/after table of the others, then every value. */
function evaluationSection(data: ReportData, groups: EvalSeriesGroups, lastStep: number): string {
  if (data.evals.length === 0) return '';
  const zero =
    groups.zero.length > 0
      ? `<p class="zero-metrics">0 at every evaluation (not charted): ${groups.zero
          .map((n) => `<code>${escapeHtml(n)}</code>`)
          .join(', ')}</p>`
      : '';
  return [
    '<h2>Evaluations</h2>',
    groups.curves.length > 0 ? '<div class="charts" id="eval-charts"></div>' : '',
    sparseTable(groups.sparse, lastStep),
    zero,
    allEvaluations(data),
  ].join('');
}

/**
 * Metrics measured at fewer steps than a curve needs, one row each, a column per step and, with
 * two steps (before and after training), the change.
 */
function sparseTable(sparse: readonly StepSeries[], lastStep: number): string {
  if (sparse.length === 0) return '';
  const steps = [...new Set(sparse.flatMap((s) => s.steps))].sort((a, b) => a - b);
  const withChange = steps.length === 2;
  const stepName = (step: number) =>
    step === 0
      ? 'before training (step 0)'
      : step === lastStep
        ? `after training (step ${step})`
        : `step ${step}`;
  const head = `<tr><th>metric</th>${steps.map((s) => `<th>${stepName(s)}</th>`).join('')}${
    withChange ? '<th>change</th>' : ''
  }</tr>`;
  const rows = sparse.map((s) => {
    const at = (step: number) => {
      const i = s.steps.indexOf(step);
      return i < 0 ? undefined : s.values[i];
    };
    const cells = steps.map((step) => numberCell(at(step)));
    const [before, after] = steps.map(at);
    const change = before !== undefined && after !== undefined ? signed(after - before) : undefined;
    return `<tr><th>${escapeHtml(s.name)}</th>${cells.join('')}${
      withChange ? `<td class="num">${change ?? ''}</td>` : ''
    }</tr>`;
  });
  return `<table class="before-after">${head}${rows.join('')}</table>`;
}

function numberCell(value: number | undefined): string {
  return `<td class="num">${value === undefined ? '' : formatNumber(value)}</td>`;
}

function signed(value: number): string {
  return value > 0 ? `+${formatNumber(value)}` : formatNumber(value);
}

/** Every evaluation's every value, folded away (the charts and the table above summarise it). */
function allEvaluations(data: ReportData): string {
  const names = evalSeries(data.evals).map((s) => s.name);
  const head = `<tr><th>step</th>${names.map((n) => `<th>${escapeHtml(n)}</th>`).join('')}</tr>`;
  const rows = data.evals.map(
    (e) =>
      `<tr><td class="num">${e.step}</td>${names
        .map((n) => numberCell(n in e.metrics ? e.metrics[n] : undefined))
        .join('')}</tr>`,
  );
  return (
    `<details><summary>every evaluation (${data.evals.length})</summary>` +
    `<div class="scroll"><table class="evals">${head}${rows.join('')}</table></div></details>`
  );
}

/** Generations side by side, matched by prompt: before training, after, and the reference. */
function samplesSection(data: ReportData): string {
  const before = data.samplesBefore ?? [];
  const after = data.samplesAfter ?? [];
  if (before.length === 0 && after.length === 0) return '';
  const prompts = [...new Set([...before, ...after].map((s) => s.prompt))];
  const cell = (text: string | undefined) => `<td><pre>${escapeHtml(text ?? '')}</pre></td>`;
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
  'body{font-family:system-ui,sans-serif;max-width:1400px;margin:2em auto;padding:0 2em;color:#222}',
  'table{border-collapse:collapse;margin:1em 0}',
  'th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}',
  'td{overflow-wrap:anywhere}',
  '.u-legend th,.u-legend td{border:0;padding:0 2px}',
  'td.num{text-align:right;font-variant-numeric:tabular-nums}',
  '.controls{display:flex;flex-wrap:wrap;gap:.5em 2em;align-items:center;margin:.5em 0 1em}',
  '.controls input[type=range]{vertical-align:middle}',
  '.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(480px,100%),1fr));gap:1.5em}',
  'figure.chart{margin:0;min-width:0}',
  '.scroll{overflow-x:auto}',
  'table.samples{width:100%;table-layout:fixed}',
  'pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:0;font-size:.9em}',
].join('');
