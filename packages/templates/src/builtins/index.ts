import type { ChatTemplate } from '@tunekit/core';
import { alpaca, alpacaAxolotl } from './alpaca.js';
import { chatml } from './chatml.js';
import { gemma } from './gemma.js';
import { llama2 } from './llama2.js';
import { llama3 } from './llama3.js';
import { mistral } from './mistral.js';
import { phi3 } from './phi3.js';
import { qwen25 } from './qwen2-5.js';
import { raw } from './raw.js';
import { zephyr } from './zephyr.js';

export { alpaca, alpacaAxolotl } from './alpaca.js';
export {
  type BuiltinRenderOptions,
  type BuiltinSpec,
  defineBuiltin,
  readsVariable,
  type TemplateWithVariables,
  type TextMessage,
} from './builtin-template.js';
export { CHATML_JINJA, chatml } from './chatml.js';
export { GEMMA_JINJA, gemma } from './gemma.js';
export { LLAMA2_JINJA, llama2 } from './llama2.js';
export { LLAMA3_JINJA, llama3 } from './llama3.js';
export { MISTRAL_JINJA, mistral } from './mistral.js';
export { PHI3_JINJA, phi3 } from './phi3.js';
export { QWEN2_5_JINJA, qwen25 } from './qwen2-5.js';
export { RAW_JINJA, raw } from './raw.js';
export { ZEPHYR_JINJA, zephyr } from './zephyr.js';

/** Every built-in template, in the order `tunekit template list` shows them. */
export const BUILTIN_TEMPLATES: readonly ChatTemplate[] = Object.freeze([
  chatml,
  zephyr,
  alpaca,
  alpacaAxolotl,
  llama3,
  llama2,
  mistral,
  gemma,
  phi3,
  qwen25,
  raw,
]);
