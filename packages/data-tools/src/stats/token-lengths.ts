import type { ChatTemplate, ChatTemplateContext, Tokenizer } from '@tunekit/core';
import { renderRecord } from '@tunekit/templates';
import type { DataRecord } from '../records/index.js';

/** How records are counted in tokens: the model's tokenizer over the text its template renders. */
export interface TokenCounting {
  readonly tokenizer: Pick<Tokenizer, 'encode'>;
  readonly template: ChatTemplate;
  readonly context?: ChatTemplateContext;
}

/**
 * Tokens of a record as training sees it: rendered through the template (a preference pair as its
 * prompt and chosen answer), then tokenized.
 */
export function tokenLength(record: DataRecord, counting: TokenCounting): number {
  const renderable =
    typeof record.parsed === 'object' && record.parsed !== null && 'chosen' in record.parsed
      ? { messages: record.conversation.messages }
      : record.parsed;
  const { text } = renderRecord(counting.template, renderable, {
    where: record.where,
    context: counting.context,
    textOnly: true,
  });
  return counting.tokenizer.encode(text).length;
}

/** Summary of a list of lengths, with a histogram of `bins` equal-width bins from 0 to the longest. */
export interface LengthSummary {
  readonly mean: number;
  readonly median: number;
  readonly p95: number;
  readonly max: number;
  /** Bins as [from, to) with their counts; the last bin includes the longest. */
  readonly histogram: readonly {
    readonly from: number;
    readonly to: number;
    readonly count: number;
  }[];
}

export function summariseLengths(lengths: readonly number[], bins = 10): LengthSummary {
  const sorted = [...lengths].sort((a, b) => a - b);
  const max = sorted.at(-1) ?? 0;
  const quantile = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const width = Math.max(1, Math.ceil((max + 1) / bins));
  const histogram = Array.from({ length: bins }, (_, i) => ({
    from: i * width,
    to: (i + 1) * width,
    count: 0,
  }));
  for (const length of lengths) {
    const bin = histogram[Math.min(bins - 1, Math.floor(length / width))];
    if (bin) bin.count++;
  }
  const mean = lengths.length === 0 ? 0 : lengths.reduce((a, b) => a + b, 0) / lengths.length;
  return { mean, median: quantile(0.5), p95: quantile(0.95), max, histogram };
}
