import { parseJsonText, type Tokenizer, UserError } from '@tunekit/core';
import { chatml, contextFromTokenizer, renderRecord, tokenizeExample } from '@tunekit/templates';

/** One training example: labels line up with input_ids (unshifted), -100 where there is no loss. */
export interface Example {
  readonly input_ids: number[];
  readonly labels: number[];
}

/**
 * The records of a JSONL text (one JSON object a line: `messages`, prompt/completion, Alpaca or
 * plain `text`, as `tunekit train` reads them), rendered with ChatML and tokenised with the loss on
 * the answers, each cut to `maxLength` tokens. `name` names the file in errors (`name:line`).
 */
export function tokenizeJsonl(
  text: string,
  name: string,
  tokenizer: Tokenizer,
  maxLength: number,
): Example[] {
  const context = contextFromTokenizer(tokenizer);
  const examples: Example[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${name}:${i + 1}`;
    const rendered = renderRecord(chatml, parseJsonText(line, where), { where, context });
    const { input_ids, labels } = tokenizeExample(rendered, tokenizer, { where, maxLength });
    examples.push({ input_ids, labels });
  });
  if (examples.length === 0) throw new UserError(`${name}: no records (one JSON object a line)`);
  return examples;
}

/** The ChatML prompt for one user message, ending where the assistant's answer starts. */
export function chatPrompt(tokenizer: Tokenizer, message: string): number[] {
  const context = contextFromTokenizer(tokenizer);
  const record = { messages: [{ role: 'user', content: message }] };
  const { text } = renderRecord(chatml, record, {
    where: 'chat',
    context,
    addGenerationPrompt: true,
    textOnly: true,
  });
  return tokenizer.encode(text);
}
