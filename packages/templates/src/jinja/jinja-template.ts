import type { Template } from '@huggingface/jinja';
import type {
  ChatMessage,
  ChatRenderOptions,
  ChatTemplate,
  ChatTemplateContext,
  RenderedChat,
} from '@tunekit/core';
import { compileJinja, renderJinja } from './compile-jinja.js';
import {
  hasGenerationBlocks,
  markGenerationBlocks,
  spansFromMarkers,
} from './generation-blocks.js';
import { jinjaMessages } from './jinja-messages.js';
import { assistantSpans } from './marker-spans.js';
import { selectChatTemplate } from './select-chat-template.js';

/**
 * Renders `messages` through a Jinja chat template with the variables transformers'
 * `apply_chat_template` passes: `messages`, `tools` (None when absent), `add_generation_prompt`,
 * the special tokens, and extra variables (which win, as its `**kwargs` do). Assistant spans
 * come from `{% generation %}` blocks when the template has them, else from marked renders
 * (marker-spans.ts); spans are reported for assistant turns only, since a Jinja template's other
 * text has no owner that can be found without rules per model.
 */
export function renderChatTemplate(
  source: string,
  messages: readonly ChatMessage[],
  opts: ChatRenderOptions,
  label: string,
): RenderedChat {
  const generationPrompt = opts.addGenerationPrompt ?? false;
  if (hasGenerationBlocks(source)) {
    const compiled = compileJinja(markGenerationBlocks(source), label);
    return spansFromMarkers(
      renderWith(compiled, source, opts, label)(messages, generationPrompt),
      label,
    );
  }
  const render = renderWith(compileJinja(source, label), source, opts, label);
  const text = render(messages, generationPrompt);
  const spans = assistantSpans(render, messages, text, generationPrompt, {
    label,
    eosToken: opts.context?.eos_token,
  });
  return { text, spans };
}

/**
 * The text alone, as `renderChatTemplate` renders it, for inference: no spans are looked for, so
 * a conversation renders whether or not its assistant turns could be told apart.
 */
export function renderChatText(
  source: string,
  messages: readonly ChatMessage[],
  opts: ChatRenderOptions,
  label: string,
): string {
  const generationPrompt = opts.addGenerationPrompt ?? false;
  if (hasGenerationBlocks(source)) return renderChatTemplate(source, messages, opts, label).text;
  return renderWith(compileJinja(source, label), source, opts, label)(messages, generationPrompt);
}

/** Renders a conversation through `compiled` (made from `source`) with the variables of `opts`. */
function renderWith(compiled: Template, source: string, opts: ChatRenderOptions, label: string) {
  const base: Record<string, unknown> = {
    tools: opts.tools && opts.tools.length > 0 ? opts.tools : null,
    ...specialTokens(opts.context ?? {}),
    ...opts.variables,
  };
  return (messages: readonly ChatMessage[], generationPrompt: boolean) =>
    renderJinja(
      compiled,
      {
        ...base,
        messages: jinjaMessages(source, messages),
        add_generation_prompt: generationPrompt,
      },
      label,
    );
}

function specialTokens(context: ChatTemplateContext): Record<string, string> {
  const keys = ['bos_token', 'eos_token', 'pad_token', 'unk_token'] as const;
  return Object.fromEntries(
    keys.flatMap((key) => (context[key] === undefined ? [] : [[key, context[key]]])),
  );
}

/** True when the template reads `tools`, so tool definitions go to it rather than into text. */
function readsTools(source: string): boolean {
  return /\btools\b/.test(source);
}

export interface JinjaTemplateOptions {
  /** The id it is listed and registered under. */
  readonly id?: string;
  readonly description?: string;
  /** Which of named templates to use; by default `tool_use` with tools, else `default`. */
  readonly name?: string;
  /** What errors name, e.g. the file the template came from; default `template '<id>'`. */
  readonly label?: string;
}

/** A ChatTemplate bound to one chat_template (a string or tokenizer_config.json's named list). */
export function createJinjaTemplate(
  chatTemplate: NonNullable<ChatTemplateContext['chat_template']>,
  opts: JinjaTemplateOptions = {},
): ChatTemplate {
  const id = opts.id ?? 'jinja';
  const label = opts.label ?? `template '${id}'`;
  const pick = (tools: boolean) =>
    selectChatTemplate(chatTemplate, { tools, name: opts.name, label }).source;
  // Parse now, so a template that does not parse fails where it is given.
  compileJinja(pick(false), label);
  return {
    id,
    description: opts.description ?? 'a Jinja chat_template',
    chatTemplate: () => pick(false),
    supportsTools: () => readsTools(pick(true)),
    render: (messages, renderOpts = {}) =>
      renderChatTemplate(pick((renderOpts.tools?.length ?? 0) > 0), messages, renderOpts, label),
    renderText: (messages, renderOpts = {}) =>
      renderChatText(pick((renderOpts.tools?.length ?? 0) > 0), messages, renderOpts, label),
  };
}

/**
 * `jinja`: the model's own chat_template, read from the render context (its
 * tokenizer_config.json), as transformers' `apply_chat_template` renders it.
 */
export const jinja: ChatTemplate = {
  id: 'jinja',
  description: "the model's own chat_template from tokenizer_config.json (HF Jinja)",
  chatTemplate: (context) =>
    selectChatTemplate(context?.chat_template, { tools: false, label: "template 'jinja'" }).source,
  supportsTools: (context) =>
    readsTools(
      selectChatTemplate(context?.chat_template, { tools: true, label: "template 'jinja'" }).source,
    ),
  render(messages, opts = {}) {
    const { source, label } = ownTemplate(opts);
    return renderChatTemplate(source, messages, opts, label);
  },
  renderText(messages, opts = {}) {
    const { source, label } = ownTemplate(opts);
    return renderChatText(source, messages, opts, label);
  },
};

/** The model's chat_template from the render context, picked for the tools it is given. */
function ownTemplate(opts: ChatRenderOptions): { source: string; label: string } {
  const tools = (opts.tools?.length ?? 0) > 0;
  const label = "template 'jinja'";
  return {
    source: selectChatTemplate(opts.context?.chat_template, { tools, label }).source,
    label,
  };
}
