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

  it("takes TRL's DPOConfig keys flat, with TRL's defaults, and refuses what DPO cannot combine with", () => {
    const config = schema.parse({ model: 'm', train: 'p.jsonl', trainer: 'dpo' });
    expect(config).toMatchObject({
      trainer: 'dpo',
      beta: 0.1,
      loss_type: 'sigmoid',
      label_smoothing: 0,
      reference_free: false,
      precompute_ref_log_probs: false,
      max_prompt_length: 512,
      max_completion_length: null,
    });
    expect(schema.parse({ model: 'm', train: 'a.jsonl' }).trainer).toBe('sft');
    expect(
      issues({
        model: 'm',
        train: 'p.jsonl',
        trainer: 'dpo',
        packing: true,
        rdrop_alpha: 0.5,
        loss_type: 'hinged',
        label_smoothing: 0.5,
      }),
    ).toEqual([
      expect.stringMatching(/^loss_type: .*sigmoid/),
      expect.stringMatching(/^label_smoothing: /),
    ]);
    expect(issues({ model: 'm', train: 'p.jsonl', trainer: 'dpo', loss_type: 'kto' })).toEqual([
      'loss_type: trainer: dpo takes sigmoid, hinge, ipo, robust',
    ]);
    expect(
      issues({ model: 'm', train: 'p.jsonl', trainer: 'dpo', packing: true, rdrop_alpha: 0.5 }),
    ).toEqual([
      'packing: trainer: dpo batches whole pairs; set packing: false',
      'rdrop_alpha: trainer: dpo has its own loss; R-Drop applies to sft only (rdrop_alpha: 0)',
    ]);
  });

  it("takes TRL's KTOConfig keys flat, with TRL's defaults (loss_type kto)", () => {
    const config = schema.parse({ model: 'm', train: 'u.jsonl', trainer: 'kto' });
    expect(config).toMatchObject({
      trainer: 'kto',
      beta: 0.1,
      loss_type: 'kto',
      desirable_weight: 1,
      undesirable_weight: 1,
      max_prompt_length: 512,
      max_completion_length: null,
    });
    expect(
      issues({ model: 'm', train: 'u.jsonl', trainer: 'kto', loss_type: 'sigmoid', packing: true }),
    ).toEqual([
      'loss_type: trainer: kto takes kto, apo_zero_unpaired',
      'packing: trainer: kto batches whole examples; set packing: false',
    ]);
    expect(
      issues({ model: 'm', train: 'u.jsonl', trainer: 'kto', per_device_train_batch_size: 1 }),
    ).toEqual([expect.stringMatching(/^per_device_train_batch_size: trainer: kto estimates/)]);
    expect(issues({ model: 'm', train: 'u.jsonl', desirable_weight: 0 })).toEqual([
      expect.stringMatching(/^desirable_weight: /),
    ]);
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

  it("takes transformers' bitsandbytes keys and axolotl's adapter: qlora (LoRA on a 4-bit base)", () => {
    const base = { model: 'm', train: 'a.jsonl', peft: { method: 'lora' } };
    expect(schema.parse(base)).toMatchObject({
      load_in_4bit: false,
      bnb_4bit_quant_type: 'nf4',
      bnb_4bit_use_double_quant: true,
      bnb_4bit_compute_dtype: 'float32',
      bnb_4bit_quant_storage: 'uint8',
      llm_int8_skip_modules: null,
    });
    expect(schema.parse({ ...base, adapter: 'qlora' }).load_in_4bit).toBe(true);
    expect(schema.parse({ ...base, adapter: 'lora' }).load_in_4bit).toBe(false);
    expect(issues({ ...base, bnb_4bit_quant_type: 'int4' })).toEqual([
      expect.stringMatching(/^bnb_4bit_quant_type: .*nf4.*fp4/),
    ]);
    expect(issues({ model: 'm', train: 'a.jsonl', adapter: 'qlora' })).toEqual([
      expect.stringMatching(/^adapter: adapter: qlora trains LoRA: add a peft: section/),
    ]);
    expect(issues({ model: 'm', train: 'a.jsonl', load_in_4bit: true })).toEqual([
      expect.stringMatching(/^load_in_4bit: a base quantized to 4 bits is frozen/),
    ]);
  });

  it('trains task heads on a full-precision base, one pass a batch', () => {
    const base = { model: 'm', train: 'a.jsonl', peft: { method: 'lora', task_type: 'SEQ_CLS' } };
    expect(schema.parse(base)).toMatchObject({ pooling_mode: 'mean', temperature: 0.05 });
    expect(issues({ ...base, adapter: 'qlora' })).toEqual([
      expect.stringMatching(/^adapter: task_type SEQ_CLS trains on a full-precision base/),
    ]);
    expect(issues({ ...base, rdrop_alpha: 0.5 })).toEqual([
      expect.stringMatching(/^rdrop_alpha: R-Drop .* task_type SEQ_CLS does not support it/),
    ]);
    expect(issues({ ...base, neftune_noise_alpha: 5 })).toEqual([
      expect.stringMatching(/^neftune_noise_alpha: NEFTune .* does not support it/),
    ]);
    expect(issues({ ...base, id2label: { zero: 'a' } })).toEqual([
      expect.stringMatching(/^id2label/),
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
