import { ShapeError } from '../../../errors/index.js';
import { ops } from '../../functional.js';
import type { OpDef } from '../../op-def.js';
import { formatShape, sameShape } from '../../shape.js';
import { describe } from '../helpers.js';
import { crossEntropy, oneHot, validRows } from './cross-entropy.js';

/**
 * The gradient of `cross_entropy` for its logits: (logits [N, C], labels [N], dy) -> [N, C], dy the
 * loss's cotangent ([N] for reduction 'none', a scalar otherwise). d logits = (softmax(logits) -
 * target) * w, with target = (1 - eps) onehot + eps / C and w = dy on rows that count (divided by
 * their number for 'mean'), 0 on ignored rows. With no row counting, 'mean' gives zero gradients,
 * as PyTorch's backward does. A fused op of its own so that a backend computes it in one pass over
 * the logits, as the forward.
 */
export const crossEntropyBackward = {
  arity: 3,
  infer([logits, labels, dy], attrs) {
    const loss = crossEntropy.infer([logits, labels], attrs);
    if (!sameShape(dy.shape, loss.shape) || dy.dtype !== logits.dtype) {
      throw new ShapeError(
        `cross_entropy_backward: dy must be ${logits.dtype}${formatShape(loss.shape)} (the loss's type), got ${describe(dy)}`,
      );
    }
    return { shape: logits.shape, dtype: logits.dtype };
  },
  reference([logits, labels, dy], { ignore_index, label_smoothing: eps, reduction }, out, ctx) {
    const [n, c] = logits.shape;
    const x = logits.data;
    const grads = ctx.alloc(out.dtype, n * c);
    let count = 0;
    for (let i = 0; i < n; i++) if (labels.data[i] !== ignore_index) count++;
    for (let i = 0; i < n; i++) {
      const label = labels.data[i];
      if (label === ignore_index) continue;
      let w = reduction === 'none' ? dy.data[i] : dy.data[0];
      if (reduction === 'mean') w /= Math.max(count, 1);
      const row = i * c;
      let m = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < c; j++) m = Math.max(m, x[row + j]);
      let sum = 0;
      for (let j = 0; j < c; j++) sum += Math.exp(x[row + j] - m);
      for (let j = 0; j < c; j++) {
        const target = (j === label ? 1 - eps : 0) + eps / c;
        grads[row + j] = (Math.exp(x[row + j] - m) / sum - target) * w;
      }
    }
    return grads;
  },
  decompose([logits, labels, dy], { ignore_index, label_smoothing: eps, reduction }) {
    const valid = validRows(labels, ignore_index, logits);
    let w = valid.mul(dy);
    if (reduction === 'mean') w = w.div(valid.sum().maximum(1));
    const onehot = oneHot(labels, logits);
    const target = eps > 0 ? onehot.mul(1 - eps).add(eps / logits.dim(-1)) : onehot;
    return ops.softmax(logits, -1).sub(target).mul(w.unsqueeze(-1));
  },
} satisfies OpDef<'cross_entropy_backward'>;
