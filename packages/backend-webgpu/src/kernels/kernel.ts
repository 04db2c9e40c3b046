import type { Node, OpName } from '@tunekit/core';

/**
 * One compute dispatch. Bindings 0..n-1 are `inputs` (read-only storage), binding n is the
 * node's output (read_write). Shapes are baked into the source, so a pipeline is keyed by its
 * source alone.
 */
export interface Kernel {
  readonly source: string;
  /** Node ids whose buffers are bound, in binding order. */
  readonly inputs: readonly number[];
  readonly workgroups: readonly [number, number, number];
  /** Bytes of workgroup memory the shader declares, checked against the adapter. */
  readonly workgroupBytes: number;
  /** Invocations per workgroup, checked against the adapter. */
  readonly invocations: number;
  /**
   * Sizes passed as a uniform (binding n+1, `p`) instead of baked into the source, so that one
   * pipeline serves every shape: for kernels whose compilation is slow (matmul).
   */
  readonly params?: Uint32Array;
}

/** What the device offers kernels beyond WebGPU's core, read at compile time. */
export interface KernelFeatures {
  /** Subgroup operations and the `subgroup_id` builtin (the `subgroups` feature). */
  readonly subgroups: boolean;
}

/** Lowers one node, given its input nodes, to the dispatches that compute it. */
export type Lowering<K extends OpName> = (
  node: Node<K>,
  inputs: readonly Node[],
  features: KernelFeatures,
) => Kernel[];
