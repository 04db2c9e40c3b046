import type { ChatTemplateContext, Tokenizer } from '@tunekit/core';

/** The render context a model's tokenizer gives: its special tokens and its chat_template. */
export function contextFromTokenizer(
  tokenizer: Pick<Tokenizer, 'bosToken' | 'eosToken' | 'chatTemplate'>,
): ChatTemplateContext {
  return {
    ...(tokenizer.bosToken !== undefined ? { bos_token: tokenizer.bosToken } : {}),
    ...(tokenizer.eosToken !== undefined ? { eos_token: tokenizer.eosToken } : {}),
    ...(tokenizer.chatTemplate !== undefined ? { chat_template: tokenizer.chatTemplate } : {}),
  };
}
