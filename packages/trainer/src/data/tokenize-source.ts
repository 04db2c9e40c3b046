import { UserError } from '@tunekit/core';
import { type Example, makeExample } from './example.js';
import { type FitOptions, fitRecord } from './fit-record.js';
import type { LoadedSource } from './load-source.js';

/** A record tokenised within max_length. */
export interface TokenizedRecord {
  readonly example: Example;
  /** The record as tokenised (a conversation may have lost its oldest turns). */
  readonly record: unknown;
  readonly truncated: boolean;
  readonly doubleBos: boolean;
}

/**
 * Renders and tokenises a source's records. A record the template cannot render (a role it
 * lacks, turns that do not alternate) is invalid: an error, or with `skipInvalid` skipped and
 * its reason added to `skipped`.
 */
export function tokenizeSource(
  source: LoadedSource,
  opts: FitOptions & { readonly skipInvalid: boolean },
  skipped: string[],
): TokenizedRecord[] {
  const out: TokenizedRecord[] = [];
  for (const { where, record } of source.records) {
    try {
      const fitted = fitRecord(record, where, opts);
      const { input_ids, labels, doubleBos } = fitted.tokens;
      out.push({
        example: makeExample(where, input_ids, labels),
        record: fitted.record,
        truncated: fitted.truncated,
        doubleBos,
      });
    } catch (error) {
      if (!(error instanceof UserError) || !opts.skipInvalid) throw error;
      skipped.push(error.message);
    }
  }
  return out;
}
