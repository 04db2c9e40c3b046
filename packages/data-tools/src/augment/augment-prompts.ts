import type { ChatMessage } from '@tunekit/core';

/** The user turn that asks a model to reword an instruction, keeping what it asks for. */
export function paraphraseRequest(instruction: string): ChatMessage[] {
  return [
    {
      role: 'user',
      content: `Rewrite this request in other words, keeping its meaning. Reply with the rewritten request only.\n\nRequest: ${instruction}`,
    },
  ];
}

/** The user turn that asks a model for a counterfactual edit: a changed detail, another answer. */
export function counterfactualRequest(instruction: string): ChatMessage[] {
  return [
    {
      role: 'user',
      content: `Change one detail of this request (a number, a name or a condition) so that it needs a different answer. Reply with the changed request only.\n\nRequest: ${instruction}`,
    },
  ];
}

/** The request a model's reply holds: trimmed, without a leading label or wrapping quotes. */
export function replyText(reply: string): string {
  return reply
    .trim()
    .replace(/^(?:rewritten |changed |new )?(?:request|instruction|paraphrase)\s*:\s*/i, '')
    .replace(/^(["“'])([\s\S]*)(["”'])$/, '$2')
    .trim();
}
