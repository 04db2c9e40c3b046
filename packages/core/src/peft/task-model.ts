import type { NonFiniteOptions } from '../io/index.js';
import { folderSource, readOptionalJsonObject, readSafetensorsHeader } from '../io/index.js';
import {
  type CausalLM,
  type FamilySource,
  type HfConfig,
  loadCausalLM,
  loadEmbeddingModel,
  loadSequenceClassifier,
  MultiHeadModel,
  SCORE_HEAD,
  type TaskModel,
} from '../models/index.js';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE } from './adapter-folder.js';
import { peftKey } from './peft-keys.js';

/**
 * The model an adapter folder's `task_type` was trained on, loaded from the base folder `dir` (as
 * PEFT's AutoPeftModel picks the transformers class): SEQ_CLS a sequence classifier sized by the
 * saved `score` head, FEATURE_EXTRACTION the bare base model, anything else the causal LM, with
 * the extra heads a multi-head run saved (`modules_to_save` that the causal LM lacks, each sized by
 * its saved weight) on the same trunk.
 */
export async function loadModelForAdapter(
  dir: string,
  adapter: string,
  opts: NonFiniteOptions & { readonly families?: FamilySource },
): Promise<TaskModel> {
  const source = folderSource(adapter);
  const taskType = (await readOptionalJsonObject(ADAPTER_CONFIG_FILE, source))?.task_type;
  if (taskType === 'FEATURE_EXTRACTION') return (await loadEmbeddingModel(dir, opts)).model;
  if (taskType === 'SEQ_CLS') {
    const header = await readSafetensorsHeader(source.pathOf(ADAPTER_WEIGHTS_FILE));
    const score = header.tensors.get(peftKey(`${SCORE_HEAD}.weight`));
    return (await loadSequenceClassifier(dir, { ...opts, numLabels: score?.shape[0] })).model;
  }
  const { model, config } = await loadCausalLM(dir, opts);
  return withAdapterHeads(model, config, adapter);
}

/**
 * `model` with the extra heads a multi-head run saved in `adapter` (its `modules_to_save` that the
 * model lacks, each a Linear sized by its saved weight) on the same trunk, so that the adapter
 * loads onto it; `model` itself when there are none.
 */
export async function withAdapterHeads(
  model: CausalLM,
  config: HfConfig,
  adapter: string,
): Promise<CausalLM> {
  const source = folderSource(adapter);
  const saved = (await readOptionalJsonObject(ADAPTER_CONFIG_FILE, source))?.modules_to_save;
  const names = Array.isArray(saved) ? saved.filter((n): n is string => typeof n === 'string') : [];
  const own = new Set(model.namedModules().map(([path]) => path));
  const extra = names.filter((name) => !own.has(name));
  if (extra.length === 0) return model;
  const { tensors } = await readSafetensorsHeader(source.pathOf(ADAPTER_WEIGHTS_FILE));
  const heads = extra.flatMap((name) => {
    const weight = tensors.get(peftKey(`${name}.weight`));
    return weight?.shape.length === 2 ? [{ name, numLabels: weight.shape[0] }] : [];
  });
  return heads.length === 0 ? model : MultiHeadModel.withClassificationHeads(model, config, heads);
}

/**
 * `config.json` of a model merged from `base` and an adapter of `taskType`, as transformers saves
 * the task's class: `*ForSequenceClassification` with `id2label`/`label2id` (what `labels` holds,
 * e.g. the adapter's training record, else LABEL_0...), or the bare `*Model`.
 */
export function mergedTaskConfig(
  base: HfConfig,
  taskType: unknown,
  numLabels: number,
  labels?: { readonly id2label?: unknown; readonly label2id?: unknown },
): HfConfig {
  const architectures = Array.isArray(base.architectures) ? base.architectures.map(String) : [];
  const stem = (a: string) => a.replace(/(ForCausalLM|LMHeadModel)$/, '');
  if (taskType === 'FEATURE_EXTRACTION')
    return { ...base, architectures: architectures.map((a) => `${stem(a)}Model`) };
  if (taskType !== 'SEQ_CLS') return base;
  const names = Array.from({ length: numLabels }, (_, i) => `LABEL_${i}`);
  return {
    ...base,
    architectures: architectures.map((a) => `${stem(a)}ForSequenceClassification`),
    id2label: labels?.id2label ?? Object.fromEntries(names.map((n, i) => [String(i), n])),
    label2id: labels?.label2id ?? Object.fromEntries(names.map((n, i) => [n, i])),
  };
}
