import { UserError } from '../errors/index.js';
import { Linear } from '../nn/linear.js';
import { HostTensor, randomNormal, seededRandom } from '../tensor/index.js';
import type { HfConfig } from './model-family.js';

/** transformers' `*ForSequenceClassification` head name; PEFT's SEQ_CLS saves it (`modules_to_save`). */
export const SCORE_HEAD = 'score';

/** The hidden size of `config` (`hidden_size`, GPT-2's `n_embd`), which sizes a head's inputs. */
export function hiddenSizeOf(config: HfConfig, head = SCORE_HEAD): number {
  const hiddenSize = Number(config.hidden_size ?? config.n_embd);
  if (!Number.isInteger(hiddenSize) || hiddenSize <= 0)
    throw new UserError(`config.json: no hidden_size (or n_embd) to size the ${head} head`);
  return hiddenSize;
}

/**
 * A classification head as transformers makes `score`: Linear [num_labels, hidden] without bias,
 * initialised normal(0, initializer_range), seeded.
 */
export function scoreHead(
  config: HfConfig,
  opts: { readonly numLabels: number; readonly seed?: number; readonly name?: string },
): Linear {
  const hiddenSize = hiddenSizeOf(config, opts.name);
  const { numLabels } = opts;
  if (!Number.isInteger(numLabels) || numLabels < 2)
    throw new UserError(`num_labels must be an integer >= 2, got ${numLabels}`);
  const head = new Linear(hiddenSize, numLabels);
  const std = typeof config.initializer_range === 'number' ? config.initializer_range : 0.02;
  const init = randomNormal(numLabels * hiddenSize, seededRandom(opts.seed ?? 0));
  const weight = head.namedParameters().find(([name]) => name === 'weight')?.[1];
  if (weight)
    weight.value = HostTensor.from(
      'f32',
      [numLabels, hiddenSize],
      init.map((x) => x * std),
    );
  return head;
}
