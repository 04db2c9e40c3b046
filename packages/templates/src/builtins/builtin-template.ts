import type {
  ChatMessage,
  ChatRenderOptions,
  ChatTemplate,
  ChatTemplateContext,
  RenderedChat,
} from '@tunekit/core';
import { type ConversationRules, checkConversation } from '../conversation/index.js';

/** The options a built-in renders with, defaults filled in. */
export interface BuiltinRenderOptions {
  readonly addGenerationPrompt: boolean;
  readonly bosToken: string;
  readonly eosToken: string;
  readonly variables: Readonly<Record<string, unknown>>;
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
  render(messages: readonly ChatMessage[], opts: BuiltinRenderOptions): RenderedChat;
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
    supportsTools: () => false,
    render(messages, opts: ChatRenderOptions = {}) {
      checkConversation(spec.id, messages, spec.rules);
      return spec.render(messages, {
        addGenerationPrompt: opts.addGenerationPrompt ?? false,
        bosToken: token(spec, opts.context, 'bos_token'),
        eosToken: token(spec, opts.context, 'eos_token'),
        variables: opts.variables ?? {},
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
