import { ShapeError, UserError } from '../../../errors/index.js';
import { ops } from '../../functional.js';
import type { OpDef } from '../../op-def.js';
import type { Tensor } from '../../tensor.js';
import { describe, requireFloat, requireIndex } from '../helpers.js';
import { logSoftmaxOf } from './log-softmax.js';

const REDUCTIONS = ['mean', 'sum', 'none'];

/** For labels [N]: 1 on rows that count, 0 on rows labelled ignore_index, in `dtype`. */
export function validRows(labels: Tensor, ignoreIndex: number, like: Tensor): Tensor {
  return ops.where(labels.equal(ignoreIndex), 0, like.builder.scalar(1, like.dtype));
}

/** For labels [N] and C classes: the one-hot [N, C] in `like`'s dtype (all zeros for an ignored row). */
export function oneHot(labels: Tensor, like: Tensor): Tensor {
  const classes = labels.builder.arange(like.dim(-1), labels.dtype);
  return labels.unsqueeze(-1).equal(classes).cast(like.dtype);
}

/**
 * torch.nn.functional.cross_entropy for logits [N, C] and integer labels [N]: per row
 * loss_i = (1 - eps) * -logp[label_i] + eps * mean_c(-logp[c]), 0 where label_i == ignore_index;
 * 'mean' divides the sum by the number of rows that count (NaN when none does, as PyTorch), 'sum'
 * adds, 'none' gives [N]. A label outside [0, C) fails in the reference kernel; the decomposition
 * cannot check it (such a row gets a zero one-hot, so only its smoothing term).
 */
export const crossEntropy = {
  arity: 2,
  infer([logits, labels], { label_smoothing, reduction }) {
    requireFloat('cross_entropy', logits);
    requireIndex('cross_entropy', labels);
    const pair = `logits ${describe(logits)}, labels ${describe(labels)}`;
    if (
      logits.shape.length !== 2 ||
      labels.shape.length !== 1 ||
      logits.shape[0] !== labels.shape[0]
    ) {
      throw new ShapeError(
        `cross_entropy: expects logits [N, C] and labels [N] (axis 0 shared), got ${pair}`,
      );
    }
    if (!(label_smoothing >= 0 && label_smoothing <= 1)) {
      throw new UserError(
        `cross_entropy: label_smoothing must be in [0, 1], got ${label_smoothing}`,
      );
    }
    if (!REDUCTIONS.includes(reduction)) {
      throw new UserError(
        `cross_entropy: reduction must be one of ${REDUCTIONS.join(', ')}, got '${reduction}'`,
      );
    }
    return { shape: reduction === 'none' ? [logits.shape[0]] : [], dtype: logits.dtype };
  },
  reference([logits, labels], { ignore_index, label_smoothing: eps, reduction }, out, ctx) {
    const [n, c] = logits.shape;
    const x = logits.data;
    const loss = new Float64Array(n);
    let total = 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const label = labels.data[i];
      if (label === ignore_index) continue;
      if (!(Number.isInteger(label) && label >= 0 && label < c)) {
        throw new UserError(
          `cross_entropy: row ${i} has label ${label}, outside the ${c} classes [0, ${c}) and not ignore_index (${ignore_index})`,
        );
      }
      const row = i * c;
      let m = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < c; j++) m = Math.max(m, x[row + j]);
      let sum = 0;
      for (let j = 0; j < c; j++) sum += Math.exp(x[row + j] - m);
      const logSum = m + Math.log(sum); // -logp[j] = logSum - x[j]
      let smooth = 0;
      for (let j = 0; j < c; j++) smooth += logSum - x[row + j];
      loss[i] = (1 - eps) * (logSum - x[row + label]) + (eps * smooth) / c;
      total += loss[i];
      count++;
    }
    const y = ctx.alloc(out.dtype, reduction === 'none' ? n : 1);
    if (reduction === 'none') y.set(loss);
    else y[0] = reduction === 'sum' ? total : total / count;
    return y;
  },
  vjp({ dy, inputs: [logits, labels], attrs }) {
    return [logits.builder.apply('cross_entropy_backward', [logits, labels, dy], attrs), null];
  },
  // 'mean' and 'sum' reduce the op's own 'none' rows, so a backend with a row kernel keeps those
  decompose([logits, labels], attrs) {
    const { ignore_index, label_smoothing: eps, reduction } = attrs;
    if (reduction !== 'none') {
      const loss = logits.builder
        .apply('cross_entropy', [logits, labels], { ...attrs, reduction: 'none' })
        .sum();
      return reduction === 'sum' ? loss : loss.div(validRows(labels, ignore_index, logits).sum());
    }
    const logp = logSoftmaxOf(logits, -1);
    let loss = logp.mul(oneHot(labels, logits)).sum(-1).neg();
    if (eps > 0) loss = loss.mul(1 - eps).add(logp.mean(-1).neg().mul(eps));
    return loss.mul(validRows(labels, ignore_index, logits));
  },
} satisfies OpDef<'cross_entropy'>;
