import type { ChatMessage, ChatRenderOptions, ChatTemplate } from '@tunekit/core';

/**
 * The text `template` renders `messages` to, for inference (chat, generation prompts): through
 * its `renderText` when it has one, which looks for no spans and so never fails for want of
 * them, else through `render`.
 */
export function renderText(
  template: ChatTemplate,
  messages: readonly ChatMessage[],
  opts: ChatRenderOptions = {},
): string {
  return template.renderText?.(messages, opts) ?? template.render(messages, opts).text;
}
