import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MetricValues } from '@tunekit/core';
import { escapeHtml } from '../html/index.js';
import type { DialoguesResult } from './dialogue-eval.js';
import { lastUserText } from './respond.js';
import type { SafetyResult } from './safety-eval.js';

export const EVAL_REPORT_JSON = 'eval_report.json';
export const EVAL_REPORT_HTML = 'eval_report.html';

/** What `tunekit eval` measured, as its report holds it. */
export interface EvalReport {
  readonly model: string;
  readonly adapter?: string;
  readonly template: string;
  /** The data file's metrics (loss, exact match, ...), when one was evaluated. */
  readonly data?: { readonly file: string; readonly metrics: MetricValues };
  readonly safety?: { readonly file: string } & SafetyResult;
  readonly dialogues?: { readonly file: string } & DialoguesResult;
  /** The spot-check file written, and how many answers it holds. */
  readonly spot_check?: { readonly file: string; readonly records: number };
}

/** Writes `eval_report.json` and `eval_report.html` into `dir` (each to a temporary name, then renamed). */
export async function writeEvalReport(dir: string, report: EvalReport): Promise<string[]> {
  const files: [string, string][] = [
    [EVAL_REPORT_JSON, `${JSON.stringify(report, null, 2)}\n`],
    [EVAL_REPORT_HTML, evalReportHtml(report)],
  ];
  return Promise.all(
    files.map(async ([name, text]) => {
      const path = join(dir, name);
      await writeFile(`${path}.tmp`, text);
      await rename(`${path}.tmp`, path);
      return path;
    }),
  );
}

const pct = (v: number | undefined) => (v === undefined ? '–' : `${(v * 100).toFixed(1)}%`);
const cell = (text: string) => `<td>${escapeHtml(text)}</td>`;
const table = (head: readonly string[], rows: readonly string[][]) =>
  `<table><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>${rows
    .map((r) => `<tr>${r.join('')}</tr>`)
    .join('')}</table>`;
const verdict = (v: boolean | undefined) =>
  v === undefined ? cell('') : `<td class="${v ? 'ok' : 'bad'}">${v ? 'pass' : 'fail'}</td>`;

/** The report as one self-contained HTML page (no scripts, no network). */
export function evalReportHtml(report: EvalReport): string {
  const sections: string[] = [];
  if (report.data) {
    const rows = Object.entries(report.data.metrics).map(([k, v]) => [
      cell(k),
      cell(String(Number(v.toPrecision(6)))),
    ]);
    sections.push(`<h2>${escapeHtml(report.data.file)}</h2>${table(['metric', 'value'], rows)}`);
  }
  if (report.safety) {
    const s = report.safety;
    const metricRow = (name: string, m: SafetyResult['metrics']) => [
      cell(name),
      cell(String(m.prompts)),
      cell(pct(m.refusal_accuracy)),
      cell(pct(m.safe_response_rate)),
      cell(pct(m.over_refusal_rate)),
    ];
    const summary = table(
      ['', 'prompts', 'refusal accuracy', 'safe-response rate', 'over-refusal rate'],
      [
        metricRow('all', s.metrics),
        ...Object.entries(s.byCategory).map(([c, m]) => metricRow(c, m)),
      ],
    );
    const answers = table(
      ['id', 'category', 'prompt', 'response', 'should', 'refused'],
      s.judgements.map((j) => [
        cell(j.id),
        cell(j.category ?? ''),
        cell(lastUserText(j.messages)),
        cell(j.response),
        cell(j.label),
        // green where the model did what the label asks
        `<td class="${j.refused === (j.label === 'refuse') ? 'ok' : 'bad'}">${j.refused ? 'yes' : 'no'}</td>`,
      ]),
    );
    sections.push(
      `<h2>Safety: ${escapeHtml(s.file)} (refusals by ${escapeHtml(s.detector)})</h2>${summary}<h3>Answers</h3>${answers}`,
    );
  }
  if (report.dialogues) {
    const d = report.dialogues;
    const m = d.metrics;
    const summary = table(
      ['dialogues', 'turns', 'turn success', 'dialogue success', 'coherence'],
      [
        [
          cell(String(m.dialogues)),
          cell(String(m.turns)),
          cell(pct(m.turn_success_rate)),
          cell(pct(m.dialogue_success_rate)),
          cell(pct(m.coherence)),
        ],
      ],
    );
    const turns = table(
      ['dialogue', 'turn', 'user', 'answer', 'check', 'coherent'],
      d.dialogues.flatMap((dialogue) =>
        dialogue.turns.map((t, k) => [
          cell(
            k === 0
              ? `${dialogue.id}${dialogue.passed === undefined ? '' : dialogue.passed ? ' ✓' : ' ✗'}`
              : '',
          ),
          cell(String(k + 1)),
          cell(t.user),
          cell(t.answer),
          verdict(t.passed),
          cell(t.coherent ? 'yes' : 'no'),
        ]),
      ),
    );
    sections.push(`<h2>Dialogues: ${escapeHtml(d.file)}</h2>${summary}<h3>Turns</h3>${turns}`);
  }
  if (report.spot_check)
    sections.push(
      `<p>Spot check: ${report.spot_check.records} answers for review in <code>${escapeHtml(report.spot_check.file)}</code>.</p>`,
    );
  const what = report.adapter ? `${report.model} + ${report.adapter}` : report.model;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tunekit eval: ${escapeHtml(what)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin-bottom: 1em; }
th, td { padding: 0.35em 0.8em; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; white-space: pre-wrap; }
td.ok { color: #1a7f37; } td.bad { color: #c62828; }
</style>
</head>
<body>
<h1>Evaluation of ${escapeHtml(what)}</h1>
<p>Chat template: ${escapeHtml(report.template)}</p>
${sections.join('\n')}
</body>
</html>
`;
}
