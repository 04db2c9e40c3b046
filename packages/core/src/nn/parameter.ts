import type { DType } from '../graph/dtype.js';
import type { Shape } from '../graph/shape.js';
import { HostTensor } from '../tensor/index.js';

/**
 * A weight of a module: its host value (loaded or initialised) and whether it trains. It becomes
 * a graph input named by its path in the module tree, of role 'param' or 'frozen'.
 */
export class Parameter {
  private stored?: HostTensor;
  readonly shape: Shape;
  readonly dtype: DType;

  constructor(value: HostTensor, trainable?: boolean);
  constructor(value: { shape: Shape; dtype: DType }, trainable?: boolean);
  constructor(
    value: HostTensor | { shape: Shape; dtype: DType },
    public trainable = false,
  ) {
    if (value instanceof HostTensor) this.stored = value;
    this.shape = value.shape;
    this.dtype = value.dtype;
  }

  /**
   * A parameter whose zeros are only allocated if it is read before being loaded, so building a
   * model and then loading a checkpoint never holds two copies of its weights.
   */
  static zeros(shape: Shape, dtype: DType = 'f32'): Parameter {
    return new Parameter({ shape, dtype });
  }

  get value(): HostTensor {
    this.stored ??= HostTensor.zeros(this.dtype, this.shape);
    return this.stored;
  }

  /** Replaces the value; its shape and dtype must stay those of the parameter. */
  set value(v: HostTensor) {
    if (
      v.dtype !== this.dtype ||
      v.shape.length !== this.shape.length ||
      v.shape.some((d, i) => d !== this.shape[i])
    ) {
      throw new Error(
        `parameter of ${this.dtype}[${this.shape}] cannot hold ${v.dtype}[${v.shape}]`,
      );
    }
    this.stored = v;
  }
}
