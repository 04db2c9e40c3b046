import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, type Page } from '@tunekit/test-chromium';
import { build, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const HERE = join(import.meta.dirname, '..');
const ROOT = join(HERE, '../..');
const CLI = join(ROOT, 'packages/cli/bin/tunekit.js');
const MODEL = join(ROOT, 'models/tunekit-tiny-chat');
const TRAIN_DATA = join(ROOT, 'examples/quickstart/data/train.jsonl');
const EVAL_DATA = join(ROOT, 'examples/quickstart/data/eval.jsonl');
// SwiftShader runs a step of 4 x ~23 tokens in a few seconds: a few steps show the loss falling.
const STEPS = 6;

/** Waits for the page to reach `state` (body[data-state]); an error on the page fails at once. */
async function reach(page: Page, state: string, timeout: number): Promise<void> {
  await page.waitForSelector(`body[data-state="${state}"], body[data-state="error"]`, { timeout });
  expect(await page.textContent('#error')).toBe('');
}

/** `tunekit eval --json` of the bundled model on `data` (loss only). */
function evalLoss(data: string, ...args: string[]): number {
  const out = execFileSync(
    process.execPath,
    [CLI, 'eval', '-m', MODEL, '-d', data, '--num-samples', '0', '--json', ...args],
    { encoding: 'utf8' },
  );
  return JSON.parse(out).loss;
}

describe('examples/browser-finetune in Chromium (WebGPU on SwiftShader)', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'tunekit-browser-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('trains LoRA on a picked JSONL a few steps with the loss falling, chats, and downloads an adapter that `tunekit eval --adapter` loads', async () => {
    const outDir = join(work, 'dist');
    const adapterDir = join(work, 'adapter');
    await build({ root: HERE, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    const server = await preview({
      root: HERE,
      logLevel: 'warn',
      build: { outDir },
      preview: { host: '127.0.0.1', port: 0, strictPort: false },
    });
    const browser = await launchChromium({ webgpu: true });
    let losses: number[];
    try {
      const page = await browser.newPage({ acceptDownloads: true });
      await page.goto(server.resolvedUrls?.local[0] as string);
      await reach(page, 'ready', 120_000);
      expect(await page.textContent('#data-info')).toContain('2000 examples');
      // a JSONL file the user picks replaces the quickstart data: the first 64 training records
      const picked = (await readFile(TRAIN_DATA, 'utf8')).split('\n').slice(0, 64).join('\n');
      await page.setInputFiles('#file', {
        name: 'mine.jsonl',
        mimeType: 'application/jsonl',
        buffer: Buffer.from(picked),
      });
      await page.waitForFunction(() =>
        document.querySelector('#data-info')?.textContent?.startsWith('mine.jsonl: 64 examples'),
      );
      await page.fill('#steps', String(STEPS));
      await page.fill('#batch', '4');
      await page.click('#train');
      await reach(page, 'trained', 240_000);
      losses = JSON.parse((await page.getAttribute('body', 'data-losses')) as string);

      await page.fill('#message', 'What is 30 + 8?');
      await page.click('#send');
      await reach(page, 'answered', 120_000);
      expect(await page.getAttribute('#answers p', 'data-answer')).toEqual(expect.any(String));

      const downloads = new Promise<string[]>((resolve) => {
        const names: string[] = [];
        page.on('download', async (download) => {
          const name = download.suggestedFilename();
          await download.saveAs(join(adapterDir, name));
          names.push(name);
          if (names.length === 2) resolve(names.sort());
        });
      });
      await page.click('#download');
      expect(await downloads).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
    } finally {
      await browser.close();
      await server.close();
    }

    expect(losses).toHaveLength(STEPS);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-2))).toBeLessThan(mean(losses.slice(0, 2)));
    // the adapter trained in the page loads in the CLI and lowers the eval loss of the base model
    // (on the first 50 eval records, to keep the test short)
    const evalData = join(work, 'eval.jsonl');
    const records = (await readFile(EVAL_DATA, 'utf8')).split('\n').slice(0, 50);
    await writeFile(evalData, `${records.join('\n')}\n`);
    expect(evalLoss(evalData, '--adapter', adapterDir)).toBeLessThan(evalLoss(evalData));
  }, 600_000);
});
