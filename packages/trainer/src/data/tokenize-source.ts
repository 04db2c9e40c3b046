import { type Example, makeExample } from './example.js';
import { type FitOptions, fitRecord } from './fit-record.js';
import type { LoadedSource } from './load-source.js';
import { unlessInvalid } from './load-splits.js';

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
  return source.records.flatMap(({ where, record }) =>
    unlessInvalid({ skipInvalid: opts.skipInvalid, skipped }, () => {
      const fitted = fitRecord(record, where, opts);
      const { input_ids, labels, doubleBos } = fitted.tokens;
      return {
        example: makeExample(where, input_ids, labels),
        record: fitted.record,
        truncated: fitted.truncated,
        doubleBos,
      };
    }),
  );
}
