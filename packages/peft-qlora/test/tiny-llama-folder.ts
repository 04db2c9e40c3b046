// A small Llama written to a model folder with seeded random weights, for tests that load it.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildCausalLM,
  HostTensor,
  randomNormal,
  seededRandom,
  writeSafetensors,
} from '@tunekit/core';

export const TINY_LLAMA_CONFIG = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  vocab_size: 48,
  hidden_size: 64,
  intermediate_size: 96,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  max_position_embeddings: 32,
  rms_norm_eps: 1e-5,
  tie_word_embeddings: false,
  torch_dtype: 'float32',
};

/** The folder: config.json and model.safetensors (normals * 0.1, norms one). */
export async function tinyLlamaFolder(seed = 3): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tunekit-qlora-model-'));
  const { model } = buildCausalLM(TINY_LLAMA_CONFIG);
  const random = seededRandom(seed);
  const tensors = new Map<string, HostTensor>();
  for (const [name, p] of model.namedParameters()) {
    const values = name.endsWith('norm.weight')
      ? new Float64Array(p.value.size).fill(1)
      : randomNormal(p.value.size, random).map((v) => v * 0.1);
    tensors.set(name, HostTensor.from('f32', p.shape, values));
  }
  await writeFile(join(dir, 'config.json'), JSON.stringify(TINY_LLAMA_CONFIG));
  await writeSafetensors(join(dir, 'model.safetensors'), tensors);
  return dir;
}
