import {
  folderSource,
  HF_CONFIG_FILE,
  loadWeights,
  type NonFiniteOptions,
  readHfConfig,
} from '../io/index.js';
import { buildCausalLM, loadCheckpoint } from './build-causal-lm.js';
import { EmbeddingModel } from './embedding-model.js';
import type { HfConfig, ModelFamily } from './model-family.js';
import type { FamilySource } from './resolve-family.js';

export interface LoadedEmbeddingModel {
  readonly model: EmbeddingModel;
  readonly config: HfConfig;
  readonly family: ModelFamily;
}

/**
 * `AutoModel.from_pretrained` of a decoder: the base model of a causal checkpoint (its LM head
 * dropped) or of a bare base-model checkpoint (a merged FEATURE_EXTRACTION model), loaded strictly.
 */
export async function loadEmbeddingModel(
  dir: string,
  opts: NonFiniteOptions & { readonly families?: FamilySource } = {},
): Promise<LoadedEmbeddingModel> {
  const raw = await readHfConfig(dir);
  const file = folderSource(dir).pathOf(HF_CONFIG_FILE);
  const { model: causal, config, family } = buildCausalLM(raw, { families: opts.families, file });
  const model = EmbeddingModel.fromCausalLM(causal, family);
  const prefix = `${family.baseModelPrefix}.`;
  const weights = new Map();
  for (const [name, tensor] of await loadWeights(dir, { ...opts, dtype: 'f32' })) {
    if (name.startsWith('lm_head.')) continue;
    weights.set(name.startsWith(prefix) ? name.slice(prefix.length) : name, tensor);
  }
  loadCheckpoint(model, family, weights, dir, file);
  return { model, config, family };
}
