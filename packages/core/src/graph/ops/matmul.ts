import { ShapeError } from '../../errors/index.js';
import type { OpDef } from '../op-def.js';
import { broadcastShapes, sizeOf } from '../shape.js';
import { broadcastIndex, commonDtype, describe, sumToShape } from './helpers.js';

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
    // dA = dy B^T, dB = A^T dy, each summed back over broadcast batch axes
    vjp: ({ dy, inputs: [a, b] }) => [
      sumToShape(dy.matmul(b.transpose()), a.shape),
      sumToShape(a.transpose().matmul(dy), b.shape),
    ],
  },
} satisfies { matmul: OpDef<'matmul'> };
