import { createHash } from 'node:crypto';
import type { ChatTemplate, ChatTemplateContext } from '@tunekit/core';

/** The exact template an output was trained with, and its hash, to write beside it. */
export interface TemplateFingerprint {
  readonly id: string;
  /** The Jinja text, as tokenizer_config.json's `chat_template` holds it. */
  readonly chat_template: string;
  /** sha256 of `chat_template` (UTF-8), hex. */
  readonly sha256: string;
}

export function templateFingerprint(
  template: ChatTemplate,
  context?: ChatTemplateContext,
): TemplateFingerprint {
  const chat_template = template.chatTemplate(context);
  return {
    id: template.id,
    chat_template,
    sha256: createHash('sha256').update(chat_template, 'utf8').digest('hex'),
  };
}

/**
 * A tokenizer_config.json object for an output (adapter or merged model) whose `chat_template`
 * is the one trained with, so inference elsewhere formats prompts the same way.
 */
export function withChatTemplate<T extends Record<string, unknown>>(
  tokenizerConfig: T,
  fingerprint: TemplateFingerprint,
): T & { chat_template: string } {
  return { ...tokenizerConfig, chat_template: fingerprint.chat_template };
}
