import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareRuns } from './compare-runs.js';
import { comparisonHtml } from './comparison-html.js';
import { comparisonText } from './comparison-text.js';

const work = await mkdtemp(join(tmpdir(), 'tunekit-compare-'));
afterAll(() => rm(work, { recursive: true, force: true }));

/** A run folder as tunekit train leaves it: the record, and weights of `bytes` bytes. */
async function writeRun(name: string, record: Record<string, unknown>, bytes: number) {
  const dir = join(work, name);
  await mkdir(join(dir, 'checkpoint-2'), { recursive: true });
  await writeFile(join(dir, 'training_record.json'), JSON.stringify(record));
  await writeFile(join(dir, 'adapter_model.safetensors'), new Uint8Array(bytes));
  // a checkpoint's weights are not the run's saved size
  await writeFile(join(dir, 'checkpoint-2', 'adapter_model.safetensors'), new Uint8Array(99));
  return dir;
}

const record = (peft: unknown, after: Record<string, number>, extra: object = {}) => ({
  base_model: 'tiny',
  global_step: 20,
  config: { peft },
  metrics: { before: { eval_loss: 3 }, after, train: { train_runtime: 75.4 } },
  ...extra,
});

const lora = await writeRun(
  'lora',
  record(
    { method: 'lora', r: 8 },
    { eval_loss: 1.5, eval_exact_match: 0.6 },
    { parameters: { trainable: 12_288, all: 1_012_288 }, peak_rss_bytes: 1_400_000_000 },
  ),
  49_152,
);
const prefix = await writeRun(
  'prefix',
  record({ method: 'prefix_tuning' }, { eval_loss: 1.2, eval_exact_match: 0.4, eval_bleu: 0.3 }),
  2048,
);
const full = await writeRun('full', record(null, { eval_loss: 1.9 }), 4_000_000);

describe('compareRuns', () => {
  it('reads each run: method, counts, saved size without checkpoints, time and memory', async () => {
    const { runs, metrics } = await compareRuns([lora, prefix, full]);
    expect(runs.map((r) => r.method)).toEqual(['lora', 'prefix_tuning', 'full']);
    expect(runs[0]).toMatchObject({
      trainableParameters: 12_288,
      allParameters: 1_012_288,
      savedBytes: 49_152,
      trainRuntimeSeconds: 75.4,
      peakRssBytes: 1_400_000_000,
      evalBefore: { eval_loss: 3 },
    });
    // a record from before parameters and memory were recorded leaves them out
    expect(runs[1]?.trainableParameters).toBeUndefined();
    expect(runs[1]?.peakRssBytes).toBeUndefined();
    expect(metrics).toEqual(['eval_loss', 'eval_exact_match', 'eval_bleu']);
  });

  it('names a folder that is not a training run', async () => {
    await expect(compareRuns([lora, work])).rejects.toThrow(
      `${work}: no training_record.json here; compare reads the output_dir of a tunekit train run`,
    );
  });
});

describe('comparisonText', () => {
  it('lines the runs up and stars the best value of each metric', async () => {
    const lines = comparisonText(await compareRuns([lora, prefix, full]));
    expect(lines[0]).toMatch(
      /^run +method +trainable params +saved +steps +train time +peak RSS +eval_loss +eval_exact_match +eval_bleu$/,
    );
    const [, , loraRow, prefixRow, fullRow] = lines;
    expect(loraRow).toMatch(
      /lora +lora +12\.3K \(1\.21%\) +49\.2 kB +20 +1m 15s +1\.4 GB +1\.5 +0\.6\* +-$/,
    );
    // lowest loss is best; a metric only one run has is still that run's best
    expect(prefixRow).toMatch(/prefix_tuning +- +2\.0 kB +20 +1m 15s +- +1\.2\* +0\.4 +0\.3\*$/);
    expect(fullRow).toMatch(/full +- +4\.0 MB .* 1\.9 +- +-$/);
    expect(lines.at(-1)).toMatch(/^\* best after training/);
  });

  it('stars nothing for a single run', async () => {
    const lines = comparisonText(await compareRuns([lora]));
    expect(lines.join('\n')).not.toContain('*');
  });
});

describe('comparisonHtml', () => {
  it('is one page with the table, the best in bold and bars scaled per column', async () => {
    const html = comparisonHtml(await compareRuns([lora, prefix, `${full}`]));
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|https?:/);
    expect(html).toContain('<th>eval_exact_match</th>');
    expect(html).toContain('<strong>1.2</strong>');
    expect(html).toContain('<strong>0.6</strong><span class="bar" style="width:100.0%">');
    expect(html).toContain('0.4<span class="bar" style="width:66.7%">');
  });

  it('escapes what the runs are called', async () => {
    const odd = await writeRun('a<b>&"c"', record({ method: 'lora' }, { eval_loss: 1 }), 1);
    expect(comparisonHtml(await compareRuns([odd]))).toContain('a&lt;b&gt;&amp;&quot;c&quot;');
  });
});
