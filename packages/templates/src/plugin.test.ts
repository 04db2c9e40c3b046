import { createContainer, listIds, resolveById, TOKENS } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { chatml } from './builtins/index.js';
import { plugin } from './plugin.js';

describe('plugin', () => {
  it('registers every template under ChatTemplate', () => {
    const container = createContainer([plugin]);
    expect(listIds(container, TOKENS.ChatTemplate)).toEqual([
      'alpaca',
      'alpaca_axolotl',
      'chatml',
      'gemma',
      'jinja',
      'llama2',
      'llama3',
      'mistral',
      'phi3',
      'qwen2_5',
      'raw',
      'zephyr',
    ]);
    expect(resolveById(container, TOKENS.ChatTemplate, 'chatml', 'chat template')).toBe(chatml);
  });
});
