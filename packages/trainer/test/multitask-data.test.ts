import type { Tokenizer } from '@tunekit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  LABEL_WEIGHTS_INPUT,
  loadSftData,
  type SftDataConfigInput,
  temperatureWeights,
} from '../src/index.js';
import { chatmlTokenizer, dataContainer, dataFolder, jsonl } from './data-helpers.js';

let chatml: Tokenizer;
let dir: string;
beforeAll(async () => {
  chatml = await chatmlTokenizer();
  const pairs = (n: number, answer: (i: number) => string) =>
    jsonl(Array.from({ length: n }, (_, i) => ({ prompt: `${i}+1=`, completion: answer(i) })));
  dir = await dataFolder({
    'answer.jsonl': pairs(12, (i) => `${i + 1}`),
    'rationale.jsonl': pairs(4, (i) => `because ${i}+1=${i + 1}`),
  });
});

const load = (config: Partial<SftDataConfigInput>) =>
  loadSftData(
    {
      train: [
        { path: 'answer.jsonl', task: 'answer' },
        { path: 'rationale.jsonl', task: 'rationale' },
      ],
      ...config,
    },
    { container: dataContainer(), tokenizer: chatml, baseDir: dir },
  );

describe('temperatureWeights', () => {
  it("gives T5's p_i ∝ n_i^(1/T) shares of an epoch of sum n_i examples", () => {
    const sources = [
      { examples: 12, weight: 1 },
      { examples: 4, weight: 1 },
    ];
    // T = 1: the proportions of the sizes, weights 1
    expect(temperatureWeights(sources, 1)).toEqual([1, 1]);
    // T = 2: p = sqrt(12) : sqrt(4) of 16 examples
    const p0 = Math.sqrt(12) / (Math.sqrt(12) + 2);
    const w = temperatureWeights(sources, 2);
    expect(w[0] * 12).toBeCloseTo(p0 * 16, 10);
    expect(w[1] * 4).toBeCloseTo((1 - p0) * 16, 10);
    // a huge T: equal shares
    const flat = temperatureWeights(sources, 1e9);
    expect(flat[0] * 12).toBeCloseTo(8, 4);
    expect(flat[1] * 4).toBeCloseTo(8, 4);
  });
});

describe('multi-task SFT data', () => {
  it('tags examples with their source task and splits the eval data by task', async () => {
    const data = await load({ eval_split: 0.25 });
    expect(new Set(data.trainExamples.map((e) => e.task))).toEqual(
      new Set(['answer', 'rationale']),
    );
    expect(data.stats.sources.map((s) => s.task)).toEqual(['answer', 'rationale']);
    expect(data.evalTasks.map((t) => t.task).sort()).toEqual(['answer', 'rationale']);
    for (const split of data.evalTasks) {
      const examples = [...split.batches].flatMap((b) => b.examples);
      expect(examples.length).toBeGreaterThan(0);
      for (const i of examples) expect(data.evalExamples[i].task).toBe(split.task);
      expect(split.prompts.every((p) => p.task === split.task)).toBe(true);
      expect(split.prompts.length).toBe(examples.length);
    }
  });

  it('mixes the sources by temperature', async () => {
    const data = await load({ mix_temperature: 1e9 });
    // equal shares of the 16 examples per epoch: 8 answers, 8 rationales (each seen twice)
    const tasks = [...data.train(0)].flatMap((b) =>
      b.examples.map((i) => data.trainExamples[i].task),
    );
    expect(tasks.filter((t) => t === 'answer')).toHaveLength(8);
    expect(tasks.filter((t) => t === 'rationale')).toHaveLength(8);
  });

  it("gives each token its task's loss weight in label_weights", async () => {
    const data = await load({
      task_loss_weights: { rationale: 0.5 },
      per_device_train_batch_size: 4,
    });
    for (const batch of data.train(0)) {
      const weights = batch.lossInputs?.[LABEL_WEIGHTS_INPUT];
      expect(weights?.shape).toEqual(batch.input_ids.shape);
      const T = batch.input_ids.shape[1];
      batch.examples.forEach((id, row) => {
        const expected = data.trainExamples[id].task === 'rationale' ? 0.5 : 1;
        expect(weights?.data[row * T]).toBe(expected);
      });
    }
    expect(data.train(0).batch(0).lossInputs).toBeDefined();
    expect((await load({})).train(0).batch(0).lossInputs).toBeUndefined();
  });

  it('refuses a loss weight for a task no source has', async () => {
    await expect(load({ task_loss_weights: { tool_call: 2 } })).rejects.toThrow(
      /task_loss_weights.*no training source has task 'tool_call'/,
    );
  });
});
