import { describe, expect, it } from 'vitest';
import { corePlugins, createContainer } from '../plugin/index.js';
import { builtinModelFamilies } from './families.js';
import { llamaFamily } from './llama/index.js';
import { resolveFamily } from './resolve-family.js';

describe('resolveFamily', () => {
  it('picks the family by model_type, then by architectures', () => {
    const id = (config: unknown) => resolveFamily(builtinModelFamilies, config).id;
    expect(id({ model_type: 'llama' })).toBe('llama');
    expect(id({ model_type: 'mistral' })).toBe('mistral');
    expect(id({ model_type: 'qwen2', architectures: ['LlamaForCausalLM'] })).toBe('qwen2');
    expect(id({ architectures: ['GPT2LMHeadModel'] })).toBe('gpt2');
    expect(id({ model_type: 'llama-custom', architectures: ['Qwen2ForCausalLM'] })).toBe('qwen2');
  });

  it('finds the families that core registers in a container', () => {
    const container = createContainer(corePlugins);
    expect(resolveFamily(container, { model_type: 'qwen2' }).id).toBe('qwen2');
  });

  it('an unsupported model_type is an error naming the file and listing the supported types', () => {
    expect(() =>
      resolveFamily(builtinModelFamilies, { model_type: 'bert' }, '/models/x/config.json'),
    ).toThrow(
      "/models/x/config.json: model_type 'bert' is not supported; supported model types: gpt2, llama, mistral, qwen2",
    );
    expect(() => resolveFamily(builtinModelFamilies, {})).toThrow(
      /config.json: has no model_type .*; supported model types: gpt2, llama/,
    );
  });

  it('two families claiming one model_type is an error naming both', () => {
    const copy = { ...llamaFamily, id: 'llama-fork' };
    expect(() => resolveFamily([llamaFamily, copy], { model_type: 'llama' })).toThrow(
      /'llama' and 'llama-fork' both claim this model/,
    );
  });
});
