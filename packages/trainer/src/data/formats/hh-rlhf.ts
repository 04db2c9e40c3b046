import type { ChatMessage, DatasetFormat, PreferenceRecord } from '@tunekit/core';
import { parseOrThrow, UserError } from '@tunekit/core';
import { z } from 'zod';
import { hasFields } from './has-fields.js';

const HUMAN = '\n\nHuman: ';
const ASSISTANT = '\n\nAssistant: ';

const hhRecordSchema = z.object({ chosen: z.string().min(1), rejected: z.string().min(1) });

/**
 * Anthropic's HH-RLHF: `chosen` and `rejected` are whole dialogues, "\n\nHuman: ...\n\nAssistant:
 * ...", that differ in the last assistant turn. As TRL's hh-rlhf script does, each is split at its
 * last "\n\nAssistant: ": the turns before are the prompt (a message list), the last turn the answer.
 */
export const hhRlhfFormat: DatasetFormat<PreferenceRecord> = {
  id: 'hh_rlhf',
  description: 'HH-RLHF dialogues (chosen/rejected "\\n\\nHuman: ... \\n\\nAssistant: ..." texts)',
  task: 'preference',
  priority: 20,
  detect: (record) =>
    hasFields(record, 'chosen', 'rejected') &&
    !('prompt' in record) &&
    typeof record.chosen === 'string' &&
    record.chosen.startsWith(HUMAN) &&
    record.chosen.includes(ASSISTANT),
  parse(record, where) {
    const r = parseOrThrow(hhRecordSchema, record, where);
    const chosen = splitDialogue(r.chosen, `${where}: chosen`);
    const rejected = splitDialogue(r.rejected, `${where}: rejected`);
    if (JSON.stringify(chosen.prompt) !== JSON.stringify(rejected.prompt))
      throw new UserError(
        `${where}: rejected: its dialogue before the last "Assistant:" turn differs from chosen's`,
      );
    return {
      prompt: chosen.prompt,
      chosen: [{ role: 'assistant', content: chosen.answer }],
      rejected: [{ role: 'assistant', content: rejected.answer }],
    };
  },
};

/** The turns before the last assistant turn as messages, and that turn's text. */
function splitDialogue(text: string, where: string): { prompt: ChatMessage[]; answer: string } {
  const last = text.lastIndexOf(ASSISTANT);
  if (last < 0) throw new UserError(`${where}: expected a "\\n\\nAssistant: " turn`);
  const prompt: ChatMessage[] = [];
  // split the dialogue before the answer into its turns, each opened by its speaker's marker
  const turns = text.slice(0, last).split(/(\n\nHuman: |\n\nAssistant: )/);
  if (turns[0] !== '') throw new UserError(`${where}: expected it to start with "\\n\\nHuman: "`);
  for (let i = 1; i < turns.length; i += 2)
    prompt.push({ role: turns[i] === HUMAN ? 'user' : 'assistant', content: turns[i + 1] });
  return { prompt, answer: text.slice(last + ASSISTANT.length) };
}
