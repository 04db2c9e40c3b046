import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ADAPTER_CONFIG_FILE,
  ADAPTER_WEIGHTS_FILE,
  blobSource,
  ReferenceBackend,
  readAdapterFolder,
  UserError,
} from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { tokenizeJsonl } from './data.js';
import { finetune } from './finetune.js';
import { loadLoraModel } from './lora-model.js';

const ROOT = join(import.meta.dirname, '../../..');
const MODEL = join(ROOT, 'models/tunekit-tiny-chat');
const TRAIN = join(ROOT, 'examples/quickstart/data/train.jsonl');

/** The model folder as a page gets it when a user drops it: File objects, no paths. */
function droppedFolder(dir: string): File[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => new File([readFileSync(join(dir, e.name))], e.name));
}

describe("the page's fine-tuning, on the reference backend", () => {
  it('loads the model from File objects, lowers the loss and saves a PEFT adapter that loads back', async () => {
    const model = await loadLoraModel(blobSource(droppedFolder(MODEL), 'tunekit-tiny-chat'), 42);
    const examples = tokenizeJsonl(readFileSync(TRAIN, 'utf8'), 'train.jsonl', model.tokenizer, 64);
    expect(examples).toHaveLength(2000);
    const losses = await finetune(model.peft, new ReferenceBackend(), examples, {
      steps: 6,
      batchSize: 4,
      learningRate: 3e-3,
      maxLength: Math.max(...examples.map((e) => e.input_ids.length)),
      warmupSteps: 1,
      seed: 42,
    });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-3))).toBeLessThan(0.8 * mean(losses.slice(0, 3)));

    const files = await model.peft.savedFiles();
    expect([...files.keys()].sort()).toEqual([ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE]);
    const saved = [...files].map(([name, bytes]) => new File([new Uint8Array(bytes)], name));
    const back = await readAdapterFolder(blobSource(saved));
    expect(back.config).toMatchObject({ peft_type: 'LORA', r: 8, lora_alpha: 16 });
    const trained = model.peft.stateDict();
    expect([...back.tensors.keys()].sort()).toEqual([...trained.keys()].sort());
    for (const [key, t] of back.tensors) expect(t.data).toEqual(trained.get(key)?.data);
  });

  it('names the line of a record it cannot read', async () => {
    const model = await loadLoraModel(MODEL, 42);
    const text =
      '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"yo"}]}\n{oops\n';
    expect(() => tokenizeJsonl(text, 'mine.jsonl', model.tokenizer, 64)).toThrow(UserError);
    expect(() => tokenizeJsonl(text, 'mine.jsonl', model.tokenizer, 64)).toThrow(/mine\.jsonl:2/);
  });
});
