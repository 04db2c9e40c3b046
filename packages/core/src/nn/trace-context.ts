import type { GraphBuilder } from '../graph/builder.js';
import type { Tensor } from '../graph/tensor.js';
import type { Module } from './module.js';
import type { Parameter } from './parameter.js';

export interface TraceOptions {
  /**
   * transformers' `gradient_checkpointing`: each decoder layer is a checkpointed segment whose
   * activations the backward pass recomputes, so training keeps one layer's, not all of them.
   */
  readonly gradientCheckpointing?: boolean;
}

/**
 * What modules trace into: the graph builder and the parameters of one root module, each turned
 * into a graph input named by its path the first time a module reads it.
 */
export class TraceContext {
  private readonly names: Map<Parameter, string>;
  private readonly tensors = new Map<Parameter, Tensor>();

  constructor(
    readonly b: GraphBuilder,
    root: Module,
    private readonly opts: TraceOptions = {},
  ) {
    this.names = new Map(root.namedParameters().map(([name, p]) => [p, name]));
  }

  /** The graph input of a parameter: role 'param' when it trains, 'frozen' otherwise. */
  tensor(p: Parameter): Tensor {
    let t = this.tensors.get(p);
    if (!t) {
      const name = this.names.get(p);
      if (name === undefined)
        throw new Error('a parameter outside the traced module tree was read');
      t = this.b.input(name, p.shape, p.dtype, p.trainable ? 'param' : 'frozen');
      this.tensors.set(p, t);
    }
    return t;
  }

  /**
   * Traces `fn`, one decoder layer, as a layer (its gradients are finished before the backward
   * moves on) and as a checkpointed segment when gradient checkpointing is on.
   */
  checkpoint<T>(fn: () => T): T {
    return this.b.layer(() => (this.opts.gradientCheckpointing ? this.b.checkpoint(fn) : fn()));
  }

  /** Host values of every parameter that was read, by input name: the weights to feed or upload. */
  weights(): Record<string, Parameter['value']> {
    const out: Record<string, Parameter['value']> = {};
    for (const [p] of this.tensors) out[this.names.get(p) as string] = p.value;
    return out;
  }
}
