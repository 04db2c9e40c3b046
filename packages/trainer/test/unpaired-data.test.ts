import type { Tokenizer } from '@tunekit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ktoSettings, loadUnpairedData, sftDataConfigSchema } from '../src/index.js';
import { chatmlTokenizer, dataContainer, dataFolder, jsonl } from './data-helpers.js';

let tokenizer: Tokenizer;
beforeAll(async () => {
  tokenizer = await chatmlTokenizer();
});

const kto = ktoSettings({
  beta: 0.1,
  desirable_weight: 1,
  undesirable_weight: 1,
  precompute_ref_log_probs: false,
  max_prompt_length: 512,
  max_completion_length: null,
});

async function load(files: Record<string, string>, config: Record<string, unknown> = {}) {
  const dir = await dataFolder(files);
  const c = sftDataConfigSchema.parse({ train: 'train.jsonl', ...config });
  return loadUnpairedData(c, kto, { container: dataContainer(), tokenizer, baseDir: dir });
}

const text = (ids: readonly number[]) => tokenizer.decode(Array.from(ids));

describe('loadUnpairedData', () => {
  it('reads prompt/completion/label records: the prompt through the template, the loss on the answer', async () => {
    const data = await load({
      'train.jsonl': jsonl([
        { prompt: '2+2=', completion: '4', label: true },
        { prompt: '2+3=', completion: '7', label: false },
      ]),
    });
    expect(data.stats.sources[0].format).toBe('unpaired_preference');
    const [right, wrong] = data.trainExamples;
    expect(right.desirable).toBe(true);
    expect(wrong.desirable).toBe(false);
    expect(text(right.prompt)).toContain('2+2=');
    expect(text(right.prompt)).not.toContain('4');
    expect(text(right.completion.input_ids)).toMatch(/^4/);
    const batch = data.train(0).batch(0);
    expect(batch.input_ids.shape[0]).toBe(2 * 8); // per_device_train_batch_size slots, twice
    expect(batch.pairs).toBe(2);
  });

  it("unpairs preference pairs as TRL's unpair_preference_dataset: chosen desirable, rejected not", async () => {
    const data = await load(
      {
        'train.jsonl': jsonl([
          { prompt: '1+1=', chosen: '2', rejected: '3' },
          { prompt: '2+5=', chosen: '7', rejected: '9' },
          { prompt: '3+3=', chosen: '6', rejected: '5' },
        ]),
      },
      { eval_split: 0.34 },
    );
    const all = [...data.trainExamples, ...data.evalExamples];
    expect(all).toHaveLength(6);
    expect(data.evalExamples).toHaveLength(2);
    const of = (answer: string) => all.find((e) => text(e.completion.input_ids).startsWith(answer));
    expect(of('2')?.desirable).toBe(true);
    expect(of('3')?.desirable).toBe(false);
    expect(text(of('3')?.prompt ?? [])).toContain('1+1=');
    expect(data.eval()?.length).toBe(1);
  });

  it('names a record whose label is not a boolean, and data of another task', async () => {
    await expect(
      load({
        'train.jsonl': jsonl([
          { prompt: 'a', completion: 'b', label: true },
          { prompt: 'c', completion: 'd', label: 'yes' },
        ]),
      }),
    ).rejects.toThrow(/train\.jsonl:2.*label/);
    await expect(
      load({ 'train.jsonl': jsonl([{ prompt: 'a', completion: 'b' }]) }),
    ).rejects.toThrow(/for sft training; this run does unpaired_preference training/);
  });
});
