import type { Backend, DeviceTensor, Executable, Feed } from '../backend/backend.js';
import { UserError } from '../errors/index.js';
import { HostTensor } from '../tensor/index.js';
import type { FlatChunk } from './flat-chunks.js';
import { joinState, splitState } from './flat-state.js';
import {
  type HostOptimizer,
  type HostOptimizerSlot,
  isHostOptimizer,
} from './optim/host-optimizer.js';
import { gradOutput, type TrainStep } from './step-graph.js';

export interface StepResult {
  readonly loss: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
  /** The step's extra outputs (`TrainStepOptions.outputs`), by name. */
  readonly outputs: Readonly<Record<string, HostTensor>>;
}

/** Where a resumed run starts: the optimizer step count and the state tensors saved with it. */
export interface RunnerResume {
  readonly steps: number;
  /** Optimizer state by parameter (`<param>.exp_avg`, as `optimizerState` gives it); absent tensors start at zero. */
  readonly state: Readonly<Record<string, HostTensor>>;
}

/**
 * Runs a TrainStep on a backend: parameters, frozen weights and optimizer state are uploaded once
 * and stay on the device, updated in place by each run; only the loss and norm come back. With a
 * host optimizer the parameters stay in host memory instead, fed to each run, and the gradients
 * come back for the optimizer to update them there.
 */
export class TrainStepRunner {
  private readonly executable: Executable;

  private constructor(
    private readonly backend: Backend,
    private readonly train: TrainStep,
    // shared by every runner made with `share`: one optimizer, one step count, one resume point
    private readonly shared: Shared,
  ) {
    this.executable = backend.compile(train.graph);
  }

  /**
   * `weights` holds every param and frozen input; optimizer state starts at zero, as in PyTorch,
   * unless `resume` gives the saved state and step count.
   */
  static create(
    backend: Backend,
    train: TrainStep,
    weights: Readonly<Record<string, HostTensor>>,
    resume?: RunnerResume,
  ): TrainStepRunner {
    const shared: Shared = {
      resident: new Map<string, DeviceTensor>(),
      hostParams: new Map<string, HostTensor<'f32'>>(),
      chunks: new Map<string, FlatChunk>(),
      steps: resume?.steps ?? 0,
      saved: resume?.state ?? {},
    };
    if (resume && isHostOptimizer(train.optimizer)) train.optimizer.loadStateDict(resume.state);
    uploadMissing(backend, train, shared, weights);
    return new TrainStepRunner(backend, train, shared);
  }

  /**
   * A runner for another step graph over the same model (another batch shape, or the accumulate
   * and apply halves of gradient accumulation): it shares this runner's device tensors and step
   * count. Inputs not resident yet are uploaded from `weights` (state from the resume point, or zero).
   */
  share(train: TrainStep, weights: Readonly<Record<string, HostTensor>> = {}): TrainStepRunner {
    uploadMissing(this.backend, train, this.shared, weights);
    return new TrainStepRunner(this.backend, train, this.shared);
  }

  /** Number of optimizer steps taken so far. */
  get steps(): number {
    return this.shared.steps;
  }

  /**
   * One optimizer step on one batch. `lrs` overrides each group's learning rate for this step
   * (a schedule computes it); by default each group's `lr`.
   */
  async run(
    batch: Readonly<Record<string, HostTensor>>,
    lrs?: readonly number[],
  ): Promise<StepResult> {
    if (this.train.accumulation === 'accumulate')
      throw new Error('an accumulate step takes no optimizer step: call accumulate()');
    this.shared.steps++;
    const { optimizer, groups } = this.train;
    const groupLrs = groups.map((g, i) => lrs?.[i] ?? g.lr);
    const scalars: Record<string, number> = isHostOptimizer(optimizer)
      ? {}
      : optimizer.stepScalars(this.shared.steps);
    groupLrs.forEach((lr, i) => {
      scalars[`lr.${i}`] = lr;
    });
    const feeds: Record<string, Feed> = { ...batch };
    // held in f64 so that an f64 reference run sees the exact values; f32 backends round them
    for (const name of this.train.scalars)
      feeds[name] = new HostTensor('f32', [], Float64Array.of(scalars[name]));
    const out = await this.executable.run(this.withResident(feeds));
    if (isHostOptimizer(optimizer)) this.stepOnHost(optimizer, out, groupLrs);
    return { loss: out.loss.item(), gradNorm: out.grad_norm.item(), outputs: this.extra(out) };
  }

  /**
   * One micro-batch of an accumulation window: adds its gradients to the buffers; returns its loss
   * and extra outputs.
   */
  async accumulate(
    batch: Readonly<Record<string, HostTensor>>,
  ): Promise<Omit<StepResult, 'gradNorm'>> {
    if (this.train.accumulation !== 'accumulate')
      throw new Error('accumulate() needs a step built with accumulation: "accumulate"');
    const out = await this.executable.run(this.withResident({ ...batch }));
    return { loss: out.loss.item(), outputs: this.extra(out) };
  }

  private extra(out: Readonly<Record<string, HostTensor>>): Record<string, HostTensor> {
    return Object.fromEntries(this.train.outputs.map((name) => [name, out[name]]));
  }

  /** Current values of the trainable parameters. */
  async params(): Promise<Record<string, HostTensor>> {
    const { hostParams } = this.shared;
    if (isHostOptimizer(this.train.optimizer)) {
      return Object.fromEntries(
        this.train.params.map((p) => {
          const t = hostParams.get(p.name) as HostTensor<'f32'>;
          return [p.name, new HostTensor('f32', t.shape, t.data.slice())];
        }),
      );
    }
    return this.downloadAll(this.train.params.map((p) => p.name));
  }

  /** The optimizer's state tensors by PyTorch name (`<param>.exp_avg`), for a checkpoint. */
  async optimizerState(): Promise<Record<string, HostTensor>> {
    if (isHostOptimizer(this.train.optimizer)) return this.train.optimizer.stateDict();
    const out: Record<string, HostTensor> = {};
    for (const chunk of this.shared.chunks.values()) {
      for (const state of this.train.optimizer.stateNames) {
        const flat = this.shared.resident.get(`${chunk.name}.${state}`);
        if (flat) Object.assign(out, splitState(chunk, state, await this.backend.download(flat)));
      }
    }
    return out;
  }

  dispose(): void {
    this.executable.dispose();
  }

  private withResident(feeds: Record<string, Feed>): Record<string, Feed> {
    for (const input of this.train.graph.inputs) {
      const t = this.shared.resident.get(input.name) ?? this.shared.hostParams.get(input.name);
      if (t) feeds[input.name] = t;
    }
    return feeds;
  }

  /** Hands each parameter's gradient from this run to the host optimizer, which updates it in place. */
  private stepOnHost(
    optimizer: HostOptimizer,
    out: Readonly<Record<string, HostTensor>>,
    groupLrs: readonly number[],
  ): void {
    const { groups, chunks } = this.train;
    const slots: HostOptimizerSlot[] = chunks.flatMap((chunk) => {
      const flat = out[gradOutput(chunk.name)].data;
      const grad = flat instanceof Float32Array ? flat : Float32Array.from(flat as Float64Array);
      return chunk.members.map((m) => ({
        name: m.name,
        param: (this.shared.hostParams.get(m.name) as HostTensor<'f32'>).data as Float32Array,
        grad: grad.subarray(m.offset, m.offset + m.size),
        lr: groupLrs[chunk.group],
        weightDecay: groups[chunk.group].weight_decay ?? 0,
      }));
    });
    optimizer.step(slots, this.shared.steps);
  }

  private async downloadAll(names: readonly string[]): Promise<Record<string, HostTensor>> {
    const out: Record<string, HostTensor> = {};
    for (const name of names)
      out[name] = await this.backend.download(this.shared.resident.get(name) as DeviceTensor);
    return out;
  }
}

/** The device tensors, step count and saved optimizer state that runners made with `share` hold in common. */
interface Shared {
  readonly resident: Map<string, DeviceTensor>;
  /** With a host optimizer: the trainable parameters, in host memory (f32, owned by the runner). */
  readonly hostParams: Map<string, HostTensor<'f32'>>;
  /** The flat chunks of the state in `resident`, by name: every graph must lay them out alike. */
  readonly chunks: Map<string, FlatChunk>;
  steps: number;
  /** A resumed run's optimizer state, uploaded when a graph first needs it. */
  readonly saved: Readonly<Record<string, HostTensor>>;
}

/** Uploads every param, frozen and state input of `train` that is not resident yet. */
function uploadMissing(
  backend: Backend,
  train: TrainStep,
  shared: Shared,
  weights: Readonly<Record<string, HostTensor>>,
): void {
  const { resident, hostParams, saved } = shared;
  const onHost = isHostOptimizer(train.optimizer);
  for (const input of train.graph.inputs) {
    if (resident.has(input.name) || hostParams.has(input.name)) continue;
    if (input.role === 'param' || input.role === 'frozen') {
      const w = weights[input.name];
      if (!w) throw new UserError(`no initial value for ${input.role} '${input.name}'`);
      if (input.role === 'param' && onHost) hostParams.set(input.name, hostCopy(input.name, w));
      else resident.set(input.name, backend.upload(w));
    }
  }
  for (const chunk of train.chunks) {
    const known = shared.chunks.get(chunk.name);
    if (known && JSON.stringify(known) !== JSON.stringify(chunk))
      throw new Error(
        `step graphs of one run lay out '${chunk.name}' differently: they must train the same parameters`,
      );
    shared.chunks.set(chunk.name, chunk);
  }
  const chunkOf = new Map(train.chunks.map((c) => [c.name, c]));
  for (const s of train.state) {
    if (resident.has(s.name)) continue;
    // `<chunk>.<state>`: optimizer state comes from the saved per-parameter tensors, else zero
    const dot = s.name.lastIndexOf('.');
    const chunk = chunkOf.get(s.name.slice(0, dot));
    const value = chunk
      ? joinState(chunk, s.name.slice(dot + 1), saved)
      : HostTensor.zeros(s.dtype, s.shape);
    resident.set(s.name, backend.upload(value));
  }
}

/** A host optimizer's own f32 copy of a parameter (the caller's tensor is never written). */
function hostCopy(name: string, w: HostTensor): HostTensor<'f32'> {
  if (w.dtype !== 'f32')
    throw new UserError(
      `parameter '${name}' is ${w.dtype}: optimizers that run on the host update f32 parameters only`,
    );
  return new HostTensor('f32', w.shape, Float32Array.from(w.data as ArrayLike<number>));
}
