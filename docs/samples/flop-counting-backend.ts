import {
  type Backend,
  type BackendFactory,
  type DeviceTensor,
  decompose,
  type Executable,
  type FusedOpName,
  type Graph,
  type HostTensor,
  type Node,
  type OpName,
  type PrimitiveOpName,
  ReferenceBackend,
  sizeOf,
  TOKENS,
  type TunekitPlugin,
} from '@tunekit/core';

/** The arithmetic one node does, from its output and its inputs (shapes are known when compiling). */
type Cost<K extends OpName> = (node: Node<K>, inputs: readonly Node[]) => number;

/**
 * One entry per op, as a backend's lowering table is (`Lowerings` in @tunekit/backend-onnx): every
 * primitive must have one, so a missing entry (or a primitive new in core) is a compile error; a
 * fused op may have its own, or reaches the table decomposed into primitives.
 */
type Costs = { readonly [K in PrimitiveOpName]: Cost<K> } & {
  readonly [K in FusedOpName]?: Cost<K>;
};

const none = () => 0;
const perOutput = (node: Node) => sizeOf(node.shape);
const perInput = (_node: Node, [x]: readonly Node[]) => sizeOf(x.shape);

const COSTS: Costs = {
  // leaves and data movement: no arithmetic
  input: none,
  constant: none,
  arange: none,
  reshape: none,
  transpose: none,
  slice: none,
  pad: none,
  concat: none,
  broadcast_to: none,
  gather: none,
  // elementwise: one per output element
  random_uniform: perOutput,
  neg: perOutput,
  exp: perOutput,
  log: perOutput,
  sqrt: perOutput,
  reciprocal: perOutput,
  sin: perOutput,
  cos: perOutput,
  tanh: perOutput,
  erf: perOutput,
  abs: perOutput,
  sign: perOutput,
  cast: perOutput,
  add: perOutput,
  sub: perOutput,
  mul: perOutput,
  div: perOutput,
  pow: perOutput,
  maximum: perOutput,
  minimum: perOutput,
  equal: perOutput,
  less: perOutput,
  greater: perOutput,
  where: perOutput,
  // reductions: one per input element; scatter_add: one per update
  sum: perInput,
  max: perInput,
  argmax: perInput,
  scatter_add: (_node, [, updates]) => sizeOf(updates.shape),
  // [..., m, k] x [..., k, n]: a multiply and an add per k for each output element
  matmul: (node, [a]) => 2 * sizeOf(node.shape) * a.shape[a.shape.length - 1],
  // a fused op with a kernel of its own: max, subtract, exp, sum and divide per element
  softmax: (node) => 5 * sizeOf(node.shape),
};

/**
 * A backend that counts the arithmetic of every graph it compiles, then runs it on the reference
 * backend. A real backend walks the same table to lower each node to a kernel of its own.
 */
export class FlopCountingBackend implements Backend {
  readonly id = 'counting';
  /** The operations one run of each compiled graph does, in compile order. */
  readonly flops: number[] = [];
  private readonly inner = new ReferenceBackend();

  compile(source: Graph): Executable {
    // fused ops without an entry become primitives first, as in lowerToOnnx
    const graph = decompose(source, (op) => COSTS[op] !== undefined);
    const cost = (node: Node) =>
      (COSTS[node.op] as Cost<OpName>)(
        node,
        node.inputs.map((id) => graph.nodes[id]),
      );
    this.flops.push(graph.nodes.reduce((sum, node) => sum + cost(node), 0));
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
  create: () => new FlopCountingBackend(),
};

/** What a package exports so that `plugins: [my-backend]` and `backend: counting` find it. */
export const plugin: TunekitPlugin = {
  name: 'my-backend',
  coreRange: '^0.1.0',
  register(container) {
    container.register(TOKENS.BackendFactory, { useValue: countingFactory });
  },
};
