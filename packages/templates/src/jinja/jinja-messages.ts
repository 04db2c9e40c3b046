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
 * content as text gets the text of its parts (`messageText`). A template that reads parts gets a
 * turn's text as one text part, as HF's processors are given it: Llama 3.2 Vision loops over every
 * content (Python iterates a string's characters; @huggingface/jinja refuses), Llama Guard 3
 * Vision keeps only its text parts. The system message stays text: these templates `trim` it.
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
    if (typeof message.content === 'string' && parts && message.role !== 'system')
      out.content = [{ type: 'text', text: message.content }];
    return out;
  });
}
