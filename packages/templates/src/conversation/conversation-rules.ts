import { type ChatMessage, type ChatRole, UserError } from '@tunekit/core';

/** What a template can render; checked before rendering so a bad conversation fails clearly. */
export interface ConversationRules {
  /** The roles the format has. */
  readonly roles: readonly ChatRole[];
  /**
   * After an optional first system message, user and assistant turns alternate, starting with
   * user (the `raise_exception` of the Llama 2, Mistral and Gemma templates).
   */
  readonly alternates?: boolean;
  /** At most this many user turns (Alpaca is one instruction and its response). */
  readonly maxUserTurns?: number;
  /** The format writes assistant `tool_calls` (Qwen2.5's `<tool_call>` blocks). */
  readonly toolCalls?: boolean;
}

/**
 * Throws a `UserError` naming the message (`messages[2]`) and what the template expected. Callers
 * that know the record (file and line) prefix it to the message.
 */
export function checkConversation(
  templateId: string,
  messages: readonly ChatMessage[],
  rules: ConversationRules,
): void {
  messages.forEach((message, i) => {
    if (!rules.roles.includes(message.role)) {
      throw new UserError(
        `messages[${i}] has role '${String(message.role)}', which template '${templateId}' cannot render; it renders ${rules.roles.join(', ')}`,
      );
    }
    if (!rules.toolCalls && message.tool_calls !== undefined && message.tool_calls.length > 0) {
      throw new UserError(
        `messages[${i}] has tool_calls, which template '${templateId}' cannot render (the model it is named after has no tool-call format); use a template that renders them (qwen2_5, or the model's own template: 'jinja')`,
      );
    }
    if (Array.isArray(message.content)) {
      const j = message.content.findIndex((part) => part.type !== 'text');
      if (j >= 0) {
        throw new UserError(
          `messages[${i}].content[${j}] is a '${String(message.content[j].type)}' part, which template '${templateId}' cannot render; it renders text parts`,
        );
      }
    }
  });
  if (rules.alternates) checkAlternation(templateId, messages);
  if (rules.maxUserTurns !== undefined) {
    const users = messages.filter((m) => m.role === 'user').length;
    if (users > rules.maxUserTurns) {
      throw new UserError(
        `template '${templateId}' renders at most ${rules.maxUserTurns} user turn(s), but the conversation has ${users}`,
      );
    }
  }
}

function checkAlternation(templateId: string, messages: readonly ChatMessage[]): void {
  const first = messages[0]?.role === 'system' ? 1 : 0;
  for (let i = first; i < messages.length; i++) {
    const expected: ChatRole = (i - first) % 2 === 0 ? 'user' : 'assistant';
    const role = messages[i].role;
    if (role !== expected) {
      const where = role === 'system' ? ' (a system message may only come first)' : '';
      throw new UserError(
        `template '${templateId}' needs user and assistant turns to alternate, starting with user, after an optional first system message; messages[${i}] is '${role}' where '${expected}' was expected${where}`,
      );
    }
  }
}
