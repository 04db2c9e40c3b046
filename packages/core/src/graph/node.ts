import type { DType } from './dtype.js';
import type { InputRole, OpAttrs, OpName } from './op-name.js';
import type { Shape } from './shape.js';

/** One op application. `inputs` are ids of earlier nodes; ids are positions in `Graph.nodes`. */
export interface Node<K extends OpName = OpName> {
  readonly id: number;
  readonly op: K;
  readonly inputs: readonly number[];
  readonly attrs: OpAttrs[K];
  readonly shape: Shape;
  readonly dtype: DType;
}

export interface GraphInput {
  readonly name: string;
  readonly node: number;
  readonly role: InputRole;
  readonly shape: Shape;
  readonly dtype: DType;
}

export interface GraphOutput {
  readonly name: string;
  readonly node: number;
}

/** After a run, the value of `node` replaces the persistent tensor fed as input `input` (in-place update). */
export interface GraphUpdate {
  readonly input: string;
  readonly node: number;
}

/** A compiled-shape graph: nodes in topological order, named inputs and outputs. */
export interface Graph {
  readonly nodes: readonly Node[];
  readonly inputs: readonly GraphInput[];
  readonly outputs: readonly GraphOutput[];
  readonly updates: readonly GraphUpdate[];
}
