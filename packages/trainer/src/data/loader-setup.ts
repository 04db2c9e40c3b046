import type { TemplateFingerprint } from '@tunekit/templates';
import { templateFingerprint } from '@tunekit/templates';
import { defaultBucketLengths } from './batching/index.js';
import { sha256OfJson, tokenizerHash } from './fingerprint.js';
import type { LoadSftDataDeps } from './load-sft-data.js';
import type { SftDataConfig } from './sft-data-config.js';
import { templateFit } from './template-fit.js';

/** What every data loader starts from, whatever its records become. */
export interface LoaderSetup extends Awaited<ReturnType<typeof templateFit>> {
  /** The chat template's fingerprint (its hash travels into the data fingerprint). */
  readonly template: TemplateFingerprint;
  readonly bucketLengths: readonly number[];
  /** Padding is known by position, never by id: any id will do, the tokenizer's pad first. */
  readonly padTokenId: number;
  /** The config's settings (all but its sources), as the data fingerprint holds them. */
  readonly settings: Readonly<Record<string, unknown>>;
  /**
   * The data fingerprint: sha256 of `parts` (the loader's files, formats, labels...) with the
   * template's and the tokenizer's hashes.
   */
  fingerprint(parts: Readonly<Record<string, unknown>>): Promise<string>;
}

/** The chat template and fit settings, bucket lengths, padding and fingerprint of a data config. */
export async function loaderSetup(
  c: SftDataConfig,
  deps: Pick<LoadSftDataDeps, 'container' | 'tokenizer' | 'baseDir' | 'tokenizerDir'>,
): Promise<LoaderSetup> {
  const { baseDir, fit } = await templateFit(c, deps);
  const { tokenizer } = deps;
  const template = templateFingerprint(fit.template, fit.context);
  const bucketLengths = c.bucket_lengths ?? defaultBucketLengths(c.max_length);
  const { train: _train, eval: _eval, ...settings } = c;
  return {
    baseDir,
    fit,
    template,
    bucketLengths,
    padTokenId: tokenizer.padTokenId ?? tokenizer.eosTokenId ?? 0,
    settings: { ...settings, template: fit.template.id, bucket_lengths: bucketLengths },
    fingerprint: async (parts) =>
      sha256OfJson({
        ...parts,
        template: template.sha256,
        tokenizer: await tokenizerHash(tokenizer, deps.tokenizerDir),
      }),
  };
}
