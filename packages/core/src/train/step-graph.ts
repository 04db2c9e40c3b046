import { grad } from '../autodiff/index.js';
import { UserError } from '../errors/index.js';
import type { GraphBuilder } from '../graph/builder.js';
import type { Graph, GraphInput } from '../graph/node.js';
import type { Tensor } from '../graph/tensor.js';
import { clipGradNorm, totalNorm } from './clip-grad-norm.js';
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
   * buffers `<param>.grad_accum` and steps nothing; 'apply' adds them too, then clips the sum,
   * steps the optimizer and zeroes the buffers. Absent: a plain step on this batch alone.
   */
  readonly accumulation?: 'accumulate' | 'apply';
  /**
   * Values of the forward to bring back with the loss (a preference loss's per-pair log-probs),
   * by output name; they must not shadow `loss`, `grad_norm` or a gradient output.
   */
  readonly outputs?: Readonly<Record<string, Tensor>>;
}

export interface TrainStep {
  /**
   * Outputs `loss` and `grad_norm` (before clipping); updates every parameter and state in place.
   * With a host optimizer it updates no parameter and outputs each one's (clipped) gradient as
   * `gradOutput(name)`. An 'accumulate' step outputs only `loss` and updates only the accumulation
   * buffers.
   */
  readonly graph: Graph;
  readonly optimizer: AnyOptimizer;
  readonly groups: readonly ParamGroup[];
  readonly params: readonly GraphInput[];
  readonly state: readonly GraphInput[];
  /** Names of the per-step scalar inputs (learning rates `lr.<group>`, optimizer scalars). */
  readonly scalars: readonly string[];
  readonly accumulation?: 'accumulate' | 'apply';
  /** Names of the extra outputs (`TrainStepOptions.outputs`) that every run brings back. */
  readonly outputs: readonly string[];
}

/** Name of the state buffer that sums a parameter's gradients across accumulation micro-steps. */
export const GRAD_ACCUM_STATE = 'grad_accum';

/** The output that carries a parameter's gradient to a host optimizer (PyTorch's `p.grad`). */
export const gradOutput = (param: string): string => `${param}.grad`;

/**
 * One training step as one graph: forward (already traced into `loss`), backward to every input of
 * role 'param', optional clipping, and the optimizer update. Frozen inputs get no gradient work.
 */
export function buildTrainStep(loss: Tensor, opts: TrainStepOptions): TrainStep {
  const b = loss.builder;
  if (loss.rank !== 0)
    throw new UserError(`training loss must be a scalar, got shape [${loss.shape.join(', ')}]`);
  const groups = opts.groups ?? [{ lr: 1e-3 }];
  const extra = opts.outputs ?? {};
  const outputs = Object.keys(extra);
  const reserved = outputs.filter(
    (name) => name === 'loss' || name === 'grad_norm' || name.endsWith('.grad'),
  );
  if (reserved.length > 0)
    throw new UserError(`step outputs ${reserved.join(', ')} shadow the step's own outputs`);
  const paramInputs = b.graphInputs().filter((i) => i.role === 'param');
  if (paramInputs.length === 0)
    throw new UserError('nothing to train: the graph has no input of role "param"');
  const all = paramInputs.map((i) => b.tensorOf(i.node));
  // as in PyTorch, a parameter the loss does not depend on has no gradient and is not stepped
  const raw = grad(loss, all);
  const used = paramInputs.flatMap((input, k) => {
    const g = raw[k];
    return g ? [{ input, param: all[k], grad: g }] : [];
  });
  const accumulators = opts.accumulation
    ? used.map(({ input, param }) =>
        b.input(`${input.name}.${GRAD_ACCUM_STATE}`, param.shape, param.dtype, 'state'),
      )
    : [];
  if (opts.accumulation === 'accumulate') {
    const updates = Object.fromEntries(
      used.map(({ input, grad: g }, k) => [
        `${input.name}.${GRAD_ACCUM_STATE}`,
        accumulators[k].add(g),
      ]),
    );
    const graph = b.build({ ...extra, loss }, updates);
    return {
      graph,
      optimizer: opts.optimizer,
      groups,
      params: graph.inputs.filter((i) => i.role === 'param'),
      state: graph.inputs.filter((i) => i.role === 'state' && i.name in updates),
      scalars: [],
      accumulation: 'accumulate',
      outputs,
    };
  }
  const summed =
    opts.accumulation === 'apply'
      ? used.map((u, k) => accumulators[k].add(u.grad))
      : used.map((u) => u.grad);
  const { grads, norm } =
    opts.maxGradNorm === undefined
      ? { grads: summed, norm: totalNorm(summed) }
      : clipGradNorm(summed, opts.maxGradNorm);

  const { optimizer } = opts;
  if (isHostOptimizer(optimizer)) {
    const gradients = Object.fromEntries(used.map((u, k) => [gradOutput(u.input.name), grads[k]]));
    const updates = zeroed(b, used, accumulators);
    const graph = b.build({ ...extra, loss, grad_norm: norm, ...gradients }, updates);
    return {
      graph,
      optimizer,
      groups,
      params: graph.inputs.filter((i) => i.role === 'param'),
      state: graph.inputs.filter((i) => i.role === 'state' && i.name in updates),
      scalars: [],
      ...(opts.accumulation ? { accumulation: opts.accumulation } : {}),
      outputs,
    };
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
  const slots: OptimizerSlot[] = used.map(({ input, param }, k) => {
    const g = groupIndex(groups, input.name);
    return {
      name: input.name,
      param,
      grad: grads[k],
      lr: scalar(`lr.${g}`),
      weightDecay: groups[g].weight_decay ?? 0,
    };
  });
  const updates = { ...optimizer.build(b, slots, scalar), ...zeroed(b, used, accumulators) };
  const graph = b.build({ ...extra, loss, grad_norm: norm }, updates);
  const stateNames = new Set(
    slots.flatMap((p) =>
      [...optimizer.stateNames, ...(opts.accumulation ? [GRAD_ACCUM_STATE] : [])].map(
        (s) => `${p.name}.${s}`,
      ),
    ),
  );
  return {
    graph,
    optimizer,
    groups,
    params: graph.inputs.filter((i) => i.role === 'param'),
    state: graph.inputs.filter((i) => stateNames.has(i.name)),
    scalars: [...scalars.keys()],
    ...(opts.accumulation ? { accumulation: opts.accumulation } : {}),
    outputs,
  };
}

/** The accumulation buffers set to zero, so that each starts the next window empty. */
function zeroed(
  b: GraphBuilder,
  used: readonly { readonly input: GraphInput }[],
  accumulators: readonly Tensor[],
): Record<string, Tensor> {
  return Object.fromEntries(
    accumulators.map((acc, k) => [
      `${used[k].input.name}.${GRAD_ACCUM_STATE}`,
      b.scalar(0, acc.dtype).broadcastTo(acc.shape),
    ]),
  );
}

export function groupIndex(groups: readonly ParamGroup[], name: string): number {
  const g = groups.findIndex((group) => !group.match || group.match(name));
  if (g < 0)
    throw new UserError(
      `parameter '${name}' matches no parameter group (add a group without \`match\`)`,
    );
  return g;
}
