import type { ChatMessage } from '@tunekit/core';
import { messageText } from '../conversation/index.js';

/**
 * True when the template reads typed content itself: it loops over a message's content, as
 * vision templates (Gemma 3, Llama 4, Qwen2.5-VL) do. A template that only tests `content is
 * string` (Qwen3 writes '' otherwise) uses content as text. vLLM's
 * `--chat-template-content-format auto` makes the same call.
 */
export function readsContentParts(source: string): boolean {
  return /\bfor\s+\w+\s+in\s+[\w.]*(\.content\b|\[\s*['"]content['"]\s*\])/.test(source);
}

/**
 * The messages as the template receives them: each as given, every field (`content: null`,
 * `tool_calls`, `name`, `reasoning_content`, `thought`...), as transformers' `apply_chat_template`
 * passes the dicts. Keys whose value is undefined are left out, so `is defined` reads as in
 * Python. Typed content goes to a template that reads parts as given; a template that uses
 * content as text gets the text of its parts (`messageText`).
 */
export function jinjaMessages(
  source: string,
  messages: readonly ChatMessage[],
): Record<string, unknown>[] {
  const parts = readsContentParts(source);
  return messages.map((message) => {
    const fields = Object.entries(message).filter(([, value]) => value !== undefined);
    const out = Object.fromEntries(fields);
    if (Array.isArray(message.content) && !parts) out.content = messageText(message);
    return out;
  });
}
