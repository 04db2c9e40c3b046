import {
  type GraphBuilder,
  HostTensor,
  Linear,
  ModulesToSaveWrapper,
  ops,
  type Parameter,
  type TaskModel,
  type Tensor,
  TraceContext,
  type TraceOptions,
  UserError,
} from '@tunekit/core';

/** The i32 scalar graph input that seeds Mixout's masks; fed a fresh value every micro-step. */
export const MIXOUT_SEED_INPUT = 'mixout_seed';

/** Graph input name of a mixed weight's target (its value when training started). */
export const mixoutTargetName = (param: string) => `mixout_target.${param}`;

/** A weight that Mixout mixes with its target: its graph input name and the target's value. */
export interface MixoutTarget {
  readonly name: string;
  readonly value: HostTensor;
}

/** Mixout's probability and the weights it applies to, keyed by their Parameter. */
export interface MixoutPlan {
  readonly p: number;
  readonly targets: ReadonlyMap<Parameter, MixoutTarget>;
}

/**
 * mixout(w; w0, p) (Lee et al. 2020, arXiv 1909.11299, and the authors' `Mixout` function): each
 * input column of a weight [out, in] is replaced by its target w0 with probability p, and the
 * result is rescaled, ((1 - m) w0 + m w - p w0) / (1 - p) with m ~ Bernoulli(1 - p) per column.
 * That equals w0 + m (w - w0) / (1 - p): dropout of the difference to w0. So E_m[w'] = w, a mixed
 * column is exactly w0, and dL/dw = m / (1 - p) dL/dw' (the authors' hand-written backward leaves
 * out the 1 / (1 - p); this is the exact derivative of their forward).
 */
export function mixout(w: Tensor, w0: Tensor, seed: Tensor, p: number): Tensor {
  const columns = w.shape.length === 1 ? w.shape : [1, w.dim(-1)];
  const m = ops.dropout(w.builder.constant(1, columns, w.dtype), seed, p);
  return w0.add(w.sub(w0).mul(m));
}

/**
 * The weights Mixout applies to, as in the authors' MixLinear: the weight of each trainable Linear
 * in full fine-tuning, and with a PEFT adapter only those of the trained module copies
 * (modules_to_save, e.g. a new `score` head), never the adapter's own matrices. Each target is the
 * weight's value now, before the first step (the pre-trained value, or a new head's init).
 */
export function planMixout(
  model: TaskModel,
  trainable: readonly (readonly [string, Parameter])[],
  p: number,
  full: boolean,
): MixoutPlan {
  const names = new Map(trainable.map(([name, param]) => [param, name]));
  const modules = model.namedModules();
  const saved = modules.filter(([, m]) => m instanceof ModulesToSaveWrapper).map(([path]) => path);
  const targets = new Map<Parameter, MixoutTarget>();
  for (const [path, module] of modules) {
    if (!(module instanceof Linear)) continue;
    if (!full && !saved.some((s) => path.startsWith(`${s}.modules_to_save.`))) continue;
    const weight = module.namedParameters().find(([key]) => key === 'weight')?.[1];
    const name = weight && names.get(weight);
    if (!weight || name === undefined || targets.has(weight)) continue;
    const v = weight.value;
    targets.set(weight, { name, value: new HostTensor(v.dtype, v.shape, v.data.slice()) });
  }
  if (targets.size === 0)
    throw new UserError(
      `mixout: ${p} applies to trained Linear weights (full fine-tuning, or modules_to_save with a PEFT adapter), and this run trains none`,
    );
  return { p, targets };
}

/**
 * A TraceContext whose planned weights read as mixout(w; w0, p): one mask per weight and step,
 * drawn from MIXOUT_SEED_INPUT plus the weight's index. Only the step graphs use it; evaluation
 * traces the plain weights (E[w'] = w, as dropout is off at eval).
 */
export class MixoutTraceContext extends TraceContext {
  private readonly mixed = new Map<Parameter, Tensor>();
  private readonly salts: Map<Parameter, number>;

  constructor(
    b: GraphBuilder,
    root: TaskModel,
    opts: TraceOptions,
    private readonly plan: MixoutPlan,
  ) {
    super(b, root, opts);
    this.salts = new Map([...plan.targets.keys()].map((param, i) => [param, i]));
  }

  override tensor(param: Parameter): Tensor {
    const w = super.tensor(param);
    const target = this.plan.targets.get(param);
    if (target === undefined) return w;
    let mixed = this.mixed.get(param);
    if (!mixed) {
      const w0 = this.b.input(mixoutTargetName(target.name), param.shape, param.dtype, 'frozen');
      mixed = mixout(w, w0, this.seed().add(this.salts.get(param) as number), this.plan.p);
      this.mixed.set(param, mixed);
    }
    return mixed;
  }

  override weights(): Record<string, HostTensor> {
    const out = super.weights();
    for (const [param, target] of this.plan.targets)
      if (this.mixed.has(param)) out[mixoutTargetName(target.name)] = target.value;
    return out;
  }

  private seed(): Tensor {
    const declared = this.b.graphInputs().find((i) => i.name === MIXOUT_SEED_INPUT);
    return declared ? this.b.tensorOf(declared.node) : this.b.input(MIXOUT_SEED_INPUT, [], 'i32');
  }
}
