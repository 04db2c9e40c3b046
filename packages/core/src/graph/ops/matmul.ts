import { ShapeError } from '../../errors/index.js';
import type { OpDef } from '../op-def.js';
import { broadcastShapes, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { broadcastIndex, commonDtype, describe, sumToShape } from './helpers.js';

/** [..., M, K] as the matrix [(...) * M, K]. */
const rowsOf = (t: Tensor): Tensor =>
  t.rank === 2 ? t : t.reshape([sizeOf(t.shape) / t.dim(-1), t.dim(-1)]);

/** dB = A^T dy for a matrix B [K, N], over every row of A's batch; computed N rows tall when N < K. */
function matrixGrad(a: Tensor, dy: Tensor): Tensor {
  const [rowsA, rowsDy] = [rowsOf(a), rowsOf(dy)];
  return dy.dim(-1) < a.dim(-1)
    ? rowsDy.transpose().matmul(rowsA).transpose()
    : rowsA.transpose().matmul(rowsDy);
}

export const MATMUL_OPS = {
  matmul: {
    arity: 2,
    infer([a, b]) {
      const pair = `${describe(a)} @ ${describe(b)}`;
      if (a.shape.length < 2 || b.shape.length < 2) {
        throw new ShapeError(
          `matmul: both operands need rank >= 2: ${pair}; unsqueeze a vector first`,
        );
      }
      const dtype = commonDtype('matmul', [a, b]);
      if (dtype === 'bool') throw new ShapeError(`matmul: not defined on bool: ${pair}`);
      const [m, k] = a.shape.slice(-2);
      const [k2, n] = b.shape.slice(-2);
      if (k !== k2)
        throw new ShapeError(`matmul: inner dimensions differ: ${pair} (${k} vs ${k2})`);
      const batch = broadcastShapes(
        `matmul: batch dimensions of ${pair}`,
        a.shape.slice(0, -2),
        b.shape.slice(0, -2),
      );
      return { shape: [...batch, m, n], dtype };
    },
    // per broadcast batch, y[i, j] = sum_p a[i, p] b[p, j], accumulated in f64 one output row at a time
    reference([a, b], _attrs, out, ctx) {
      const [m, k] = a.shape.slice(-2);
      const n = b.shape[b.shape.length - 1];
      const batch = out.shape.slice(0, -2);
      const ia = broadcastIndex(batch, a.shape.slice(0, -2));
      const ib = broadcastIndex(batch, b.shape.slice(0, -2));
      const y = ctx.alloc(out.dtype, sizeOf(out.shape));
      const row = new Float64Array(n);
      for (let bi = 0; bi < ia.length; bi++) {
        const aOff = ia[bi] * m * k;
        const bOff = ib[bi] * k * n;
        const yOff = bi * m * n;
        for (let i = 0; i < m; i++) {
          row.fill(0);
          for (let p = 0; p < k; p++) {
            const aip = a.data[aOff + i * k + p];
            const bRow = bOff + p * n;
            for (let j = 0; j < n; j++) row[j] += aip * b.data[bRow + j];
          }
          y.set(row, yOff + i * n);
        }
      }
      return y;
    },
    // dA = dy B^T, dB = A^T dy, each summed back over broadcast batch axes. A matrix B (a weight)
    // broadcast over A's batch gets dB from one matmul over every row of the batch, rather than
    // one small matmul per batch element and a sum, and as (dy^T A)^T when it is narrower than it is
    // tall: onnxruntime's matmul kernels run an output 8 wide (LoRA's A [in, r] with r = 8) at a
    // quarter of their rate on the same product 8 rows tall (bench/README.md, "Where the step's
    // time goes").
    vjp: ({ dy, inputs: [a, b] }) => [
      sumToShape(dy.matmul(b.transpose()), a.shape),
      b.rank === 2 ? matrixGrad(a, dy) : sumToShape(a.transpose().matmul(dy), b.shape),
    ],
  },
} satisfies { matmul: OpDef<'matmul'> };
