import {
  type Backend,
  type BackendFactory,
  type DeviceTensor,
  type Executable,
  type Graph,
  type HostTensor,
  ReferenceBackend,
  TOKENS,
  type TunekitPlugin,
} from '@tunekit/core';

/**
 * A backend that compiles every graph with the reference backend and counts the compiles: the
 * whole contract is compile, upload, download and dispose. A real backend lowers `graph.nodes`
 * (one table entry per op) to its own kernels instead.
 */
export class CountingBackend implements Backend {
  readonly id = 'counting';
  compiles = 0;
  private readonly inner = new ReferenceBackend();

  compile(graph: Graph): Executable {
    this.compiles += 1;
    return this.inner.compile(graph);
  }

  upload(tensor: HostTensor): DeviceTensor {
    return this.inner.upload(tensor);
  }

  download(tensor: DeviceTensor): Promise<HostTensor> {
    return this.inner.download(tensor);
  }

  dispose(): void {
    this.inner.dispose();
  }
}

const countingFactory: BackendFactory = {
  id: 'counting',
  // the best available backend is the one with the highest priority (onnx has 1)
  priority: 0,
  isAvailable: () => true,
  create: () => new CountingBackend(),
};

/** What a package exports so that `plugins: [my-backend]` and `backend: counting` find it. */
export const plugin: TunekitPlugin = {
  name: 'my-backend',
  coreRange: '^0.1.0',
  register(container) {
    container.register(TOKENS.BackendFactory, { useValue: countingFactory });
  },
};
