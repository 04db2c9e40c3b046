import type { ChatMessage } from '@tunekit/core';

// The requests are short so that they fit small models' positions beside the instruction.

/** The user turn that asks a model to reword an instruction, keeping what it asks for. */
export function paraphraseRequest(instruction: string): ChatMessage[] {
  return [
    {
      role: 'user',
      content: `Reword this request, keeping its meaning; reply with it only.\n${instruction}`,
    },
  ];
}

/** The user turn that asks a model for a counterfactual edit: a changed detail, another answer. */
export function counterfactualRequest(instruction: string): ChatMessage[] {
  return [
    {
      role: 'user',
      content: `Change a detail so the answer changes; reply with it only.\n${instruction}`,
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
