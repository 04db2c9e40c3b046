import type { ChatMessage } from '@tunekit/core';
import { messageText } from '../conversation/index.js';

/**
 * True when the template reads typed content itself: it loops over a message's content or tests
 * its type (`content is string`), as vision and tool-aware templates (Llama 4, Qwen2.5-VL, Qwen3)
 * do. vLLM's `--chat-template-content-format auto` makes the same call.
 */
export function readsContentParts(source: string): boolean {
  return (
    /\bfor\s+\w+\s+in\s+[\w.]*(\.content\b|\[\s*['"]content['"]\s*\])/.test(source) ||
    /\bcontent'?\]?\s+is\s+(not\s+)?(string|iterable|sequence|mapping)\b/.test(source)
  );
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
