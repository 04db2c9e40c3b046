import { grad } from '../autodiff/index.js';
import { UserError } from '../errors/index.js';
import type { Graph, GraphInput } from '../graph/node.js';
import { fuseNarrowMatmuls } from '../graph/passes/index.js';
import type { Tensor } from '../graph/tensor.js';
import { clipGradNorm, totalNorm } from './clip-grad-norm.js';
import { type FlatChunk, joinFlat, planFlatChunks, splitFlat } from './flat-chunks.js';
import { type AnyOptimizer, isHostOptimizer } from './optim/host-optimizer.js';
import type { OptimizerSlot } from './optim/optimizer.js';

/** A parameter group as in PyTorch: its own learning rate and weight decay. */
export interface ParamGroup {
  readonly lr: number;
  readonly weight_decay?: number;
  /** Which parameters belong here; the first group that matches wins, a group without `match` takes the rest. */
  readonly match?: (name: string) => boolean;
}

export interface TrainStepOptions {
  /** A graph fragment updates in the step; a host optimizer gets the gradients as outputs instead. */
  readonly optimizer: AnyOptimizer;
  readonly groups?: readonly ParamGroup[];
  /** Global-norm gradient clipping; off when absent. */
  readonly maxGradNorm?: number;
  /**
   * Gradient accumulation over micro-batches: 'accumulate' adds this batch's gradients into state
   * buffers `<chunk>.grad_accum` and steps nothing; 'apply' adds them too, then clips the sum,
   * steps the optimizer and zeroes the buffers. Absent: a plain step on this batch alone.
   */
  readonly accumulation?: 'accumulate' | 'apply';
  /**
   * Values of the forward to bring back with the loss (a preference loss's per-pair log-probs),
   * by output name; they must not shadow `loss`, `grad_norm` or a gradient output.
   */
  readonly outputs?: Readonly<Record<string, Tensor>>;
  /** Bound on a flat chunk's elements (default FLAT_CHUNK_ELEMENTS; 1: one chunk per tensor). */
  readonly flatChunkElements?: number;
  /**
   * Parameters with different keys never share a flat chunk. Step graphs that share their state
   * must lay out each chunk alike, so parameters that only some of them train (a multi-head
   * model's heads) need a key of their own.
   */
  readonly chunkKey?: (param: string) => string;
}

export interface TrainStep {
  /**
   * Outputs `loss` and `grad_norm` (before clipping); updates every parameter and state in place.
   * With a host optimizer it updates no parameter and outputs each chunk's (clipped) gradient as
   * `gradOutput(chunk.name)`. An 'accumulate' step outputs only `loss` and updates only the accumulation
   * buffers.
   */
  readonly graph: Graph;
  readonly optimizer: AnyOptimizer;
  readonly groups: readonly ParamGroup[];
  /** How the trained parameters lie in the flat chunks that gradients and optimizer state use. */
  readonly chunks: readonly FlatChunk[];
  readonly params: readonly GraphInput[];
  /** Optimizer state and accumulation buffers: one per chunk each, `<chunk>.<state>`. */
  readonly state: readonly GraphInput[];
  /** Names of the per-step scalar inputs (learning rates `lr.<group>`, optimizer scalars). */
  readonly scalars: readonly string[];
  readonly accumulation?: 'accumulate' | 'apply';
  /** Names of the extra outputs (`TrainStepOptions.outputs`) that every run brings back. */
  readonly outputs: readonly string[];
}

/** Name of the state buffer that sums a chunk's gradients across accumulation micro-steps. */
export const GRAD_ACCUM_STATE = 'grad_accum';

/** The output that carries a chunk's gradient to a host optimizer (PyTorch's `p.grad`, flat). */
export const gradOutput = (chunk: string): string => `${chunk}.grad`;

/**
 * One training step as one graph: forward (already traced into `traced`, the loss), backward to
 * every input of role 'param', optional clipping, and the optimizer update. Frozen inputs get no
 * gradient work; narrow matmuls that share an input are fused first (`fuseNarrowMatmuls`).
 * Gradients, accumulation buffers, clipping and the optimizer work on flat chunks of parameters
 * (`planFlatChunks`), so the step's optimizer part does not grow with the number of tensors.
 */
export function buildTrainStep(traced: Tensor, opts: TrainStepOptions): TrainStep {
  if (traced.rank !== 0)
    throw new UserError(`training loss must be a scalar, got shape [${traced.shape.join(', ')}]`);
  const groups = opts.groups ?? [{ lr: 1e-3 }];
  const outputs = Object.keys(opts.outputs ?? {});
  const reserved = outputs.filter(
    (name) => name === 'loss' || name === 'grad_norm' || name.endsWith('.grad'),
  );
  if (reserved.length > 0)
    throw new UserError(`step outputs ${reserved.join(', ')} shadow the step's own outputs`);
  // before autodiff, so that the backward of fused products is fused too
  const { loss, ...extra } = fuseNarrowMatmuls({ ...opts.outputs, loss: traced });
  const b = loss.builder;
  const paramInputs = b.graphInputs().filter((i) => i.role === 'param');
  if (paramInputs.length === 0)
    throw new UserError('nothing to train: the graph has no input of role "param"');
  const all = paramInputs.map((i) => b.tensorOf(i.node));
  // as in PyTorch, a parameter the loss does not depend on has no gradient and is not stepped
  const raw = grad(loss, all);
  const used = new Map<string, Used>();
  paramInputs.forEach((input, k) => {
    const g = raw[k];
    if (g) used.set(input.name, { param: all[k], grad: g });
  });
  const chunks = planFlatChunks(
    [...used].map(([name, { param }]) => ({
      name,
      shape: param.shape,
      dtype: param.dtype,
      group: groupIndex(groups, name),
      key: opts.chunkKey?.(name),
    })),
    opts.flatChunkElements,
  );
  const flatGrads = chunks.map((c) => joinFlat(c, (name) => (used.get(name) as Used).grad));
  const accumulators = opts.accumulation
    ? chunks.map((c) => b.input(`${c.name}.${GRAD_ACCUM_STATE}`, [c.size], c.dtype, 'state'))
    : [];
  const done = (
    outs: Record<string, Tensor>,
    updates: Record<string, Tensor>,
    scalars: readonly string[] = [],
  ): TrainStep => {
    const graph = b.build({ ...extra, ...outs }, updates);
    return {
      graph,
      optimizer: opts.optimizer,
      groups,
      chunks,
      params: graph.inputs.filter((i) => i.role === 'param'),
      state: graph.inputs.filter((i) => i.role === 'state' && i.name in updates),
      scalars,
      ...(opts.accumulation ? { accumulation: opts.accumulation } : {}),
      outputs,
    };
  };
  if (opts.accumulation === 'accumulate') {
    const updates = Object.fromEntries(
      chunks.map((c, k) => [`${c.name}.${GRAD_ACCUM_STATE}`, accumulators[k].add(flatGrads[k])]),
    );
    return done({ loss }, updates);
  }
  const summed =
    opts.accumulation === 'apply' ? flatGrads.map((g, k) => accumulators[k].add(g)) : flatGrads;
  const { grads, norm } =
    opts.maxGradNorm === undefined
      ? { grads: summed, norm: totalNorm(summed) }
      : clipGradNorm(summed, opts.maxGradNorm);
  const zeroed = Object.fromEntries(
    accumulators.map((acc, k) => [
      `${chunks[k].name}.${GRAD_ACCUM_STATE}`,
      b.scalar(0, acc.dtype).broadcastTo(acc.shape),
    ]),
  );

  const { optimizer } = opts;
  if (isHostOptimizer(optimizer)) {
    const gradients = Object.fromEntries(chunks.map((c, k) => [gradOutput(c.name), grads[k]]));
    return done({ loss, grad_norm: norm, ...gradients }, zeroed);
  }

  const scalars = new Map<string, Tensor>();
  const scalar = (name: string): Tensor => {
    let t = scalars.get(name);
    if (!t) {
      t = b.input(name, [], loss.dtype, 'data');
      scalars.set(name, t);
    }
    return t;
  };
  const slots: OptimizerSlot[] = chunks.map((c, k) => ({
    name: c.name,
    param: joinFlat(c, (name) => (used.get(name) as Used).param),
    grad: grads[k],
    lr: scalar(`lr.${c.group}`),
    weightDecay: groups[c.group].weight_decay ?? 0,
  }));
  // the optimizer updates each chunk as one parameter; its new values go back to the tensors
  const updates = { ...optimizer.build(b, slots, scalar), ...zeroed };
  for (const c of chunks) {
    Object.assign(updates, splitFlat(c, updates[c.name]));
    delete updates[c.name];
  }
  return done({ loss, grad_norm: norm }, updates, [...scalars.keys()]);
}

/** A trained parameter's tensor and its gradient. */
interface Used {
  readonly param: Tensor;
  readonly grad: Tensor;
}

export function groupIndex(groups: readonly ParamGroup[], name: string): number {
  const g = groups.findIndex((group) => !group.match || group.match(name));
  if (g < 0)
    throw new UserError(
      `parameter '${name}' matches no parameter group (add a group without \`match\`)`,
    );
  return g;
}
