import { rougeL, rougeTokenize } from '@tunekit/trainer';
import type { DataRecord } from '../records/index.js';
import { normalizeText, type TextField, textOf } from '../text/index.js';
import { type NearDuplicateOptions, nearDuplicateOf } from './near-duplicates.js';

export interface DedupeOptions {
  /** The text compared; default the whole conversation. */
  readonly field?: TextField;
  /** Also drop near-duplicates (MinHash LSH on word shingles); absent: exact duplicates only. */
  readonly near?: NearDuplicateOptions;
  /**
   * Self-Instruct's filter: drop a record whose instruction has a ROUGE-L F-measure above this
   * against an instruction kept before it (Self-Instruct and Alpaca use 0.7).
   */
  readonly rougeL?: number;
}

/** Why a record was dropped, and the kept record it repeats. */
export interface DroppedRecord {
  readonly record: DataRecord;
  readonly reason: 'exact' | 'near' | 'rouge-l';
  /** `file:line` of the record kept in its place. */
  readonly duplicateOf: string;
  /** The ROUGE-L F-measure against that record, for rouge-l. */
  readonly similarity?: number;
}

export interface DedupeResult {
  readonly kept: readonly DataRecord[];
  readonly dropped: readonly DroppedRecord[];
}

/**
 * Drops repeated records, keeping the first of each: exact duplicates (the same text after case,
 * Unicode and whitespace normalisation), then near-duplicates, then Self-Instruct's ROUGE-L filter.
 */
export function dedupe(records: readonly DataRecord[], opts: DedupeOptions = {}): DedupeResult {
  const field = opts.field ?? 'conversation';
  const text = (r: DataRecord) =>
    [
      textOf(r.conversation, field),
      field === 'conversation' ? (r.conversation.rejected ?? '') : '',
    ].join('\n');
  const dropped: DroppedRecord[] = [];
  const firstByKey = new Map<string, DataRecord>();
  let kept = records.filter((record) => {
    const key = normalizeText(text(record));
    const first = firstByKey.get(key);
    if (first === undefined) {
      firstByKey.set(key, record);
      return true;
    }
    dropped.push({ record, reason: 'exact', duplicateOf: first.where });
    return false;
  });
  if (opts.near) {
    const of = nearDuplicateOf(kept.map(text), opts.near);
    const before = kept;
    kept = before.filter((record, i) => {
      const j = of[i] as number;
      if (j < 0) return true;
      dropped.push({ record, reason: 'near', duplicateOf: (before[j] as DataRecord).where });
      return false;
    });
  }
  if (opts.rougeL !== undefined) kept = rougeFilter(kept, opts.rougeL, dropped);
  return { kept, dropped };
}

/** Keeps a record when its instruction's ROUGE-L against every kept instruction is at most `threshold`. */
function rougeFilter(
  records: readonly DataRecord[],
  threshold: number,
  dropped: DroppedRecord[],
): DataRecord[] {
  const pool: { record: DataRecord; tokens: string[] }[] = [];
  for (const record of records) {
    const tokens = rougeTokenize(record.conversation.instruction);
    let most: { score: number; of?: DataRecord } = { score: 0 };
    for (const kept of pool) {
      const score = rougeL(kept.tokens, tokens).fmeasure;
      if (score > most.score) most = { score, of: kept.record };
    }
    if (most.of !== undefined && most.score > threshold)
      dropped.push({
        record,
        reason: 'rouge-l',
        duplicateOf: most.of.where,
        similarity: most.score,
      });
    else pool.push({ record, tokens });
  }
  return pool.map((p) => p.record);
}
