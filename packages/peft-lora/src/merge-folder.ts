import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  countNonFinite,
  type DType,
  HostTensor,
  loadCausalLM,
  ModelWeights,
  type NonFiniteOptions,
  PeftModel,
  readHfConfig,
  resolveAllOf,
  SAFETENSORS_DTYPES,
  TOKENS,
  UserError,
  writeModelFolder,
} from '@tunekit/core';
import type { DependencyContainer } from 'tsyringe';
import { denseLinearDispatcher } from './dense-dispatcher.js';
import { loraMethod } from './lora-method.js';

/** Tokenizer files an adapter folder may carry (with the chat template it was trained with). */
const ADAPTER_TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
];

export interface MergeAdapterOptions extends NonFiniteOptions {
  /** The base model: a Hugging Face model folder. */
  readonly model: string;
  /** A PEFT adapter folder trained on that model (by tunekit or by Python PEFT). */
  readonly adapter: string;
  /** The folder to write the merged model to. */
  readonly out: string;
  /**
   * Where model families, PEFT methods and dispatchers come from; by default core's families,
   * LoRA and its dense dispatcher.
   */
  readonly container?: DependencyContainer;
}

/**
 * `tunekit merge`: loads the base model and the adapter, merges the adapter into the weights
 * (PEFT's `merge_and_unload`) and writes a full Hugging Face model folder that transformers and
 * tunekit load: the base's `config.json`, the weights in the dtype each had in the base checkpoint,
 * and the tokenizer and generation files (the adapter's tokenizer files win, as they carry the
 * chat template used in training). A weight of the base or the adapter holding NaN or ±Inf, and a
 * merged weight that is not finite in its stored dtype (an f16 overflow), is an error unless
 * `allowNonfinite`. Returns the names of the files written.
 */
export async function mergeAdapterIntoFolder(opts: MergeAdapterOptions): Promise<string[]> {
  const { container, allowNonfinite, warn } = opts;
  const config = await readHfConfig(opts.model);
  const { model } = await loadCausalLM(opts.model, { families: container, allowNonfinite, warn });
  const peft = await PeftModel.fromPretrained(model, opts.adapter, {
    allowNonfinite,
    warn,
    methods: container ? resolveAllOf(container, TOKENS.PeftMethod) : [loraMethod],
    dispatchers: container
      ? resolveAllOf(container, TOKENS.LinearDispatcher)
      : [denseLinearDispatcher],
    modelType: typeof config.model_type === 'string' ? config.model_type : undefined,
  });
  const merged = peft.mergeAndUnload();
  const stored = await storedDtypes(opts.model);
  const weights = new Map<string, HostTensor>();
  for (const [name, t] of merged.stateDict()) {
    // a checkpoint of the bare base model names its tensors without the first segment ('model.')
    const dtype = stored.get(name) ?? stored.get(name.slice(name.indexOf('.') + 1)) ?? t.dtype;
    const asStored = dtype === t.dtype ? t : HostTensor.from(dtype, t.shape, t.toFloat64());
    checkMergedFinite(asStored, name, opts);
    weights.set(name, asStored);
  }
  const extraFiles: Record<string, Uint8Array> = {};
  for (const file of ADAPTER_TOKENIZER_FILES) {
    const bytes = await readIfPresent(join(opts.adapter, file));
    if (bytes) extraFiles[file] = bytes;
  }
  return writeModelFolder(opts.out, { config, weights, copyFrom: opts.model, extraFiles });
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

async function readIfPresent(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
