import { describe, expect, it } from 'vitest';
import { jobContainer } from './test-utils.js';
import { parseTrainConfig, trainConfigSchema } from './train-config.js';

const schema = trainConfigSchema(jobContainer());
const issues = (config: unknown) =>
  (schema.safeParse(config).error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);

describe('trainConfigSchema', () => {
  it('fills the defaults of the data pipeline, TrainingArguments and the PEFT method', () => {
    const config = schema.parse({ model: 'm', train: 'a.jsonl', peft: { method: 'lora' } });
    expect(config).toMatchObject({
      train: [{ path: 'a.jsonl', weight: 1 }],
      max_length: 1024,
      learning_rate: 5e-5,
      lr_scheduler_type: 'linear',
      per_device_train_batch_size: 8,
      eval_on_start: true,
      generation: { num_samples: 16, max_new_tokens: 64 },
      peft: { method: 'lora', r: 8, lora_alpha: 8, lora_dropout: 0, target_modules: null },
    });
    expect(schema.parse({ model: 'm', train: 'a.jsonl' }).peft).toBeUndefined();
  });

  it("checks the peft section with the method's own schema, under peft.", () => {
    expect(
      issues({ model: 'm', train: 'a.jsonl', peft: { method: 'lora', r: 0, rank: 4 } }),
    ).toEqual([
      expect.stringMatching(/^peft\.r: .*positive integer/),
      expect.stringMatching(/^peft: .*rank/),
    ]);
    // parsed once, here: the check that peft_type names the method is part of it
    expect(
      issues({ model: 'm', train: 'a.jsonl', peft: { method: 'lora', peft_type: 'IA3' } }),
    ).toEqual([expect.stringMatching(/^peft\.peft_type: 'IA3' names another method/)]);
    expect(issues({ model: 'm', train: 'a.jsonl', peft: { method: 'ia3' } })).toEqual([
      expect.stringMatching(/^peft\.method: unknown peft method 'ia3'; registered: .*lora/),
    ]);
  });

  it('rejects unknown keys and data settings that contradict each other', () => {
    expect(issues({ model: 'm', train: 'a.jsonl', epochs: 3 })).toEqual([
      expect.stringMatching(/epochs/),
    ]);
    expect(issues({ model: 'm', train: 'a.jsonl', eval: 'b.jsonl', eval_split: 0.1 })).toEqual([
      expect.stringMatching(/^eval_split: set eval .* or eval_split/),
    ]);
  });

  it('parseTrainConfig names its source and every bad field in one UserError', () => {
    expect(() =>
      parseTrainConfig({ model: 'm', train: 'a.jsonl', lr: 1 }, jobContainer(), 'job.json'),
    ).toThrow(/^job\.json: .*lr/);
    expect(parseTrainConfig({ model: 'm', train: 'a.jsonl' }, jobContainer()).max_steps).toBe(-1);
  });
});
