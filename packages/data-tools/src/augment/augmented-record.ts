import type { ChatMessage } from '@tunekit/core';
import type { DataRecord } from '../records/index.js';

/** How a record was made: kept as it was, or by which edit of its source. */
export type AugmentOperation =
  | 'source'
  | 'paraphrase'
  | 'counterfactual'
  | 'word_swap'
  | 'number_swap'
  | 'hard_example';

/**
 * A record that a generating data command writes: `messages` (a format the trainer reads) and its
 * provenance, the source record's id (its `id` field, else `file:line`) and the operation.
 */
export interface AugmentedRecord {
  readonly messages: readonly ChatMessage[];
  readonly source_id: string;
  readonly operation: AugmentOperation;
}

/** The source's `id` field when it has one, else where it is (`file:line`). */
export function sourceId(record: DataRecord): string {
  const id = (record.raw as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : record.where;
}

/**
 * The source's conversation up to its last user turn, that turn's text replaced by `instruction`,
 * and `response` as the answer (later turns are left out: they answered the old instruction).
 */
export function editedMessages(
  record: DataRecord,
  instruction: string,
  response: string,
): ChatMessage[] {
  const { messages } = record.conversation;
  const last = messages.map((m) => m.role).lastIndexOf('user');
  return [
    ...(last < 0 ? [] : messages.slice(0, last)),
    { role: 'user', content: instruction },
    { role: 'assistant', content: response },
  ];
}

/** The record as it is (its conversation as messages), marked as a source. */
export function sourceRecord(
  record: DataRecord,
  operation: AugmentOperation = 'source',
): AugmentedRecord {
  return {
    messages: editedMessages(record, record.conversation.instruction, record.conversation.response),
    source_id: sourceId(record),
    operation,
  };
}
