import { UserError } from '../errors/index.js';
import type { Module } from '../nn/module.js';
import { isPrefixKeyValues } from './prefix-key-values.js';
import { isVirtualTokens } from './virtual-tokens.js';

/**
 * A task model (classifier, embedding model) runs its base model without the virtual tokens or
 * key/value prefixes that prompt-learning adapters add, so such an adapter is refused rather than
 * trained to no effect.
 */
export function refusePrefixAdapters(model: Module): void {
  const found = model.namedModules().find(([, m]) => isVirtualTokens(m) || isPrefixKeyValues(m));
  if (found)
    throw new UserError(
      `${model.constructor.name}: a prompt-learning adapter (at ${found[0]}) trains causal LMs only; use LoRA (or full fine-tuning) for task_type SEQ_CLS and FEATURE_EXTRACTION`,
    );
}
