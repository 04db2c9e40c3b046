import { describe, expect, it } from 'vitest';
import { type ReportData, reportHtml } from './report-html.js';

/** A run of 40 steps evaluated only before and after training, as `tunekit train` does. */
const beforeAfter: ReportData = {
  title: 'run',
  steps: Array.from({ length: 40 }, (_, i) => ({ step: i + 1, loss: 4 / (i + 1), lr: 1e-3 })),
  evals: [
    { step: 0, metrics: { eval_loss: 3.5, eval_exact_match: 0, eval_bleu: 0, epoch: 0 } },
    { step: 40, metrics: { eval_loss: 1.25, eval_exact_match: 1, eval_bleu: 0, epoch: 2 } },
  ],
  summary: { steps: '40 / 40' },
};

function pageData(html: string) {
  return JSON.parse(
    /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)?.[1] ?? '',
  );
}

describe('reportHtml', () => {
  it('shows evaluations from before and after training in a table, not as curves', () => {
    const html = reportHtml(beforeAfter);
    expect(pageData(html).evalCurves).toEqual([]);
    expect(html).not.toContain('id="eval-charts"');
    const table = /<table class="before-after">(.*?)<\/table>/s.exec(html)?.[1] ?? '';
    expect(table).toContain('<th>before training (step 0)</th><th>after training (step 40)</th>');
    expect(table).toContain(
      '<tr><th>eval_loss</th><td class="num">3.5</td><td class="num">1.25</td><td class="num">-2.25</td></tr>',
    );
    expect(table).toContain(
      '<tr><th>eval_exact_match</th><td class="num">0</td><td class="num">1</td><td class="num">+1</td></tr>',
    );
  });

  it('names metrics that are 0 throughout in one line instead of a chart or a row', () => {
    const html = reportHtml(beforeAfter);
    expect(html).toContain(
      '<p class="zero-metrics">0 at every evaluation (not charted): <code>eval_bleu</code></p>',
    );
    expect(/<table class="before-after">.*?<\/table>/s.exec(html)?.[0]).not.toContain('eval_bleu');
  });

  it('opens a loss that falls tenfold on a log axis, with the smoothing control', () => {
    const html = reportHtml(beforeAfter);
    expect(html).toContain('<input type="checkbox" id="loss-log" checked>');
    expect(html).toMatch(/<input type="range" id="smoothing"[^>]* value="0.6">/);
    const flat = reportHtml({
      ...beforeAfter,
      steps: beforeAfter.steps.map((s) => ({ ...s, loss: 2 - s.step / 100 })),
    });
    expect(flat).toContain('<input type="checkbox" id="loss-log">');
  });

  it('keeps the page data inside its script element whatever a metric is called', () => {
    const html = reportHtml({
      ...beforeAfter,
      evals: [0, 1, 2].map((step) => ({ step, metrics: { 'eval_</script><b>x': step + 1 } })),
    });
    expect(pageData(html).evalCurves[0].name).toBe('eval_</script><b>x');
    expect(html).not.toContain('<b>x');
  });
});
