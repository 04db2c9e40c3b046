import type { DependencyContainer } from 'tsyringe';
import { UserError } from '../errors/index.js';
import { type DType, isFloat } from '../graph/index.js';
import {
  countNonFinite,
  encodeSafetensors,
  folderSource,
  ModelWeights,
  type NonFiniteOptions,
  readHfConfig,
  readOptionalJsonObject,
  readSourceBytes,
  SAFETENSORS_DTYPES,
  writeModelFolder,
} from '../io/index.js';
import { type FamilySource, headOf, TASK_HEADS_FILE, takeExtraHeads } from '../models/index.js';
import { resolveAllOf, TOKENS } from '../plugin/index.js';
import { HostTensor } from '../tensor/index.js';
import type { LinearDispatcher } from './linear-dispatcher.js';
import type { PeftMethod } from './peft-method.js';
import { PeftModel } from './peft-model.js';
import { loadModelForAdapter, mergedTaskConfig } from './task-model.js';

/** Tokenizer files an adapter folder may carry (with the chat template it was trained with). */
const ADAPTER_TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
];

/** The PEFT methods (one must handle the adapter's `peft_type`), their dispatchers and the families. */
export interface MergePluginLists {
  readonly methods: readonly PeftMethod[];
  readonly dispatchers: readonly LinearDispatcher[];
  /** Core's model families by default. */
  readonly families?: FamilySource;
}

/** Where a merge finds its plugins: a container they registered in, or the lists themselves. */
export type MergePlugins = { readonly container: DependencyContainer } | MergePluginLists;

export type MergeAdapterOptions = NonFiniteOptions &
  MergePlugins & {
    /** The base model: a Hugging Face model folder. */
    readonly model: string;
    /** A PEFT adapter folder trained on that model (by tunekit or by Python PEFT). */
    readonly adapter: string;
    /** The folder to write the merged model to. */
    readonly out: string;
    /**
     * The dtype every floating-point weight is written in (config.json's `torch_dtype` follows);
     * by default each keeps the dtype the base checkpoint stores it in.
     */
    readonly dtype?: MergeDType;
  };

/** The dtypes a merged model can be written in, by tunekit's names, with transformers' `torch_dtype`. */
export const MERGE_DTYPES = { f32: 'float32', f16: 'float16', bf16: 'bfloat16' } as const;
export type MergeDType = keyof typeof MERGE_DTYPES;

/**
 * `tunekit merge`: loads the base model and the adapter, merges the adapter into the weights
 * (PEFT's `merge_and_unload`) and writes a full Hugging Face model folder that transformers and
 * tunekit load: the base's `config.json`, the weights in the dtype each had in the base checkpoint
 * (or all floating-point ones in `dtype`), and the tokenizer and generation files (the adapter's tokenizer files win, as they carry the
 * chat template used in training). A weight of the base or the adapter holding NaN or ±Inf, and a
 * merged weight that is not finite in its stored dtype (an f16 overflow), is an error unless
 * `allowNonfinite`. Returns the names of the files written.
 */
export async function mergeAdapterIntoFolder(opts: MergeAdapterOptions): Promise<string[]> {
  const { allowNonfinite, warn } = opts;
  const config = await readHfConfig(opts.model);
  const plugins = 'container' in opts ? fromContainer(opts.container) : opts;
  const model = await loadModelForAdapter(opts.model, opts.adapter, {
    families: plugins.families,
    allowNonfinite,
    warn,
  });
  // every adapter saved there: a prefix composed with the LoRA one is refused, not left out
  const peft = await PeftModel.fromPretrainedAll(model, opts.adapter, {
    allowNonfinite,
    warn,
    methods: plugins.methods,
    dispatchers: plugins.dispatchers,
    modelType: typeof config.model_type === 'string' ? config.model_type : undefined,
  });
  const taskType = peft.config().task_type;
  const merged = peft.mergeAndUnload();
  const stored = await storedDtypes(opts.model);
  const weights = new Map<string, HostTensor>();
  for (const [name, t] of merged.stateDict()) {
    // a checkpoint of the bare base model names its tensors without the first segment ('model.')
    const asBase = stored.get(name) ?? stored.get(name.slice(name.indexOf('.') + 1)) ?? t.dtype;
    const dtype = opts.dtype && isFloat(asBase) ? opts.dtype : asBase;
    const asStored = dtype === t.dtype ? t : HostTensor.from(dtype, t.shape, t.toFloat64());
    checkMergedFinite(asStored, name, opts);
    weights.set(name, asStored);
  }
  const extraFiles: Record<string, Uint8Array> = {};
  const adapter = folderSource(opts.adapter);
  for (const file of ADAPTER_TOKENIZER_FILES) {
    const bytes = await readSourceBytes(adapter, file);
    if (bytes) extraFiles[file] = bytes;
  }
  // a classifier's labels are in the training record tunekit writes beside its adapters
  const record = await readOptionalJsonObject('training_record.json', adapter);
  const taskConfig = mergedTaskConfig(config, taskType, headOf(model).size, record ?? undefined);
  // the extra heads of a multi-head model go beside the merged causal LM, which loads without them
  const heads = takeExtraHeads(model, weights);
  if (heads.size > 0) extraFiles[TASK_HEADS_FILE] = encodeSafetensors(heads);
  const outConfig = opts.dtype
    ? { ...taskConfig, torch_dtype: MERGE_DTYPES[opts.dtype] }
    : taskConfig;
  return writeModelFolder(opts.out, {
    config: outConfig,
    weights,
    copyFrom: opts.model,
    extraFiles,
  });
}

function fromContainer(container: DependencyContainer): MergePluginLists {
  return {
    methods: resolveAllOf(container, TOKENS.PeftMethod),
    dispatchers: resolveAllOf(container, TOKENS.LinearDispatcher),
    families: container,
  };
}

/** A merged weight with NaN or ±Inf is not written (unless allowed): the model would be broken. */
function checkMergedFinite(t: HostTensor, name: string, opts: MergeAdapterOptions): void {
  const count = countNonFinite(t);
  if (count === 0) return;
  const what = `merged tensor ${name} holds ${count} non-finite value${count === 1 ? '' : 's'} (NaN/Inf) in ${t.dtype}`;
  if (!opts.allowNonfinite) {
    throw new UserError(
      `${what}; not writing ${opts.out} (merging ${opts.adapter} into ${opts.model}); pass --allow-nonfinite to write it anyway`,
    );
  }
  (opts.warn ?? console.warn)(`${what}; writing it anyway (--allow-nonfinite)`);
}

/** The dtype of each tensor as the base checkpoint stores it (a bare base model's names unprefixed). */
async function storedDtypes(dir: string): Promise<Map<string, DType>> {
  const weights = await ModelWeights.open(dir);
  try {
    const out = new Map<string, DType>();
    for (const name of weights.keys()) {
      const host = SAFETENSORS_DTYPES[weights.info(name).dtype].host;
      if (host) out.set(name, host);
    }
    return out;
  } finally {
    await weights.close();
  }
}
