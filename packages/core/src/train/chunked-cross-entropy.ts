import { UserError } from '../errors/index.js';
import { ops } from '../graph/functional.js';
import type { Tensor } from '../graph/tensor.js';

export interface ChunkedCrossEntropyOptions {
  /** Rows (tokens) per chunk; the logits of one chunk, [chunk, vocab], are all that exist at once. */
  readonly chunk_size: number;
  readonly ignore_index?: number;
  readonly label_smoothing?: number;
  /** 'sum' over the rows that count, or their 'mean' (NaN when none counts, as PyTorch). */
  readonly reduction?: 'sum' | 'mean';
}

/**
 * cross_entropy(head(hidden), labels) for hidden [N, H] and labels [N] without the [N, vocab]
 * logits: the rows go through `head` (the LM head) and the loss a chunk at a time, each chunk a
 * gradient-checkpointing segment, so the backward recomputes a chunk's logits from its hidden rows
 * instead of keeping them (Liger-Kernel's fused linear cross-entropy, in graph form). Loss and
 * gradients equal the unchunked ones up to the order of the sum.
 */
export function chunkedCrossEntropy(
  hidden: Tensor,
  head: (hidden: Tensor) => Tensor,
  labels: Tensor,
  opts: ChunkedCrossEntropyOptions,
): Tensor {
  const { chunk_size: size, reduction = 'mean' } = opts;
  if (!(Number.isInteger(size) && size > 0))
    throw new UserError(
      `chunked cross-entropy: chunk_size must be a positive integer, got ${size}`,
    );
  const ce = {
    ignore_index: opts.ignore_index ?? -100,
    label_smoothing: opts.label_smoothing ?? 0,
  };
  const n = hidden.dim(0);
  let total: Tensor | undefined;
  for (let start = 0; start < n; start += size) {
    const end = Math.min(n, start + size);
    const part = hidden.builder.checkpoint(() =>
      ops.crossEntropy(head(hidden.narrow(0, start, end)), labels.narrow(0, start, end), {
        ...ce,
        reduction: 'sum',
      }),
    );
    total = total ? total.add(part) : part;
  }
  if (!total) throw new UserError('chunked cross-entropy: no rows');
  if (reduction === 'sum') return total;
  const counted = ops.where(
    labels.equal(ce.ignore_index),
    0,
    hidden.builder.scalar(1, hidden.dtype),
  );
  return total.div(counted.sum());
}
