import type { Tokenizer } from '@tunekit/core';
import { contextFromTokenizer, resolveChatTemplate } from '@tunekit/templates';
import type { FitOptions } from './fit-record.js';
import type { LoadSftDataDeps } from './load-sft-data.js';
import type { SftDataConfig } from './sft-data-config.js';

/**
 * What every data loader renders records with: the config's chat template (the tokenizer's own
 * Jinja template when it has one, else ChatML), resolved from `baseDir`, and the fit settings.
 */
export async function templateFit(
  c: SftDataConfig,
  deps: Pick<LoadSftDataDeps, 'container' | 'tokenizer' | 'baseDir'>,
): Promise<{
  readonly baseDir: string;
  readonly fit: FitOptions & { readonly tokenizer: Tokenizer };
}> {
  const { tokenizer } = deps;
  const baseDir = deps.baseDir ?? process.cwd();
  const templateId = c.template ?? (tokenizer.chatTemplate !== undefined ? 'jinja' : 'chatml');
  const template = await resolveChatTemplate(deps.container, templateId, baseDir);
  const fit = {
    template,
    tokenizer,
    context: contextFromTokenizer(tokenizer),
    system: c.system,
    lossPolicy: c.loss_policy,
    maxLength: c.max_length,
  } satisfies FitOptions;
  return { baseDir, fit };
}
