import type { DType } from '../../graph/dtype.js';
import type { RefTensor } from '../../graph/op-def.js';
import type { Shape } from '../../graph/shape.js';
import type { DeviceTensor } from '../backend.js';

/** A device tensor of the reference backend: a value that executables may replace in place. */
export class RefDeviceTensor implements DeviceTensor {
  readonly backendId = 'reference';
  constructor(public value: RefTensor) {}
  get shape(): Shape {
    return this.value.shape;
  }
  get dtype(): DType {
    return this.value.dtype;
  }
}
