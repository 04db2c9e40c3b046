import type { ChatMessage } from '@tunekit/core';
import { seededRandom, UserError } from '@tunekit/core';
import type { TextGenerator } from '../generate/index.js';
import type { DataRecord } from '../records/index.js';
import { normalizeText } from '../text/index.js';
import { counterfactualRequest, paraphraseRequest, replyText } from './augment-prompts.js';
import {
  type AugmentedRecord,
  type AugmentOperation,
  editedMessages,
  sourceId,
  sourceRecord,
} from './augmented-record.js';
import { balanceByDifficulty, type Difficulty } from './difficulty.js';
import { DEFAULT_WORD_SWAPS, ruleEdits } from './rule-edits.js';
import {
  DEFAULT_VARIANT_FILTERS,
  type VariantFilters,
  variantRejection,
} from './variant-filters.js';

/** `paraphrase` and `counterfactual` prompt a model; `rules` are the edits of `ruleEdits`. */
export type AugmentMethod = 'paraphrase' | 'counterfactual' | 'rules';

export const AUGMENT_METHODS: readonly AugmentMethod[] = ['paraphrase', 'counterfactual', 'rules'];

export interface AugmentOptions {
  readonly methods: readonly AugmentMethod[];
  /** The model for `paraphrase` and `counterfactual`. */
  readonly generator?: TextGenerator;
  /** Variants asked of the model per record and method; default 1. */
  readonly perRecord?: number;
  readonly filters?: VariantFilters;
  /** Word pairs for `word_swap`; default `DEFAULT_WORD_SWAPS`. */
  readonly swaps?: readonly (readonly [string, string])[];
  /**
   * Keep the variants' share of hard records (by `difficulty`) at `hardFraction`, default the
   * sources' own share, dropping the surplus of the other kind.
   */
  readonly balance?: { readonly difficulty: Difficulty; readonly hardFraction?: number };
  /** Write the sources too (as `operation: source`); default true. */
  readonly includeSources?: boolean;
  readonly seed?: number;
}

export interface AugmentResult {
  readonly records: readonly AugmentedRecord[];
  /** Variants made before the filters, and why each dropped one went. */
  readonly produced: number;
  readonly dropped: Readonly<Record<string, number>>;
}

interface Variant {
  readonly source: DataRecord;
  readonly record: AugmentedRecord;
}

/**
 * New records from `records` by rewording their (last) instruction: paraphrases keep the answer;
 * counterfactual edits change a detail so the answer changes, and the model answers the edit (or
 * a rule-based edit rewrites the answer). Each variant passes the filters against its source and
 * is not a repeat; with `balance`, the kept variants have the wanted share of hard sources.
 */
export async function augmentRecords(
  records: readonly DataRecord[],
  opts: AugmentOptions,
): Promise<AugmentResult> {
  const { generator } = opts;
  const modelMethods = opts.methods.filter((m) => m !== 'rules');
  if (modelMethods.length > 0 && generator === undefined)
    throw new UserError(
      `augment: ${modelMethods.join(' and ')} need a model (--model); rules work without one`,
    );
  const random = seededRandom(opts.seed ?? 42);
  const filters = opts.filters ?? DEFAULT_VARIANT_FILTERS;
  const dropped: Record<string, number> = {};
  const drop = (why: string) => {
    dropped[why] = (dropped[why] ?? 0) + 1;
  };
  const sources = records.filter((record) => {
    if (record.conversation.instruction.trim() !== '') return true;
    drop('no_instruction');
    return false;
  });
  const seen = new Set(sources.map((r) => normalizeText(r.conversation.instruction)));
  const variants: Variant[] = [];
  let produced = 0;
  /** Why a new instruction is dropped (the filters against its source, a repeat), or undefined. */
  const rejected = (source: DataRecord, instruction: string, rouge: boolean) => {
    produced++;
    // an empty reply: the model wrote nothing, or the request did not fit its positions
    const why =
      (instruction === '' ? 'no_reply' : undefined) ??
      variantRejection(source.conversation.instruction, instruction, filters, { rouge }) ??
      (seen.has(normalizeText(instruction)) ? 'duplicate' : undefined);
    if (why === undefined) seen.add(normalizeText(instruction));
    else drop(why);
    return why !== undefined;
  };
  const keep = (
    source: DataRecord,
    operation: AugmentOperation,
    instruction: string,
    response: string,
  ) => {
    if (response.trim() === '') return drop('empty_response');
    variants.push({
      source,
      record: {
        messages: editedMessages(source, instruction, response.trim()),
        source_id: sourceId(source),
        operation,
      },
    });
  };
  const repeated = sources.flatMap((source) =>
    Array.from({ length: opts.perRecord ?? 1 }, () => source),
  );
  if (generator && opts.methods.includes('paraphrase')) {
    const replies = await generator.answer(
      repeated.map((s) => paraphraseRequest(s.conversation.instruction)),
    );
    for (const [i, source] of repeated.entries()) {
      const instruction = replyText(replies[i] ?? '');
      if (!rejected(source, instruction, true))
        keep(source, 'paraphrase', instruction, source.conversation.response);
    }
  }
  if (generator && opts.methods.includes('counterfactual')) {
    const replies = await generator.answer(
      repeated.map((s) => counterfactualRequest(s.conversation.instruction)),
    );
    // only the edits that pass the filters are answered
    const edits = repeated
      .map((source, i) => ({ source, instruction: replyText(replies[i] ?? '') }))
      .filter(({ source, instruction }) => !rejected(source, instruction, true));
    const answers = await generator.answer(
      edits.map(({ source, instruction }) => askOnly(editedMessages(source, instruction, ''))),
    );
    for (const [i, { source, instruction }] of edits.entries())
      keep(source, 'counterfactual', instruction, answers[i] ?? '');
  }
  if (opts.methods.includes('rules'))
    for (const source of sources)
      for (const edit of ruleEdits(source.conversation.instruction, source.conversation.response, {
        swaps: opts.swaps ?? DEFAULT_WORD_SWAPS,
        random,
      }))
        if (!rejected(source, edit.instruction, false))
          keep(source, edit.operation, edit.instruction, edit.response);
  const kept = opts.balance ? balanced(variants, sources, opts.balance, random) : variants;
  if (kept.length < variants.length) dropped.balance = variants.length - kept.length;
  return {
    records: [
      ...(opts.includeSources === false ? [] : sources.map((s) => sourceRecord(s))),
      ...kept.map((v) => v.record),
    ],
    produced,
    dropped,
  };
}

/** The conversation without its (empty) answer: what the model is asked to answer. */
function askOnly(messages: readonly ChatMessage[]): ChatMessage[] {
  return messages.slice(0, -1);
}

function balanced(
  variants: readonly Variant[],
  sources: readonly DataRecord[],
  balance: NonNullable<AugmentOptions['balance']>,
  random: () => number,
): Variant[] {
  const hardSources = sources.filter(balance.difficulty).length;
  const fraction =
    balance.hardFraction ?? (sources.length === 0 ? 0 : hardSources / sources.length);
  return balanceByDifficulty(variants, (v) => balance.difficulty(v.source), fraction, random);
}
