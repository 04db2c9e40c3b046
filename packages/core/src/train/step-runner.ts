import type { Backend, DeviceTensor, Executable, Feed } from '../backend/backend.js';
import { UserError } from '../errors/index.js';
import { HostTensor } from '../tensor/index.js';
import type { TrainStep } from './step-graph.js';

export interface StepResult {
  readonly loss: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
}

/** Where a resumed run starts: the optimizer step count and the state tensors saved with it. */
export interface RunnerResume {
  readonly steps: number;
  /** Optimizer state by graph input name (`<param>.exp_avg`); absent tensors start at zero. */
  readonly state: Readonly<Record<string, HostTensor>>;
}

/**
 * Runs a TrainStep on a backend: parameters, frozen weights and optimizer state are uploaded once
 * and stay on the device, updated in place by each run; only the loss and norm come back.
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
      steps: resume?.steps ?? 0,
      saved: resume?.state ?? {},
    };
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
    const scalars: Record<string, number> = {
      ...this.train.optimizer.stepScalars(this.shared.steps),
    };
    this.train.groups.forEach((g, i) => {
      scalars[`lr.${i}`] = lrs?.[i] ?? g.lr;
    });
    const feeds: Record<string, Feed> = { ...batch };
    // held in f64 so that an f64 reference run sees the exact values; f32 backends round them
    for (const name of this.train.scalars)
      feeds[name] = new HostTensor('f32', [], Float64Array.of(scalars[name]));
    const out = await this.executable.run(this.withResident(feeds));
    return { loss: out.loss.item(), gradNorm: out.grad_norm.item() };
  }

  /** One micro-batch of an accumulation window: adds its gradients to the buffers; returns its loss. */
  async accumulate(batch: Readonly<Record<string, HostTensor>>): Promise<number> {
    if (this.train.accumulation !== 'accumulate')
      throw new Error('accumulate() needs a step built with accumulation: "accumulate"');
    const out = await this.executable.run(this.withResident({ ...batch }));
    return out.loss.item();
  }

  /** Current values of the trainable parameters. */
  async params(): Promise<Record<string, HostTensor>> {
    return this.downloadAll(this.train.params.map((p) => p.name));
  }

  /** The optimizer's state tensors by PyTorch name (`<param>.exp_avg`), for a checkpoint. */
  async optimizerState(): Promise<Record<string, HostTensor>> {
    const suffixes = this.train.optimizer.stateNames.map((s) => `.${s}`);
    const names = [...this.shared.resident.keys()].filter((name) =>
      suffixes.some((suffix) => name.endsWith(suffix)),
    );
    return this.downloadAll(names);
  }

  dispose(): void {
    this.executable.dispose();
  }

  private withResident(feeds: Record<string, Feed>): Record<string, Feed> {
    for (const input of this.train.graph.inputs) {
      const t = this.shared.resident.get(input.name);
      if (t) feeds[input.name] = t;
    }
    return feeds;
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
  const { resident, saved } = shared;
  for (const input of train.graph.inputs) {
    if (resident.has(input.name)) continue;
    if (input.role === 'param' || input.role === 'frozen') {
      const w = weights[input.name];
      if (!w) throw new UserError(`no initial value for ${input.role} '${input.name}'`);
      resident.set(input.name, backend.upload(w));
    }
  }
  for (const s of train.state) {
    if (resident.has(s.name)) continue;
    const state = saved[s.name];
    if (state && (state.dtype !== s.dtype || state.shape.join() !== s.shape.join())) {
      throw new UserError(
        `saved optimizer state '${s.name}' is ${state.dtype}[${state.shape.join(', ')}], the step expects ${s.dtype}[${s.shape.join(', ')}]`,
      );
    }
    resident.set(s.name, backend.upload(state ?? HostTensor.zeros(s.dtype, s.shape)));
  }
}
