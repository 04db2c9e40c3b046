import type { HostTensor } from '../../tensor/index.js';
import type { Optimizer } from './optimizer.js';

/** One trainable parameter as a host optimizer sees it after the step graph ran. */
export interface HostOptimizerSlot {
  readonly name: string;
  /** The parameter's values in host memory; the optimizer updates them in place. */
  readonly param: Float32Array;
  /** Its gradient as the step graph returned it (already clipped, if clipping is on). */
  readonly grad: Float32Array;
  /** This parameter group's learning rate for the current step. */
  readonly lr: number;
  readonly weightDecay: number;
}

/**
 * An optimizer that keeps its state outside the step graph, in host memory, and updates each
 * parameter over chunks, so no full-size temporary exists beside the state (bitsandbytes' paged
 * optimizers, 8-bit states). The step graph returns the gradients instead of updating the
 * parameters; the runner hands them over with the parameters' host copies and puts the new values
 * back. A backend with device memory (WebGPU) downloads each gradient and uploads each parameter;
 * on the onnx and reference backends host and device memory are one, so nothing is copied.
 */
export interface HostOptimizer {
  readonly id: string;
  readonly placement: 'host';
  /** Updates every slot's `param` in place; `step` counts optimizer steps from 1. */
  step(slots: readonly HostOptimizerSlot[], step: number): void;
  /** Its state tensors by `<param>.<state>` name, for a checkpoint. */
  stateDict(): Record<string, HostTensor>;
  /** Restores what `stateDict` returned; a parameter absent from it starts from zero state. */
  loadStateDict(state: Readonly<Record<string, HostTensor>>): void;
}

/** Either kind of optimizer: a graph fragment (state on the device) or one that runs on the host. */
export type AnyOptimizer = Optimizer | HostOptimizer;

export function isHostOptimizer(o: AnyOptimizer): o is HostOptimizer {
  return 'placement' in o && o.placement === 'host';
}
