import type { ChatMessage, DatasetFormat, PreferenceRecord } from '@tunekit/core';
import { parseOrThrow } from '@tunekit/core';
import { z } from 'zod';
import { hasFields } from './has-fields.js';
import { shareGptFormat } from './sharegpt.js';

const answerSchema = z.object({ from: z.enum(['gpt', 'assistant']), value: z.string().min(1) });

const shareGptPreferenceSchema = z.looseObject({
  conversations: z.array(z.unknown()).min(1),
  chosen: answerSchema,
  rejected: answerSchema,
});

/**
 * LLaMA-Factory's ShareGPT preference layout: `{"conversations": [...], "chosen": {"from": "gpt",
 * "value"}, "rejected": {...}, "system"?}`. The conversation (read as ShareGPT, system and tools
 * included) is the prompt; chosen and rejected are one assistant message each.
 */
export const shareGptPreferenceFormat: DatasetFormat<PreferenceRecord> = {
  id: 'sharegpt_preference',
  description: 'ShareGPT preference pairs (conversations + chosen/rejected {from, value})',
  task: 'preference',
  priority: 20,
  detect: (record) => hasFields(record, 'conversations', 'chosen', 'rejected'),
  parse(record, where) {
    const { chosen, rejected, ...conversation } = parseOrThrow(
      shareGptPreferenceSchema,
      record,
      where,
    );
    const prompt = shareGptFormat.parse(conversation, where).messages;
    const answer = (value: string): ChatMessage[] => [{ role: 'assistant', content: value }];
    return { prompt, chosen: answer(chosen.value), rejected: answer(rejected.value) };
  },
};
