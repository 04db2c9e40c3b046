import { join } from 'node:path';
import { HF_CONFIG_FILE, loadWeights, type NonFiniteOptions, readHfConfig } from '../io/index.js';
import { type BuiltCausalLM, buildCausalLM, loadCheckpoint } from './build-causal-lm.js';
import type { CausalLM } from './causal-lm.js';
import { checkpointStorage } from './checkpoint-storage.js';
import type { FamilySource } from './resolve-family.js';

export interface LoadCausalLMOptions extends NonFiniteOptions {
  /** Where model families come from: a container (`TOKENS.ModelFamily`) or a list; default core's own. */
  readonly families?: FamilySource;
  /**
   * Swaps modules of the built model for quantized storage before any weight is read (a
   * `ModelQuantizer`, `load_in_4bit`); their weights are then quantized one by one as they stream in.
   */
  readonly quantize?: (model: CausalLM) => void;
}

/**
 * Loads a Hugging Face model folder: `config.json` picks and configures the family, the
 * safetensors weights (widened to f32, or quantized by the modules that store them themselves) are
 * loaded strictly, and a weight holding NaN or ±Inf is an error unless `allowNonfinite`. Returns the
 * model with its validated config and family.
 */
export async function loadCausalLM(
  dir: string,
  opts: LoadCausalLMOptions = {},
): Promise<BuiltCausalLM> {
  const raw = await readHfConfig(dir);
  const file = join(dir, HF_CONFIG_FILE);
  const built = buildCausalLM(raw, { families: opts.families, file });
  opts.quantize?.(built.model);
  const store = checkpointStorage(built.model, built.family.baseModelPrefix);
  const weights = await loadWeights(dir, { ...opts, dtype: 'f32', store });
  loadCheckpoint(built.model, built.family, weights, dir, file);
  return built;
}
