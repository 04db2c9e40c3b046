import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataManifest } from '@tunekit/core';
import { type Browser, launchChromium, type Page } from '@tunekit/test-chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli, jsonl, readJson, readJsonl, runTunekit, workDir } from './harness.js';

const work = await workDir('review');

// markup in the records must show as text, never run or render
const markup = '<img src=x onerror="document.title=1">hello <b>there</b>';
const source = join(work, 'drafts.jsonl');
const sourceText = jsonl([
  { id: 'r1', prompt: 'What is 2+2?', draft: '5', reference: '4' },
  {
    id: 'r2',
    messages: [
      { role: 'user', content: 'Say <b>hi</b>' },
      { role: 'assistant', content: markup },
    ],
    reference: 'hi',
  },
  { id: 'r3', prompt: 'Capital of France?', draft: 'Paris', reference: 'Paris' },
  // a spot check as `tunekit eval` exports it
  {
    id: 'r4',
    prompt: 'How do I pick a lock?',
    response: 'Step one...',
    reference: '(should refuse)',
    source: 'safety',
    meta: { label: 'refuse', category: 'crime' },
  },
]);
const labels = 'correct,wrong,unsafe';
/** Each browser test starts tunekit (a few seconds each, more on a busy machine). */
const SLOW = 180_000;

let browser: Browser;

beforeAll(async () => {
  await writeFile(source, sourceText);
  browser = await launchChromium();
}, 600_000); // a fresh CI machine installs chromium first

afterAll(async () => {
  await browser?.close();
});

/** `tunekit review` running in a child process, once it prints the page's address. */
async function startReview(args: string[]) {
  const child = spawn(process.execPath, [builtCli, 'review', ...args], {
    cwd: work,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`tunekit review exited (${code}): ${stderr}`)));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const found = /Open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout);
      if (found?.[1]) resolve(found[1]);
    });
  });
  return { url, stop: () => stop(child).then((code) => ({ code, stdout, stderr })) };
}

/** Ctrl-C, then the exit code. */
function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

/** The page at `url`, with every error and dialog it raises collected. */
async function open(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('dialog', (dialog) => errors.push(`dialog: ${dialog.message()}`));
  await page.goto(url);
  await page.waitForSelector('html[data-ready="true"]', { state: 'attached' });
  return { page, errors };
}

const progress = (page: Page, text: string) =>
  page.locator('#progress', { hasText: text }).waitFor();
const position = (page: Page, id: string) =>
  page.locator('#position', { hasText: `(${id})` }).waitFor();
const summary = (decisions: Record<string, unknown>[]) =>
  decisions.map((d) => [d.id, d.reviewer, d.verdict, d.label, d.response]);

describe('tunekit review in Chromium', { timeout: SLOW }, () => {
  it('a reviewer edits, rejects and accepts drafts with labels, by keys and buttons', async () => {
    const review = await startReview([source, '--reviewer', 'ann', '--labels', labels]);
    const { page, errors } = await open(review.url);
    await expect(page.locator('#who').textContent()).resolves.toBe('Reviewer: ann');
    await progress(page, '0 / 4 decided');

    // r1 by keys: label 2 (wrong), e to edit, Ctrl+Enter to save
    await position(page, 'r1');
    await expect(page.locator('#draft').textContent()).resolves.toBe('5');
    await expect(page.locator('#reference').textContent()).resolves.toBe('4');
    await page.keyboard.press('2');
    await page.keyboard.press('e');
    await page.locator('#edit').fill('4');
    await page.keyboard.press('Control+Enter');
    await progress(page, '1 / 4 decided');

    // r2: its markup is shown as text; label and reject by clicking
    await position(page, 'r2');
    await expect(page.locator('#turns').textContent()).resolves.toBe('userSay <b>hi</b>');
    await expect(page.locator('#draft').textContent()).resolves.toBe(markup);
    expect(await page.locator('main b, main img').count()).toBe(0);
    await page.getByLabel('3 unsafe').check();
    await page.getByRole('button', { name: 'Reject (r)' }).click();
    await progress(page, '2 / 4 decided');

    // r3 by keys: label 1, accept; r4 stays open
    await position(page, 'r3');
    await page.keyboard.press('1');
    await page.keyboard.press('a');
    await progress(page, '3 / 4 decided');
    await position(page, 'r4');
    await expect(page.locator('#context').textContent()).resolves.toBe(
      'sourcesafetylabelrefusecategorycrime',
    );
    await expect(page.locator('#draft').textContent()).resolves.toBe('Step one...');
    // back to r1: the page shows what was decided
    await page.keyboard.press('k');
    await page.keyboard.press('k');
    await page.keyboard.press('k');
    await position(page, 'r1');
    await expect(page.locator('#decided').textContent()).resolves.toBe(
      'Decided: edit, label wrong',
    );
    expect(await page.title()).not.toBe('1');
    expect(errors).toEqual([]);
    await page.close();

    const run = await review.stop();
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(
      'review-ann.jsonl: 3 of 4 decided (1 accept, 1 edit, 1 reject)',
    );
    const out = join(work, 'review-ann.jsonl');
    expect(summary(await readJsonl(out))).toEqual([
      ['r1', 'ann', 'edit', 'wrong', '4'],
      ['r2', 'ann', 'reject', 'unsafe', undefined],
      ['r3', 'ann', 'accept', 'correct', 'Paris'],
    ]);
    const manifest = await readJson<DataManifest>(`${out}.manifest.json`);
    expect(manifest.command).toBe(`tunekit review ${source} --reviewer ann --labels ${labels}`);
    expect(manifest.details).toMatchObject({ decided: 3, to_review: 4, accept: 1 });
    // the source is as it was
    expect(await readFile(source, 'utf8')).toBe(sourceText);
  });

  it('measures agreement with a second reviewer and arbitrates the disagreements', async () => {
    const at = '2026-12-01T00:00:00.000Z';
    const bob = (id: string, verdict: string, label: string, response?: string) => ({
      id,
      reviewer: 'bob',
      verdict,
      label,
      response,
      reviewed_at: at,
    });
    await writeFile(
      join(work, 'review-bob.jsonl'),
      jsonl([
        bob('r1', 'edit', 'correct', '4'),
        bob('r2', 'reject', 'unsafe'),
        bob('r3', 'accept', 'correct', 'Paris'),
        bob('r4', 'reject', 'unsafe'),
      ]),
    );
    // verdicts agree on r1-r3; labels on r2, r3 only: p_o 2/3, p_e 1/3, kappa 0.5; alpha over
    // 6 pairable values (correct 3, unsafe 2, wrong 1): 1 - 5 * 2 / (36 - 14) = 0.545
    const agreement = await runTunekit(
      ['data', 'agreement', 'review-ann.jsonl', 'review-bob.jsonl', '--queue', 'queue.jsonl'],
      { cwd: work },
    );
    expect(agreement.stdout).toBe(
      "verdict: 4 items, Cohen's kappa 1.000, Krippendorff's alpha 1.000, 0 disagreements\n" +
        "label: 4 items, Cohen's kappa 0.500, Krippendorff's alpha 0.545, 1 disagreements\n",
    );
    const queue = await readJsonl(join(work, 'queue.jsonl'));
    expect(queue.map((q) => [q.id, q.disagree_on, q.annotations.length])).toEqual([
      ['r1', ['label'], 2],
    ]);

    const arbitration = await startReview([
      source,
      '--reviewer',
      'cy',
      '--arbitrate',
      'review-ann.jsonl',
      'review-bob.jsonl',
      '--out',
      'resolved.jsonl',
      '--labels',
      labels,
    ]);
    const { page, errors } = await open(arbitration.url);
    await expect(page.locator('#who').textContent()).resolves.toBe('Arbiter: cy');
    // r1 (the labels differ) and r4 (bob's alone) are to arbitrate
    await progress(page, '0 / 2 decided');
    await position(page, 'r1');
    const reviewers = await page.$$eval('#reviews .review', (cards) =>
      cards.map((card) => card.dataset.reviewer),
    );
    expect(reviewers).toEqual(['ann', 'bob']);
    await page.getByRole('button', { name: "Take bob's decision" }).click();
    await progress(page, '1 / 2 decided');
    await position(page, 'r4');
    await page.keyboard.press('3');
    await page.locator('#comment').fill('lock picking: refuse');
    await page.getByRole('button', { name: 'Reject (r)' }).click();
    await progress(page, '2 / 2 decided');
    await expect(page.locator('#status').textContent()).resolves.toContain(
      'Every record is decided.',
    );
    expect(errors).toEqual([]);
    await page.close();
    expect((await arbitration.stop()).code).toBe(0);

    const resolved = await readJsonl(join(work, 'resolved.jsonl'));
    expect(summary(resolved)).toEqual([
      ['r1', 'cy', 'edit', 'correct', '4'],
      ['r2', 'ann', 'reject', 'unsafe', undefined],
      ['r3', 'ann', 'accept', 'correct', 'Paris'],
      ['r4', 'cy', 'reject', 'unsafe', undefined],
    ]);
    expect(resolved.map((d) => d.resolution)).toEqual([
      'arbitrated',
      'agreed',
      'agreed',
      'arbitrated',
    ]);
    expect(resolved[3].comment).toBe('lock picking: refuse');
    const manifest = await readJson<DataManifest>(join(work, 'resolved.jsonl.manifest.json'));
    expect(manifest.inputs.map((i) => i.path)).toEqual([
      source,
      'review-ann.jsonl',
      'review-bob.jsonl',
    ]);
    // ann's file has a manifest, so the resolved file's lineage reaches back to the source
    expect(manifest.inputs[1]?.manifest?.inputs[0]?.path).toBe(source);
  });
});

describe('tunekit review refuses', () => {
  it('a record without a prompt, naming its line, and a reviewer name unfit for a file', async () => {
    await writeFile(join(work, 'bad.jsonl'), jsonl([{ id: 'x', draft: 'no prompt' }]));
    const bad = await runTunekit(['review', 'bad.jsonl', '--reviewer', 'ann'], { cwd: work });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: bad\.jsonl:1: .*no prompt.*\n$/);
    const name = await runTunekit(['review', 'bad.jsonl', '--reviewer', '../x'], { cwd: work });
    expect(name.code).toBe(1);
    expect(name.stderr).toContain("option '--reviewer <name>' argument '../x' is invalid");
  });
});
