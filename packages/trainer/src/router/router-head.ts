import { join } from 'node:path';
import {
  atomicWrite,
  HostTensor,
  readJsonObject,
  SafetensorsFile,
  UserError,
  writeSafetensors,
} from '@tunekit/core';
import { z } from 'zod';

/** The head's files in the folder `tunekit train` (task: router) writes. */
export const ROUTER_HEAD_CONFIG_FILE = 'router_head.json';
export const ROUTER_HEAD_WEIGHTS_FILE = 'router_head.safetensors';

const headConfigSchema = z.object({
  labels: z.array(z.string().min(1)).min(2),
  hidden_size: z.number().int().positive(),
  pooling: z.literal('mean'),
  base_model: z.string().optional(),
});

export type RouterHeadConfig = z.output<typeof headConfigSchema>;

/** The head's numbers: standardisation of the pooled state, then weight [labels, H] and bias. */
export interface RouterHeadWeights {
  readonly featureMean: Float64Array;
  readonly featureStd: Float64Array;
  readonly weight: Float64Array;
  readonly bias: Float64Array;
}

/**
 * The router's learned classifier: softmax(W x̂ + b) over the labels (adapter names, or `none`),
 * where x̂ is the base model's mean-pooled final hidden state standardised by the training set's
 * mean and deviation.
 */
export class RouterHead {
  constructor(
    readonly config: RouterHeadConfig,
    readonly weights: RouterHeadWeights,
  ) {}

  get labels(): readonly string[] {
    return this.config.labels;
  }

  /** The probability of each label for one pooled hidden state. */
  probabilities(pooled: ArrayLike<number>): Float64Array {
    const { featureMean, featureStd, weight, bias } = this.weights;
    const h = this.config.hidden_size;
    if (pooled.length !== h)
      throw new UserError(
        `router head: hidden size ${pooled.length}, but the head was trained on ${h}; use the base model it was trained on`,
      );
    const x = Float64Array.from(pooled, (v, k) => (v - featureMean[k]) / featureStd[k]);
    const logits = this.labels.map((_, l) => {
      let z = bias[l];
      for (let k = 0; k < h; k++) z += weight[l * h + k] * x[k];
      return z;
    });
    return softmax(logits);
  }

  async save(dir: string): Promise<void> {
    const { featureMean, featureStd, weight, bias } = this.weights;
    const h = this.config.hidden_size;
    const n = this.labels.length;
    await atomicWrite(
      join(dir, ROUTER_HEAD_CONFIG_FILE),
      `${JSON.stringify(this.config, null, 2)}\n`,
    );
    await writeSafetensors(
      join(dir, ROUTER_HEAD_WEIGHTS_FILE),
      new Map([
        ['feature_mean', HostTensor.from('f32', [h], featureMean)],
        ['feature_std', HostTensor.from('f32', [h], featureStd)],
        ['weight', HostTensor.from('f32', [n, h], weight)],
        ['bias', HostTensor.from('f32', [n], bias)],
      ]),
      { format: 'pt' },
    );
  }

  static async load(dir: string): Promise<RouterHead> {
    const configPath = join(dir, ROUTER_HEAD_CONFIG_FILE);
    const parsed = headConfigSchema.safeParse(await readJsonObject(configPath));
    if (!parsed.success)
      throw new UserError(
        `${configPath}: not a router head config (${parsed.error.issues[0]?.message}); train one with tunekit train (task: router)`,
      );
    const config = parsed.data;
    const h = config.hidden_size;
    const n = config.labels.length;
    const path = join(dir, ROUTER_HEAD_WEIGHTS_FILE);
    const file = await SafetensorsFile.open(path);
    try {
      const read = async (name: string, size: number) => {
        if (!file.keys().includes(name)) throw new UserError(`${path}: no tensor '${name}'`);
        const t = await file.read(name);
        if (t.size !== size)
          throw new UserError(`${path}: '${name}' has ${t.size} values, expected ${size}`);
        return t.toFloat64();
      };
      return new RouterHead(config, {
        featureMean: await read('feature_mean', h),
        featureStd: await read('feature_std', h),
        weight: await read('weight', n * h),
        bias: await read('bias', n),
      });
    } finally {
      await file.close();
    }
  }
}

export function softmax(logits: readonly number[]): Float64Array {
  const max = Math.max(...logits);
  const e = logits.map((z) => Math.exp(z - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return Float64Array.from(e, (v) => v / sum);
}
