import {
  type FolderInput,
  folderSource,
  HF_CONFIG_FILE,
  loadWeights,
  type NonFiniteOptions,
  readHfConfig,
} from '../io/index.js';
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
 * Loads a Hugging Face model folder (a path, a URL in a browser, or any FileSource): `config.json` picks and configures the family, the
 * safetensors weights (widened to f32, or quantized by the modules that store them themselves) are
 * loaded strictly, and a weight holding NaN or ±Inf is an error unless `allowNonfinite`. Returns the
 * model with its validated config and family.
 */
export async function loadCausalLM(
  dir: FolderInput,
  opts: LoadCausalLMOptions = {},
): Promise<BuiltCausalLM> {
  const source = folderSource(dir);
  const raw = await readHfConfig(source);
  const file = source.pathOf(HF_CONFIG_FILE);
  const built = buildCausalLM(raw, { families: opts.families, file });
  opts.quantize?.(built.model);
  const store = checkpointStorage(built.model, built.family.baseModelPrefix);
  const weights = await loadWeights(source, { ...opts, dtype: 'f32', store });
  loadCheckpoint(built.model, built.family, weights, source.location, file);
  return built;
}
