import type { Backend, DeviceTensor, Executable, Feed } from '../backend/backend.js';
import { UserError } from '../errors/index.js';
import { HostTensor } from '../tensor/index.js';
import type { TrainStep } from './step-graph.js';

export interface StepResult {
  readonly loss: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
}

/**
 * Runs a TrainStep on a backend: parameters, frozen weights and optimizer state are uploaded once
 * and stay on the device, updated in place by each run; only the loss and norm come back.
 */
export class TrainStepRunner {
  private step = 0;
  private readonly executable: Executable;

  private constructor(
    private readonly backend: Backend,
    private readonly train: TrainStep,
    private readonly resident: Map<string, DeviceTensor>,
  ) {
    this.executable = backend.compile(train.graph);
  }

  /** `weights` holds every param and frozen input; optimizer state starts at zero, as in PyTorch. */
  static create(
    backend: Backend,
    train: TrainStep,
    weights: Readonly<Record<string, HostTensor>>,
  ): TrainStepRunner {
    const resident = new Map<string, DeviceTensor>();
    for (const input of train.graph.inputs) {
      if (input.role === 'param' || input.role === 'frozen') {
        const w = weights[input.name];
        if (!w) throw new UserError(`no initial value for ${input.role} '${input.name}'`);
        resident.set(input.name, backend.upload(w));
      }
    }
    for (const s of train.state)
      resident.set(s.name, backend.upload(HostTensor.zeros(s.dtype, s.shape)));
    return new TrainStepRunner(backend, train, resident);
  }

  /** Number of steps taken so far. */
  get steps(): number {
    return this.step;
  }

  /**
   * One optimizer step on one batch. `lrs` overrides each group's learning rate for this step
   * (a schedule computes it); by default each group's `lr`.
   */
  async run(
    batch: Readonly<Record<string, HostTensor>>,
    lrs?: readonly number[],
  ): Promise<StepResult> {
    this.step++;
    const scalars: Record<string, number> = { ...this.train.optimizer.stepScalars(this.step) };
    this.train.groups.forEach((g, i) => {
      scalars[`lr.${i}`] = lrs?.[i] ?? g.lr;
    });
    const feeds: Record<string, Feed> = { ...batch };
    // held in f64 so that an f64 reference run sees the exact values; f32 backends round them
    for (const name of this.train.scalars)
      feeds[name] = new HostTensor('f32', [], Float64Array.of(scalars[name]));
    for (const [name, t] of this.resident) feeds[name] = t;
    const out = await this.executable.run(feeds);
    return { loss: out.loss.item(), gradNorm: out.grad_norm.item() };
  }

  /** Current values of the trainable parameters. */
  async params(): Promise<Record<string, HostTensor>> {
    const out: Record<string, HostTensor> = {};
    for (const p of this.train.params)
      out[p.name] = await this.backend.download(this.resident.get(p.name) as DeviceTensor);
    return out;
  }

  dispose(): void {
    this.executable.dispose();
  }
}
