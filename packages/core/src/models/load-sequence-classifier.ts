import {
  folderSource,
  HF_CONFIG_FILE,
  loadWeights,
  type NonFiniteOptions,
  readHfConfig,
} from '../io/index.js';
import type { Parameter } from '../nn/index.js';
import { buildCausalLM, loadCheckpoint } from './build-causal-lm.js';
import type { HfConfig, ModelFamily } from './model-family.js';
import type { FamilySource } from './resolve-family.js';
import { SCORE_HEAD, SequenceClassifier } from './sequence-classifier.js';

export interface LoadSequenceClassifierOptions extends NonFiniteOptions {
  readonly families?: FamilySource;
  /** Classes of the head; default the config's `id2label` count. */
  readonly numLabels?: number;
  /** Seeds the `score` head when the checkpoint has none. */
  readonly seed?: number;
}

export interface LoadedSequenceClassifier {
  readonly model: SequenceClassifier;
  readonly config: HfConfig;
  readonly family: ModelFamily;
}

/**
 * `AutoModelForSequenceClassification.from_pretrained`: a causal checkpoint loads with its LM head
 * dropped and a fresh `score` head; a classifier's checkpoint (a merged SEQ_CLS model) loads its own
 * `score`. Every other tensor loads strictly.
 */
export async function loadSequenceClassifier(
  dir: string,
  opts: LoadSequenceClassifierOptions = {},
): Promise<LoadedSequenceClassifier> {
  const raw = await readHfConfig(dir);
  const file = folderSource(dir).pathOf(HF_CONFIG_FILE);
  const { model: causal, config, family } = buildCausalLM(raw, { families: opts.families, file });
  const fromConfig =
    typeof config.id2label === 'object' && config.id2label !== null
      ? Object.keys(config.id2label).length
      : 2;
  const model = SequenceClassifier.fromCausalLM(causal, family, config, {
    numLabels: opts.numLabels ?? fromConfig,
    seed: opts.seed,
  });
  const weights = new Map(await loadWeights(dir, { ...opts, dtype: 'f32' }));
  for (const name of [...weights.keys()]) if (name.startsWith('lm_head.')) weights.delete(name);
  const score = `${SCORE_HEAD}.weight`;
  if (!weights.has(score))
    weights.set(score, (new Map(model.namedParameters()).get(score) as Parameter).value);
  loadCheckpoint(model, family, weights, dir, file);
  return { model, config, family };
}
