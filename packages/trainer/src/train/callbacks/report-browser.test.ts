import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, launchChromium, type Page } from '@tunekit/test-chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test-utils.js';
import { type ReportData, reportHtml } from './report-html.js';

const steps = Array.from({ length: 300 }, (_, i) => ({
  step: i + 1,
  // falls 30-fold in the first 10% of the run, then wobbles: flat on a linear axis
  loss: 0.3 + 9 * Math.exp(-i / 8) + 0.05 * Math.sin(i * 1.7),
  lr: 2e-4 * (1 - i / 300),
}));
const longText = `${'What is 2+2? '.repeat(30)}${'x'.repeat(400)}`;
const samples = [{ prompt: longText, prediction: longText, reference: '4' }];
const summary = { steps: '300 / 300', output_dir: `/tmp/${'a-long-folder-name/'.repeat(20)}` };

/** Evaluated every 50 steps: curves. */
const dense: ReportData = {
  title: 'dense',
  steps,
  evals: [0, 50, 100, 150, 200, 250, 300].map((step, i) => ({
    step,
    metrics: { eval_loss: 3 / (i + 1), eval_token_accuracy: 0.1 * (i + 1), eval_bleu: 0 },
  })),
  samplesBefore: samples,
  samplesAfter: samples,
  summary,
};

/** Evaluated before and after training only, as `tunekit train` does by default. */
const beforeAfter: ReportData = {
  ...dense,
  title: 'before and after',
  evals: [0, 300].map((step, i) => ({
    step,
    metrics: { eval_loss: 3 - 2 * i, eval_exact_match: i, eval_bleu: 0, epoch: i },
  })),
};

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
}, 600_000); // a fresh CI machine installs chromium first

afterAll(async () => {
  await browser?.close();
});

/** The report opened at 1280 px, once its script says every chart is drawn. */
async function open(data: ReportData): Promise<{ page: Page; errors: string[] }> {
  const file = join(await tempDir(), 'report.html');
  await writeFile(file, reportHtml(data));
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('html[data-ready="true"]', { state: 'attached' });
  return { page, errors };
}

// The callbacks of $eval and evaluate run in the page; this project compiles without DOM types,
// so their element parameters are loosely typed.

/** Width and height of every chart canvas. */
function canvasSizes(page: Page) {
  return page.$$eval('figure.chart canvas', (canvases) =>
    canvases.map((c) => {
      const box = c.getBoundingClientRect();
      return [box.width, box.height];
    }),
  );
}

/** How far the page scrolls sideways (document.documentElement's scrollWidth - clientWidth). */
function overflow(page: Page) {
  return page.$eval('html', (root) => root.scrollWidth - root.clientWidth);
}

/** The hover value the legend of chart `title` shows for series `label`. */
function legendValue(page: Page, title: string, label: string) {
  return page
    .locator(`figure[data-chart="${title}"] .u-legend tr`, { hasText: label })
    .first()
    .locator('.u-value')
    .textContent();
}

describe('report.html in Chromium', () => {
  it('draws loss, learning rate and dense evaluations with hover values, and no sideways scroll', async () => {
    const { page, errors } = await open(dense);
    const charts = await page.$$eval('figure.chart', (fs) => fs.map((f) => f.dataset.chart));
    // eval_bleu is 0 throughout: named, not charted
    expect(charts).toEqual(['training loss', 'learning rate', 'eval_loss', 'eval_token_accuracy']);
    const sizes = await canvasSizes(page);
    expect(sizes).toHaveLength(4);
    for (const [w, h] of sizes) {
      expect(w).toBeGreaterThan(300);
      expect(h).toBeGreaterThan(100);
    }
    await expect(page.locator('p.zero-metrics').textContent()).resolves.toContain('eval_bleu');
    expect(await overflow(page)).toBeLessThanOrEqual(0);

    // hovering the loss chart shows the raw and the smoothed loss at that step
    const over = page.locator('figure[data-chart="training loss"] .u-over');
    const box = await over.boundingBox();
    if (!box) throw new Error('the loss chart has no plot area');
    const hover = () => page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2);
    await hover();
    const raw = await legendValue(page, 'training loss', 'loss');
    expect(raw).toMatch(/^\d/);
    expect(await legendValue(page, 'training loss', 'smoothed')).not.toBe(raw);
    // smoothing 0 draws the raw values
    await page.locator('#smoothing').fill('0');
    await hover();
    expect(await legendValue(page, 'training loss', 'smoothed')).toBe(raw);

    // the loss falls 30-fold: log axis first; a linear one on request
    const lossPixels = () =>
      page
        .locator('figure[data-chart="training loss"] canvas')
        .evaluate((canvas) => canvas.toDataURL());
    await expect(page.locator('#loss-log').isChecked()).resolves.toBe(true);
    const logDrawn = await lossPixels();
    await page.locator('#loss-log').uncheck();
    expect(await lossPixels()).not.toBe(logDrawn);
    expect(await canvasSizes(page)).toHaveLength(4);
    expect(errors).toEqual([]);
  });

  it('shows evaluations from before and after training as a table, not as lines', async () => {
    const { page, errors } = await open(beforeAfter);
    const charts = await page.$$eval('figure.chart', (fs) => fs.map((f) => f.dataset.chart));
    expect(charts).toEqual(['training loss', 'learning rate']);
    const sizes = await canvasSizes(page);
    expect(sizes.every(([w, h]) => w > 300 && h > 100)).toBe(true);
    const table = page.locator('table.before-after');
    await expect(table.isVisible()).resolves.toBe(true);
    await expect(table.locator('tr').nth(1).textContent()).resolves.toBe('eval_loss31-2');
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
  });
});
