import { type ChatSpan, UserError } from '@tunekit/core';

// Private-use characters that mark where a generation block opens and closes in the output.
const OPEN = '\uE000';
const CLOSE = '\uE001';

const GENERATION_TAG = /{%(-?)\s*(end)?generation\s*(-?)%}/g;

/** True when the template marks assistant text with `{% generation %}...{% endgeneration %}`. */
export function hasGenerationBlocks(source: string): boolean {
  return /{%-?\s*generation\s*-?%}/.test(source);
}

/**
 * The template with each generation tag turned into an expression that prints a marker.
 * transformers' AssistantTracker records what those blocks print; @huggingface/jinja drops the
 * tags. A tag prints nothing, so lstrip_blocks and trim_blocks are applied to it here, as the
 * renderer would; the `-` flags carry over to the expression unchanged.
 */
export function markGenerationBlocks(source: string): string {
  return source
    .replace(/^[ \t]*({%-?\s*(?:end)?generation\s*-?%})/gm, '$1')
    .replace(/({%-?\s*(?:end)?generation\s*-?%})\n/g, '$1')
    .replace(GENERATION_TAG, (_tag, lstrip: string, end: string | undefined, rstrip: string) => {
      return `{{${lstrip} '${end === undefined ? OPEN : CLOSE}' ${rstrip}}}`;
    });
}

/** Removes the markers from `marked` and returns the text with one assistant span per block. */
export function spansFromMarkers(
  marked: string,
  label: string,
): { text: string; spans: ChatSpan[] } {
  const spans: ChatSpan[] = [];
  let text = '';
  let open: number | undefined;
  for (const char of marked) {
    if (char === OPEN || char === CLOSE) {
      if ((char === OPEN) !== (open === undefined)) {
        throw new UserError(
          `${label}: the chat_template's {% generation %} blocks are not balanced (or a message contains U+E000/U+E001)`,
        );
      }
      if (char === OPEN) open = text.length;
      else {
        if (open !== undefined && text.length > open) {
          spans.push({ role: 'assistant', start: open, end: text.length });
        }
        open = undefined;
      }
      continue;
    }
    text += char;
  }
  if (open !== undefined) {
    throw new UserError(`${label}: a {% generation %} block of the chat_template is never closed`);
  }
  return { text, spans };
}
