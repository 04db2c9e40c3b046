import type { DType } from '../graph/dtype.js';
import type { Shape } from '../graph/shape.js';
import type { HostTensor } from '../tensor/index.js';

/**
 * A weight of a module: its host value (loaded or initialised) and whether it trains. It becomes
 * a graph input named by its path in the module tree, of role 'param' or 'frozen'.
 */
export class Parameter {
  constructor(
    public value: HostTensor,
    public trainable = false,
  ) {}

  get shape(): Shape {
    return this.value.shape;
  }

  get dtype(): DType {
    return this.value.dtype;
  }
}
