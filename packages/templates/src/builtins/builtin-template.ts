import type {
  ChatMessage,
  ChatRenderOptions,
  ChatTemplate,
  ChatTemplateContext,
  ChatToolDefinition,
  RenderedChat,
} from '@tunekit/core';
import { type ConversationRules, checkConversation, messageText } from '../conversation/index.js';

/** A message as a built-in reads it: its content as text (`messageText`). */
export type TextMessage = ChatMessage & { readonly content: string };

/** The options a built-in renders with, defaults filled in. */
export interface BuiltinRenderOptions {
  readonly addGenerationPrompt: boolean;
  readonly bosToken: string;
  readonly eosToken: string;
  readonly variables: Readonly<Record<string, unknown>>;
  /** The tools offered, for a format that writes them (`tools: true`); else empty. */
  readonly tools: readonly ChatToolDefinition[];
}

export interface BuiltinSpec {
  readonly id: string;
  readonly description: string;
  /** The Jinja `chat_template` that renders the same text (checked by the property tests). */
  readonly jinja: string;
  readonly rules: ConversationRules;
  /** Template variables it reads besides the standard ones (Alpaca's `input`). */
  readonly variables?: readonly string[];
  /** The format's own special tokens, used when the model's tokenizer_config.json gives none. */
  readonly defaults: { readonly bos_token?: string; readonly eos_token?: string };
  /** The format writes tool definitions itself (`opts.tools`), as Qwen2.5's does. */
  readonly tools?: boolean;
  render(messages: readonly TextMessage[], opts: BuiltinRenderOptions): RenderedChat;
}

/** A template that reads extra variables, named so that callers know to pass them. */
export interface TemplateWithVariables extends ChatTemplate {
  readonly variables: readonly string[];
}

/** True when `template` reads the extra variable `name` (e.g. Alpaca's `input`). */
export function readsVariable(template: ChatTemplate, name: string): boolean {
  return 'variables' in template && (template as TemplateWithVariables).variables.includes(name);
}

/** A built-in template: the conversation is checked against its rules, then rendered in code. */
export function defineBuiltin(spec: BuiltinSpec): TemplateWithVariables {
  return {
    id: spec.id,
    variables: spec.variables ?? [],
    description: spec.description,
    chatTemplate: () => spec.jinja,
    supportsTools: () => spec.tools ?? false,
    render(messages, opts: ChatRenderOptions = {}) {
      checkConversation(spec.id, messages, spec.rules);
      const texts = messages.map((m) => ({ ...m, content: messageText(m) }));
      return spec.render(texts, {
        addGenerationPrompt: opts.addGenerationPrompt ?? false,
        bosToken: token(spec, opts.context, 'bos_token'),
        eosToken: token(spec, opts.context, 'eos_token'),
        variables: opts.variables ?? {},
        tools: spec.tools ? (opts.tools ?? []) : [],
      });
    },
  };
}

function token(
  spec: BuiltinSpec,
  context: ChatTemplateContext | undefined,
  key: 'bos_token' | 'eos_token',
): string {
  return context?.[key] ?? spec.defaults[key] ?? '';
}
