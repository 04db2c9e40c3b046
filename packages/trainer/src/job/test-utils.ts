import {
  buildCausalLM,
  byteLevelBpeJson,
  corePlugins,
  createContainer,
  HostTensor,
  randomNormal,
  seededRandom,
  writeModelFolder,
} from '@tunekit/core';
import { plugin as lora } from '@tunekit/peft-lora';
import { plugin as templates } from '@tunekit/templates';
import type { DependencyContainer } from 'tsyringe';
import { plugin as trainer } from '../plugin.js';

/** A container with core's, LoRA's, the templates' and this package's plugins. */
export function jobContainer(): DependencyContainer {
  return createContainer([...corePlugins, lora, templates, trainer]);
}

/** ChatML's special tokens after the 256 bytes; eos and pad `<|im_end|>`. */
const ADDED = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'];

const config = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  vocab_size: 256 + ADDED.length,
  hidden_size: 16,
  intermediate_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  max_position_embeddings: 64,
  tie_word_embeddings: false,
};

/** Writes a tiny Llama with seeded random weights and a byte-level tokenizer as an HF folder. */
export async function writeTinyModelFolder(dir: string, seed = 0): Promise<void> {
  const { model } = buildCausalLM(config);
  const random = seededRandom(seed);
  const weights = new Map(
    model
      .namedParameters()
      .map(([name, p]) => [
        name,
        HostTensor.from('f32', p.shape, randomNormal(p.value.size, random)),
      ]),
  );
  const tokenizer = byteLevelBpeJson({
    addedTokens: ADDED.map((content, i) => ({ id: 256 + i, content })),
  });
  await writeModelFolder(dir, {
    config,
    weights,
    extraFiles: {
      'tokenizer.json': JSON.stringify(tokenizer),
      'tokenizer_config.json': JSON.stringify({
        eos_token: '<|im_end|>',
        pad_token: '<|im_end|>',
        clean_up_tokenization_spaces: false,
      }),
    },
  });
}
