import {
  type ChatMessage,
  type DatasetFormat,
  type InstructionRecord,
  type MessagesRecord,
  parseOrThrow,
} from '@tunekit/core';
import { instructionRecordSchema, METADATA_LINES } from '@tunekit/templates';
import { z } from 'zod';
import { hasFields } from './has-fields.js';

/** Alpaca with LLaMA-Factory's optional earlier turns: `history: [[user, assistant], ...]`. */
const alpacaRecordSchema = instructionRecordSchema.extend({
  history: z.array(z.tuple([z.string(), z.string()])).optional(),
});

/**
 * Alpaca: `{"instruction", "input"?, "output", "system"?, "history"?}`. Without history the record
 * stays an instruction record, so the Alpaca template puts `input` in its own section; with
 * history it becomes a conversation whose last user turn is the instruction and its input.
 */
export const alpacaFormat: DatasetFormat<InstructionRecord | MessagesRecord> = {
  id: 'alpaca',
  description: 'Alpaca instructions (instruction/input/output, system, history)',
  task: 'sft',
  priority: 10,
  detect: (record) => hasFields(record, 'instruction'),
  parse(record, where) {
    const { history, ...instruction } = parseOrThrow(alpacaRecordSchema, record, where);
    if (history === undefined || history.length === 0) return instruction;
    const messages: ChatMessage[] = [];
    if (instruction.system !== undefined)
      messages.push({ role: 'system', content: instruction.system });
    for (const [user, assistant] of history) {
      messages.push({ role: 'user', content: user }, { role: 'assistant', content: assistant });
    }
    messages.push(
      { role: 'user', content: userTurn(instruction) },
      { role: 'assistant', content: instruction.output },
    );
    return { messages };
  },
};

/** The instruction, its input after a blank line, then the metadata lines, as records render them. */
function userTurn(record: InstructionRecord): string {
  const text =
    record.input === '' ? record.instruction : `${record.instruction}\n\n${record.input}`;
  const lines = Object.entries(METADATA_LINES).flatMap(([field, line]) => {
    const value = record[field as keyof typeof METADATA_LINES];
    return value === undefined ? [] : [line.replace(`{${field}}`, String(value))];
  });
  return lines.length === 0 ? text : `${text}\n\n${lines.join(' ')}`;
}
