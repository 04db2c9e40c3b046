import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  corePlugins,
  createContainer,
  loadEmbeddingModel,
  loadSequenceClassifier,
  mergeAdapterIntoFolder,
  PeftModel,
  readSafetensorsHeader,
  type SequenceClassifier,
} from '@tunekit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loraMethod, plugin } from '../src/index.js';
import { BASE, LORA_OPTIONS, logitsOf, maxAbsDiff } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tunekit-seq-cls-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const classifier = async () => (await loadSequenceClassifier(BASE, { numLabels: 3 })).model;

async function seqClsAdapter(): Promise<PeftModel<SequenceClassifier>> {
  return PeftModel.create(
    await classifier(),
    loraMethod,
    { task_type: 'SEQ_CLS', target_modules: 'all-linear', r: 4, init_lora_weights: false },
    { ...LORA_OPTIONS, outputHead: 'score' },
  );
}

// PEFT's PeftModelForSequenceClassification extends modules_to_save with ["classifier", "score"]
// before injecting (so LoRA never targets the head), wraps `score` in a ModulesToSaveWrapper and
// get_peft_model_state_dict saves its copy as "base_model.model.score.weight" (the
// "modules_to_save." part and the adapter name stripped): transformers' LlamaForSequenceClassification
// has `model` (LlamaModel) and `score`, nn.Linear(hidden_size, num_labels, bias=False).
describe('a SEQ_CLS adapter', () => {
  it("writes PEFT's keys and shapes, the score head among them", async () => {
    const peft = await seqClsAdapter();
    await peft.save(dir);
    const config = JSON.parse(await readFile(join(dir, 'adapter_config.json'), 'utf8'));
    expect(config.task_type).toBe('SEQ_CLS');
    expect(config.modules_to_save).toEqual(['classifier', 'score']);
    expect(config.target_modules).not.toContain('score');
    const header = await readSafetensorsHeader(join(dir, 'adapter_model.safetensors'));
    const shapes = Object.fromEntries([...header.tensors].map(([key, t]) => [key, t.shape]));
    expect(shapes['base_model.model.score.weight']).toEqual([3, 16]);
    expect(shapes['base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight']).toEqual([
      4, 16,
    ]);
    expect(Object.keys(shapes).filter((k) => !k.includes('.lora_'))).toEqual([
      'base_model.model.score.weight',
    ]);
    expect(Object.keys(shapes).some((k) => k.includes('lm_head'))).toBe(false);
  });

  it('trains the score head and loads back with identical class logits', async () => {
    const peft = await seqClsAdapter();
    const score = new Map(peft.trainableParameters()).get('score.modules_to_save.default.weight');
    expect(score?.trainable).toBe(true);
    await peft.save(dir);
    const loaded = await PeftModel.fromPretrained(await classifier(), dir, LORA_OPTIONS);
    const rows = [[5, 3, 0, 7, 1]];
    const logits = await logitsOf(loaded.model, rows);
    expect(logits.shape).toEqual([1, 5, 3]);
    expect(logits.data).toEqual((await logitsOf(peft.model, rows)).data);
  });
});

// PEFT's FEATURE_EXTRACTION wraps transformers' AutoModel, the bare LlamaModel: its modules are
// `layers.0.self_attn.q_proj`, so the saved keys are "base_model.model.layers.0...." (no "model.").
describe('a FEATURE_EXTRACTION adapter', () => {
  it("writes PEFT's keys of the bare base model and loads back with identical hidden states", async () => {
    const encoder = async () => (await loadEmbeddingModel(BASE)).model;
    const peft = PeftModel.create(
      await encoder(),
      loraMethod,
      {
        task_type: 'FEATURE_EXTRACTION',
        target_modules: ['q_proj', 'v_proj'],
        r: 2,
        init_lora_weights: false,
      },
      LORA_OPTIONS,
    );
    expect(peft.model.namedParameters().some(([name]) => name.startsWith('lm_head'))).toBe(false);
    await peft.save(dir);
    const config = JSON.parse(await readFile(join(dir, 'adapter_config.json'), 'utf8'));
    expect(config.task_type).toBe('FEATURE_EXTRACTION');
    const header = await readSafetensorsHeader(join(dir, 'adapter_model.safetensors'));
    expect([...header.tensors.keys()].sort()).toEqual(
      [0, 1]
        .flatMap((layer) =>
          ['q_proj', 'v_proj'].flatMap((m) =>
            ['lora_A', 'lora_B'].map(
              (ab) => `base_model.model.layers.${layer}.self_attn.${m}.${ab}.weight`,
            ),
          ),
        )
        .sort(),
    );
    const loaded = await PeftModel.fromPretrained(await encoder(), dir, LORA_OPTIONS);
    const rows = [[5, 3, 0, 7, 1]];
    const hidden = await logitsOf(loaded.model, rows);
    expect(hidden.shape).toEqual([1, 5, 16]);
    expect(hidden.data).toEqual((await logitsOf(peft.model, rows)).data);
  });
});

describe('merging a task head adapter', () => {
  it("writes transformers' *ForSequenceClassification folder that loads back with the same class logits", async () => {
    const peft = await seqClsAdapter();
    const adapter = join(dir, 'adapter');
    await peft.save(adapter);
    const out = join(dir, 'merged');
    await mergeAdapterIntoFolder({
      model: BASE,
      adapter,
      out,
      container: createContainer([...corePlugins, plugin]),
    });
    const config = JSON.parse(await readFile(join(out, 'config.json'), 'utf8'));
    expect(config.architectures).toEqual(['LlamaForSequenceClassification']);
    expect(config.id2label).toEqual({ 0: 'LABEL_0', 1: 'LABEL_1', 2: 'LABEL_2' });
    const header = await readSafetensorsHeader(join(out, 'model.safetensors'));
    expect(header.tensors.get('score.weight')?.shape).toEqual([3, 16]);
    expect(header.tensors.has('lm_head.weight')).toBe(false);
    const merged = (await loadSequenceClassifier(out)).model;
    const rows = [[5, 3, 0, 7, 1]];
    const [got, want] = [await logitsOf(merged, rows), await logitsOf(peft.model, rows)];
    expect(got.shape).toEqual([1, 5, 3]);
    expect(maxAbsDiff(got.toFloat64(), want.toFloat64())).toBeLessThan(1e-5);
  });
});
