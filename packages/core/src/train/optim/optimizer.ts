import type { GraphBuilder } from '../../graph/builder.js';
import type { Tensor } from '../../graph/tensor.js';

/**
 * One trainable parameter as the optimizer sees it inside the step graph: a flat chunk of
 * parameters (`FlatChunk`, 1-D). So the update must be elementwise (AdamW, SGD, Lion); one that
 * needs each tensor's shape or norm (Adafactor, LAMB) does not fit this interface.
 */
export interface OptimizerSlot {
  readonly name: string;
  readonly param: Tensor;
  /** Already clipped, if clipping is on. */
  readonly grad: Tensor;
  /** Scalar graph input: this parameter group's learning rate for the current step. */
  readonly lr: Tensor;
  readonly weightDecay: number;
}

/**
 * An optimizer written as a graph fragment: it reads its state as graph inputs (role 'state',
 * zero-initialised, named `<slot>.<state>`; a checkpoint splits them per parameter into PyTorch's
 * state_dict names `<param>.<state>`) and returns the new value of each parameter and state
 * tensor as in-place updates, so a whole step is one run.
 */
export interface Optimizer {
  readonly id: string;
  /** Names of the per-parameter state tensors, e.g. ['exp_avg', 'exp_avg_sq']. */
  readonly stateNames: readonly string[];
  build(
    b: GraphBuilder,
    slots: readonly OptimizerSlot[],
    scalar: (name: string) => Tensor,
  ): Record<string, Tensor>;
  /** Values of the per-step scalar inputs this optimizer declared through `scalar`, for 1-based `step`. */
  stepScalars(step: number): Record<string, number>;
}
