import { type ChatTemplateContext, UserError } from '@tunekit/core';

export interface SelectedTemplate {
  /** The entry's name when tokenizer_config.json has named templates. */
  readonly name?: string;
  readonly source: string;
}

/**
 * Picks the Jinja source as transformers' `get_chat_template` does: a string is the template;
 * from named templates, `name` when given, else `tool_use` when tools are passed and it exists,
 * else `default`.
 */
export function selectChatTemplate(
  chatTemplate: ChatTemplateContext['chat_template'],
  opts: { readonly tools: boolean; readonly name?: string; readonly label: string },
): SelectedTemplate {
  if (chatTemplate === undefined) {
    throw new UserError(
      `${opts.label}: tokenizer_config.json has no chat_template; name a built-in template instead (tunekit template list shows them)`,
    );
  }
  if (typeof chatTemplate === 'string') return { source: chatTemplate };
  const names = chatTemplate.map((entry) => entry.name);
  const wanted = opts.name ?? (opts.tools && names.includes('tool_use') ? 'tool_use' : 'default');
  const entry = chatTemplate.find((candidate) => candidate.name === wanted);
  if (entry === undefined) {
    throw new UserError(
      `${opts.label}: tokenizer_config.json has no chat_template named '${wanted}'; it has ${names.join(', ') || 'none'}`,
    );
  }
  return { name: entry.name, source: entry.template };
}
