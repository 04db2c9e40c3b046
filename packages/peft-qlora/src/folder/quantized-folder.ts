import { ModelWeights, readHfConfig, UserError } from '@tunekit/core';
import {
  type BnbQuantizationConfig,
  readBnbQuantizationConfig,
} from './bnb-quantization-config.js';
import {
  type BnbWeight,
  isBnbComponent,
  quantStateKeyOf,
  readBnbWeight,
  readQuantState,
} from './bnb-weight.js';
import type { QuantState } from './quant-state.js';

/** A pre-quantized 4-bit model folder, opened: headers read, tensors read when asked for. */
export interface QuantizedFolder {
  readonly dir: string;
  /** config.json, with its `quantization_config`. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly quantization: BnbQuantizationConfig;
  readonly weights: ModelWeights;
  /** The quant_state of each 4-bit weight, by weight name (`model.layers.0.self_attn.q_proj.weight`), in file order. */
  readonly quantized: ReadonlyMap<string, QuantState>;
  /** Every other tensor (embeddings, norms, lm_head, biases), in file order. */
  readonly plain: readonly string[];
  /** Weight `name` with its quantization constants, checked against its quant_state. */
  read(name: string): Promise<BnbWeight>;
  close(): Promise<void>;
}

/**
 * Opens a model folder that transformers + bitsandbytes saved in 4 bits: config.json must carry a
 * 4-bit bitsandbytes `quantization_config`, and each 4-bit weight is recognised by its
 * `<weight>.quant_state.bitsandbytes__nf4|fp4` tensor; a component without its weight is an error.
 */
export async function openQuantizedFolder(dir: string): Promise<QuantizedFolder> {
  const config = await readHfConfig(dir);
  const quantization = readBnbQuantizationConfig(config, dir);
  if (!quantization) {
    throw new UserError(`${dir}/config.json has no quantization_config: not a 4-bit model folder`);
  }
  const weights = await ModelWeights.open(dir);
  try {
    const keys = weights.keys();
    const quantized = new Map<string, QuantState>();
    for (const key of keys) {
      const stateKey = quantStateKeyOf(weights, key);
      if (stateKey) quantized.set(key, await readQuantState(weights, stateKey));
    }
    const components = new Set(
      [...quantized.keys()].flatMap((name) => keys.filter((key) => isBnbComponent(key, name))),
    );
    const orphan = keys.find(
      (key) => /\.quant_state\.bitsandbytes__/.test(key) && !components.has(key),
    );
    if (orphan) {
      throw new UserError(
        `${weights.info(orphan).file}: tensor "${orphan}" is a quant_state whose weight is missing`,
      );
    }
    if (quantized.size === 0) {
      throw new UserError(
        `${dir}: config.json says 4-bit, but no tensor has a quant_state.bitsandbytes__nf4|fp4 beside it`,
      );
    }
    const plain = keys.filter((key) => !components.has(key) && !quantized.has(key));
    return {
      dir,
      config,
      quantization,
      weights,
      quantized,
      plain,
      read: (name) => readBnbWeight(weights, name),
      close: () => weights.close(),
    };
  } catch (err) {
    await weights.close();
    throw err;
  }
}
