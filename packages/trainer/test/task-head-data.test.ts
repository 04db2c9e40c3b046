import type { Tokenizer } from '@tunekit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadClassificationData, loadEmbeddingData } from '../src/index.js';
import { chatmlTokenizer, dataContainer, dataFolder, jsonl } from './data-helpers.js';

let tokenizer: Tokenizer;
beforeAll(async () => {
  tokenizer = await chatmlTokenizer();
});

const deps = (baseDir: string) => ({ container: dataContainer(), tokenizer, baseDir });

describe('loadClassificationData', () => {
  it("puts each label at the text's last token, tokenised as tokenizer(text) does", async () => {
    const dir = await dataFolder({
      'train.jsonl': jsonl([
        { text: 'one two', label: 'b' },
        { text: 'three', label: 'a' },
        { messages: [{ role: 'user', content: 'hi' }], label: 1 },
      ]),
    });
    const data = await loadClassificationData({ train: 'train.jsonl' }, deps(dir));
    expect(data.labels.names).toEqual(['a', 'b']); // names sorted
    const [first, second, third] = data.trainExamples;
    expect(Array.from(first.input_ids)).toEqual(tokenizer.encode('one two'));
    expect(Array.from(first.labels)).toEqual([...new Array(first.labels.length - 1).fill(-100), 1]);
    expect(second.labels.at(-1)).toBe(0);
    expect(third.labels.at(-1)).toBe(1); // an id is taken as it is
    expect(tokenizer.decode(Array.from(third.input_ids))).toContain('<|im_start|>user\nhi');
    const batch = data.train(0).batch(0);
    expect(batch.supervisedTokens).toBe(3);
  });

  it('follows id2label and names a label outside it with its line', async () => {
    const dir = await dataFolder({
      'train.jsonl': jsonl([
        { text: 'x', label: 'odd' },
        { text: 'y', label: 'even' },
        { text: 'z', label: 'prime' },
      ]),
    });
    const config = { train: 'train.jsonl', id2label: { 0: 'odd', 1: 'even' } };
    await expect(loadClassificationData(config, deps(dir))).rejects.toThrow(
      /train\.jsonl:3: label "prime" is not one of "odd", "even"/,
    );
  });

  it('names a record without text', async () => {
    const records = [
      { prompt: 'x', label: 0 },
      { text: 'y', label: 1 },
    ];
    const dir = await dataFolder({ 'train.jsonl': jsonl(records) });
    await expect(loadClassificationData({ train: 'train.jsonl' }, deps(dir))).rejects.toThrow(
      /train\.jsonl:1: expected a "text" .* the record has prompt, label/,
    );
  });
});

describe('loadEmbeddingData', () => {
  it('batches pairs as [queries | positives], each query counted once, the pooled tokens marked', async () => {
    const pairs = Array.from({ length: 5 }, (_, i) => ({ query: `q${i}`, positive: `p${i}` }));
    const dir = await dataFolder({ 'train.jsonl': jsonl(pairs) });
    const config = { train: 'train.jsonl', per_device_train_batch_size: 2 };
    const data = await loadEmbeddingData(config, 'lasttoken', deps(dir));
    const plan = data.train(0);
    expect(plan.length).toBe(2); // the fifth pair would make an incomplete batch
    const batch = plan.batch(0);
    expect(batch.input_ids.shape[0]).toBe(4);
    expect(batch.supervisedTokens).toBe(2);
    const texts = batch.examples.map((id) =>
      tokenizer.decode(Array.from(data.trainExamples[id].input_ids)),
    );
    expect(texts[0].replace('q', 'p')).toBe(texts[2]);
    expect(texts[1].replace('q', 'p')).toBe(texts[3]);
    const labels = Array.from(data.trainExamples[0].labels);
    expect(labels.filter((l) => l !== -100)).toHaveLength(1);
    expect(labels.at(-1)).toBe(0);
  });

  it('refuses a mix of records with and without a negative', async () => {
    const dir = await dataFolder({
      'train.jsonl': jsonl([
        { anchor: 'a', positive: 'b', negative: 'c' },
        { anchor: 'd', positive: 'e' },
      ]),
    });
    const config = { train: 'train.jsonl', per_device_train_batch_size: 2 };
    await expect(loadEmbeddingData(config, 'mean', deps(dir))).rejects.toThrow(
      /every training record has a negative or none/,
    );
  });
});
