import { join } from 'node:path';
import { HF_CONFIG_FILE, loadWeights, type NonFiniteOptions, readHfConfig } from '../io/index.js';
import { type BuiltCausalLM, buildCausalLM, loadCheckpoint } from './build-causal-lm.js';
import type { FamilySource } from './resolve-family.js';

export interface LoadCausalLMOptions extends NonFiniteOptions {
  /** Where model families come from: a container (`TOKENS.ModelFamily`) or a list; default core's own. */
  readonly families?: FamilySource;
}

/**
 * Loads a Hugging Face model folder: `config.json` picks and configures the family, the
 * safetensors weights (widened to f32) are loaded strictly, and a weight holding NaN or ±Inf is an
 * error unless `allowNonfinite`. Returns the model with its validated config and family.
 */
export async function loadCausalLM(
  dir: string,
  opts: LoadCausalLMOptions = {},
): Promise<BuiltCausalLM> {
  const raw = await readHfConfig(dir);
  const file = join(dir, HF_CONFIG_FILE);
  const built = buildCausalLM(raw, { families: opts.families, file });
  const weights = await loadWeights(dir, { ...opts, dtype: 'f32' });
  loadCheckpoint(built.model, built.family, weights, dir, file);
  return built;
}
