import { gpt2Family } from './gpt2/index.js';
import { llamaFamily } from './llama/index.js';
import { mistralFamily } from './mistral/index.js';
import type { ModelFamily } from './model-family.js';
import { qwen2Family } from './qwen2/index.js';

/** The model families core ships, registered by `modelFamiliesPlugin`. */
export const builtinModelFamilies: readonly ModelFamily[] = Object.freeze([
  llamaFamily,
  mistralFamily,
  qwen2Family,
  gpt2Family,
]);
