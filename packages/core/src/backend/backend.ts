import type { ZodType } from 'zod';
import type { DType } from '../graph/dtype.js';
import type { Graph } from '../graph/node.js';
import type { Shape } from '../graph/shape.js';
import type { HostTensor } from '../tensor/index.js';

/** A tensor that lives on a backend (device memory) and persists across runs: weights, optimizer state. */
export interface DeviceTensor {
  readonly shape: Shape;
  readonly dtype: DType;
  /** The backend that owns it; feeding it to another backend's executable is an error. */
  readonly backendId: string;
}

/** A value fed to a run: host data (uploaded for this run) or a persistent device tensor. */
export type Feed = HostTensor | DeviceTensor;

export interface RunOptions {
  /** Names of outputs to download; default all. Only these cross back to the host. */
  readonly fetch?: readonly string[];
}

/** A compiled graph. */
export interface Executable {
  readonly graph: Graph;
  /**
   * Runs the graph once. Every input must be fed. For each of the graph's updates, the fed device
   * tensor is overwritten in place with the new value (so its input must be fed a DeviceTensor).
   * Returns the requested outputs as host tensors.
   */
  run(
    feeds: Readonly<Record<string, Feed>>,
    opts?: RunOptions,
  ): Promise<Record<string, HostTensor>>;
  dispose(): void;
}

export interface Backend {
  readonly id: string;
  compile(graph: Graph): Executable;
  /** Copies host data into a new persistent device tensor. */
  upload(tensor: HostTensor): DeviceTensor;
  download(tensor: DeviceTensor): Promise<HostTensor>;
  /** Frees every device tensor and executable of this backend. */
  dispose(): void | Promise<void>;
  /**
   * One line on how this backend runs as its options set it (where frozen weights are kept, its
   * threads), which commands print so that a user sees their `backend_options` took effect.
   */
  readonly summary?: string;
}

/** A backend's own options (`backend_options:` in a config), keyed as its factory's schema spells them. */
export type BackendConfig = Readonly<Record<string, unknown>>;

export interface BackendOptions<O extends BackendConfig = BackendConfig> {
  /** Reference backend only: compute floats in f64 (gradient checks). */
  readonly precision?: 'f32' | 'f64';
  /**
   * Where the backend keeps what it compiled, for later runs of the same graphs (onnx: optimized
   * sessions); `false`: keep nothing. Default: the backend's own choice (onnx: `tunekitCacheDir()`).
   */
  readonly cacheDir?: string | false;
  /** The backend's own options, parsed by its factory's `optionsSchema` (every default filled in). */
  readonly backendOptions?: O;
}

/** How a backend package offers itself to the container (tfjs registerBackend with a priority). */
export interface BackendFactory<O extends BackendConfig = BackendConfig> {
  readonly id: string;
  /** Higher is preferred when the config does not name a backend. */
  readonly priority: number;
  /**
   * The backend's own options as a config's `backend_options:` and `--backend-option key=value`
   * give them: a zod object of snake_case keys, each with its default and help text (`describe`), so
   * a third party's backend validates its own options as a PEFT method validates its config.
   * Absent: the backend takes none.
   */
  readonly optionsSchema?: ZodType<O>;
  isAvailable(): boolean | Promise<boolean>;
  create(opts?: BackendOptions<O>): Backend | Promise<Backend>;
}
