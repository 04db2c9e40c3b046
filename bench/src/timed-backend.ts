import type {
  Backend,
  DeviceTensor,
  Executable,
  Feed,
  Graph,
  HostTensor,
  RunOptions,
} from '@tunekit/core';
import { Stopwatch } from './stopwatch.js';

/**
 * A backend that counts the wall seconds its executables spend in `run` (feeding the inputs, the
 * session's run, reading the outputs back): the step's own time, against which everything else a
 * training loop does is overhead.
 */
export class TimedBackend implements Backend {
  readonly id: string;
  /** Time spent in `run` of every executable compiled here, so far. */
  readonly runs = new Stopwatch();

  constructor(private readonly inner: Backend) {
    this.id = inner.id;
  }

  compile(graph: Graph): Executable {
    const executable = this.inner.compile(graph);
    return {
      graph: executable.graph,
      run: (feeds: Readonly<Record<string, Feed>>, opts?: RunOptions) =>
        this.runs.time(() => executable.run(feeds, opts)),
      dispose: () => executable.dispose(),
    };
  }

  upload(tensor: HostTensor): DeviceTensor {
    return this.inner.upload(tensor);
  }

  download(tensor: DeviceTensor): Promise<HostTensor> {
    return this.inner.download(tensor);
  }

  dispose(): void | Promise<void> {
    return this.inner.dispose();
  }
}
