import { UserError } from '../../errors/index.js';
import type { Graph } from '../../graph/node.js';
import type { HostTensor } from '../../tensor/index.js';
import type { Backend, BackendOptions, DeviceTensor, Executable } from '../backend.js';
import { RefDeviceTensor } from './ref-device-tensor.js';
import { ReferenceExecutable } from './reference-executable.js';
import { fromHost, type Precision, toHost } from './storage.js';

/**
 * The oracle: interprets a graph op by op with each op's reference kernel, in f32 (or f64 for
 * gradient checks). Readable, not fast.
 */
export class ReferenceBackend implements Backend {
  readonly id = 'reference';
  readonly precision: Precision;
  private disposed = false;

  constructor(opts: BackendOptions = {}) {
    this.precision = opts.precision ?? 'f32';
  }

  compile(graph: Graph): Executable {
    this.checkAlive();
    return new ReferenceExecutable(graph, this.precision);
  }

  upload(tensor: HostTensor): RefDeviceTensor {
    this.checkAlive();
    return new RefDeviceTensor(fromHost(tensor, this.precision));
  }

  async download(tensor: DeviceTensor): Promise<HostTensor> {
    if (!(tensor instanceof RefDeviceTensor)) {
      throw new UserError(
        `reference backend: cannot download a tensor of backend '${tensor.backendId}'`,
      );
    }
    return toHost(tensor.value);
  }

  dispose(): void {
    this.disposed = true;
  }

  private checkAlive(): void {
    if (this.disposed) throw new UserError('reference backend: used after dispose()');
  }
}
