import type { GraphBuilder } from './builder.js';
import type { DType } from './dtype.js';
import type { OpName } from './op-name.js';
import { normAxis, type Shape } from './shape.js';

export type TensorLike = Tensor | number;

type Unary =
  | 'neg'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'reciprocal'
  | 'sin'
  | 'cos'
  | 'tanh'
  | 'erf'
  | 'abs'
  | 'sign';
type Binary =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'maximum'
  | 'minimum'
  | 'equal'
  | 'less'
  | 'greater';

/**
 * A handle to a node of a graph being traced. Methods append nodes; nothing is computed.
 * Numbers passed where a tensor is expected become scalar constants of this tensor's dtype.
 */
export class Tensor {
  constructor(
    readonly builder: GraphBuilder,
    readonly id: number,
    readonly shape: Shape,
    readonly dtype: DType,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  /** Size of axis `axis` (negative counts from the end). */
  dim(axis: number): number {
    return this.shape[normAxis('dim', axis, this.rank, this.shape)];
  }

  private lift(x: TensorLike): Tensor {
    return typeof x === 'number' ? this.builder.scalar(x, this.dtype) : x;
  }

  private unary(op: Unary): Tensor {
    return this.builder.apply(op, [this], {});
  }

  private binary(op: Binary, other: TensorLike): Tensor {
    return this.builder.apply(op, [this, this.lift(other)], {});
  }

  // elementwise
  add(o: TensorLike): Tensor {
    return this.binary('add', o);
  }
  sub(o: TensorLike): Tensor {
    return this.binary('sub', o);
  }
  mul(o: TensorLike): Tensor {
    return this.binary('mul', o);
  }
  div(o: TensorLike): Tensor {
    return this.binary('div', o);
  }
  pow(o: TensorLike): Tensor {
    return this.binary('pow', o);
  }
  maximum(o: TensorLike): Tensor {
    return this.binary('maximum', o);
  }
  minimum(o: TensorLike): Tensor {
    return this.binary('minimum', o);
  }
  equal(o: TensorLike): Tensor {
    return this.binary('equal', o);
  }
  less(o: TensorLike): Tensor {
    return this.binary('less', o);
  }
  greater(o: TensorLike): Tensor {
    return this.binary('greater', o);
  }
  neg(): Tensor {
    return this.unary('neg');
  }
  exp(): Tensor {
    return this.unary('exp');
  }
  log(): Tensor {
    return this.unary('log');
  }
  sqrt(): Tensor {
    return this.unary('sqrt');
  }
  reciprocal(): Tensor {
    return this.unary('reciprocal');
  }
  sin(): Tensor {
    return this.unary('sin');
  }
  cos(): Tensor {
    return this.unary('cos');
  }
  tanh(): Tensor {
    return this.unary('tanh');
  }
  erf(): Tensor {
    return this.unary('erf');
  }
  abs(): Tensor {
    return this.unary('abs');
  }
  sign(): Tensor {
    return this.unary('sign');
  }
  cast(dtype: DType): Tensor {
    return dtype === this.dtype ? this : this.builder.apply('cast', [this], { dtype });
  }

  // composites over primitives
  square(): Tensor {
    return this.mul(this);
  }
  rsqrt(): Tensor {
    return this.sqrt().reciprocal();
  }
  /** 1 / (1 + exp(-x)) */
  sigmoid(): Tensor {
    return this.builder.apply('sigmoid', [this], {});
  }
  relu(): Tensor {
    return this.maximum(0);
  }
  /** x * sigmoid(x), Llama's MLP activation */
  silu(): Tensor {
    return this.builder.apply('silu', [this], {});
  }
  /** GELU; `tanh` is GPT-2's `gelu_new` approximation, otherwise the exact erf form. */
  gelu(approximate: 'none' | 'tanh' = 'none'): Tensor {
    if (approximate === 'tanh') {
      const inner = this.add(this.mul(this).mul(this).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
      return this.mul(0.5).mul(inner.tanh().add(1));
    }
    return this.mul(0.5).mul(this.mul(Math.SQRT1_2).erf().add(1));
  }

  // reductions (axes default to all)
  sum(axes?: number | readonly number[], keepdims = false): Tensor {
    return this.builder.apply('sum', [this], { axes: this.axesOf(axes), keepdims });
  }
  max(axes?: number | readonly number[], keepdims = false): Tensor {
    return this.builder.apply('max', [this], { axes: this.axesOf(axes), keepdims });
  }
  mean(axes?: number | readonly number[], keepdims = false): Tensor {
    const ax = this.axesOf(axes).map((a) => normAxis('mean', a, this.rank, this.shape));
    const n = ax.reduce((acc, a) => acc * this.shape[a], 1);
    return this.sum(ax, keepdims).mul(1 / n);
  }
  argmax(axis = -1, keepdims = false): Tensor {
    return this.builder.apply('argmax', [this], { axis, keepdims });
  }

  // movement
  reshape(shape: Shape): Tensor {
    return this.builder.apply('reshape', [this], { shape: [...shape] });
  }
  /** Permute axes; without `perm`, swap the last two. */
  transpose(perm?: readonly number[]): Tensor {
    const p =
      perm ??
      [...this.shape.keys()].map((i, _, all) =>
        i === all.length - 1 ? all.length - 2 : i === all.length - 2 ? all.length - 1 : i,
      );
    return this.builder.apply('transpose', [this], { perm: [...p] });
  }
  slice(starts: readonly number[], ends: readonly number[]): Tensor {
    return this.builder.apply('slice', [this], { starts: [...starts], ends: [...ends] });
  }
  /** Elements [start, end) of one axis. */
  narrow(axis: number, start: number, end: number): Tensor {
    const a = normAxis('narrow', axis, this.rank, this.shape);
    const starts = this.shape.map((_, i) => (i === a ? start : 0));
    const ends = this.shape.map((d, i) => (i === a ? end : d));
    return this.slice(starts, ends);
  }
  pad(before: readonly number[], after: readonly number[]): Tensor {
    return this.builder.apply('pad', [this], { before: [...before], after: [...after] });
  }
  broadcastTo(shape: Shape): Tensor {
    return this.builder.apply('broadcast_to', [this], { shape: [...shape] });
  }
  /** Insert a size-1 axis at `axis` (negative counts from the end of the result). */
  unsqueeze(axis: number): Tensor {
    const a = normAxis('unsqueeze', axis, this.rank + 1);
    return this.reshape([...this.shape.slice(0, a), 1, ...this.shape.slice(a)]);
  }
  squeeze(axis: number): Tensor {
    const a = normAxis('squeeze', axis, this.rank, this.shape);
    return this.reshape(this.shape.filter((_, i) => i !== a));
  }

  // contraction and indexing
  matmul(other: Tensor): Tensor {
    return this.builder.apply('matmul', [this, other], {});
  }
  /** ONNX Gather: rows of this tensor along `axis` picked by integer `indices`. */
  gather(indices: Tensor, axis = 0): Tensor {
    return this.builder.apply('gather', [this, indices], { axis });
  }

  softmax(axis = -1): Tensor {
    return this.builder.apply('softmax', [this], { axis });
  }
  logSoftmax(axis = -1): Tensor {
    return this.builder.apply('log_softmax', [this], { axis });
  }

  private axesOf(axes: number | readonly number[] | undefined): number[] {
    if (axes === undefined) return [...this.shape.keys()];
    return typeof axes === 'number' ? [axes] : [...axes];
  }

  toString(): string {
    const node = this.builder.nodes[this.id];
    return `Tensor(%${this.id} = ${node.op as OpName}, ${this.dtype}[${this.shape.join(', ')}])`;
  }
}
