import type { ChatTemplateContext, Tokenizer } from '@tunekit/core';

/**
 * The render context a model's tokenizer gives: its special tokens (transformers passes the
 * special tokens map to the template) and its chat_template.
 */
export function contextFromTokenizer(
  tokenizer: Pick<Tokenizer, 'bosToken' | 'eosToken' | 'chatTemplate'> &
    Partial<Pick<Tokenizer, 'padToken' | 'unkToken'>>,
): ChatTemplateContext {
  return {
    ...(tokenizer.bosToken !== undefined ? { bos_token: tokenizer.bosToken } : {}),
    ...(tokenizer.eosToken !== undefined ? { eos_token: tokenizer.eosToken } : {}),
    ...(tokenizer.padToken !== undefined ? { pad_token: tokenizer.padToken } : {}),
    ...(tokenizer.unkToken !== undefined ? { unk_token: tokenizer.unkToken } : {}),
    ...(tokenizer.chatTemplate !== undefined ? { chat_template: tokenizer.chatTemplate } : {}),
  };
}
