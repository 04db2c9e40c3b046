import { rougeL, rougeTokenize } from '@tunekit/trainer';
import { words } from '../text/index.js';

/**
 * What a model-made instruction must pass against its source: a ROUGE-L F-measure within bounds
 * (above `maxRougeL` it is barely changed, below `minRougeL` it drifted off the source), and a
 * length in words. Rule-based edits are minimal by design, so only the length applies to them.
 */
export interface VariantFilters {
  readonly minRougeL: number;
  readonly maxRougeL: number;
  readonly minWords: number;
  readonly maxWords: number;
}

export const DEFAULT_VARIANT_FILTERS: VariantFilters = {
  minRougeL: 0.1,
  maxRougeL: 0.9,
  minWords: 3,
  maxWords: 150,
};

/** Why a variant of `source` is dropped, or undefined when it passes. */
export function variantRejection(
  source: string,
  variant: string,
  filters: VariantFilters,
  opts: { readonly rouge: boolean },
): string | undefined {
  const count = words(variant).length;
  if (count < filters.minWords) return 'too_short';
  if (count > filters.maxWords) return 'too_long';
  if (!opts.rouge) return undefined;
  const score = rougeL(rougeTokenize(source), rougeTokenize(variant)).fmeasure;
  if (score > filters.maxRougeL) return 'too_similar';
  if (score < filters.minRougeL) return 'too_different';
  return undefined;
}
