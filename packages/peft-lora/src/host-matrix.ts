import { type DType, HostTensor } from '@tunekit/core';

/** A row-major matrix in float64 on the host, for merging and initialising adapters exactly. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export function matrixOf(t: HostTensor): Matrix {
  const [rows, cols] = t.shape;
  return { rows, cols, data: t.toFloat64() };
}

export function toTensor(m: Matrix, dtype: DType): HostTensor {
  return HostTensor.from(dtype, [m.rows, m.cols], m.data);
}

export function matmul(a: Matrix, b: Matrix): Matrix {
  const data = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k];
      if (aik === 0) continue;
      for (let j = 0; j < b.cols; j++) data[i * b.cols + j] += aik * b.data[k * b.cols + j];
    }
  }
  return { rows: a.rows, cols: b.cols, data };
}

export function transpose(m: Matrix): Matrix {
  const data = new Float64Array(m.data.length);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.cols; j++) data[j * m.rows + i] = m.data[i * m.cols + j];
  return { rows: m.cols, cols: m.rows, data };
}

/** a + s * b, elementwise. */
export function addScaled(a: Matrix, b: Matrix, s = 1): Matrix {
  return { rows: a.rows, cols: a.cols, data: a.data.map((v, i) => v + s * b.data[i]) };
}

/** The L2 norm of each row: PEFT's `torch.linalg.norm(weight, dim=1)`. */
export function rowNorms(m: Matrix): Float64Array {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) {
    let sum = 0;
    for (let j = 0; j < m.cols; j++) sum += m.data[i * m.cols + j] ** 2;
    out[i] = Math.sqrt(sum);
  }
  return out;
}

/** Row i multiplied by f(i). */
export function scaleRows(m: Matrix, f: (row: number) => number): Matrix {
  return { rows: m.rows, cols: m.cols, data: m.data.map((v, i) => v * f(Math.floor(i / m.cols))) };
}
