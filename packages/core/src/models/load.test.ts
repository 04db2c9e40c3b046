import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeModelFolder } from '../io/index.js';
import { HostTensor } from '../tensor/index.js';
import { loadCausalLM } from './load.js';
import { randomModel } from './test-utils.js';

const config = {
  architectures: ['Qwen2ForCausalLM'],
  model_type: 'qwen2',
  vocab_size: 12,
  hidden_size: 8,
  intermediate_size: 16,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  tie_word_embeddings: true,
};

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function folder(content: {
  config: Record<string, unknown>;
  weights: Map<string, HostTensor>;
}) {
  const dir = await mkdtemp(join(tmpdir(), 'tunekit-models-'));
  dirs.push(dir);
  await writeModelFolder(dir, content);
  return dir;
}

describe('loadCausalLM', () => {
  it('loads a model folder: family from config.json, weights widened to f32', async () => {
    const source = randomModel(config);
    const bf16 = new Map(
      [...source.stateDict()].map(([n, t]) => [n, HostTensor.from('bf16', t.shape, t.toFloat64())]),
    );
    const dir = await folder({ config, weights: bf16 });
    const { model, family, config: parsed } = await loadCausalLM(dir);
    expect(family.id).toBe('qwen2');
    expect(parsed.max_position_embeddings).toBe(32768);
    for (const [name, t] of model.stateDict()) {
      expect(t.dtype).toBe('f32');
      expect(t.toArray()).toEqual(bf16.get(name)?.toArray());
    }
  });

  it('names config.json in config errors and the folder in weight errors', async () => {
    const bad = await folder({ config: { ...config, num_hidden_layers: 0 }, weights: new Map() });
    await expect(loadCausalLM(bad)).rejects.toThrow(
      `${join(bad, 'config.json')}: not a valid qwen2 config:\n  num_hidden_layers:`,
    );
    const weights = randomModel(config).stateDict();
    weights.delete('model.norm.weight');
    const missing = await folder({ config, weights });
    await expect(loadCausalLM(missing)).rejects.toThrow(
      `${missing}: weights do not fit the model:\n  missing (1): model.norm.weight`,
    );
  });
});
