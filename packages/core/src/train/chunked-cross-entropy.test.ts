import { describe, expect, it } from 'vitest';
import { grad } from '../autodiff/index.js';
import { evaluate } from '../backend/index.js';
import { GraphBuilder, ops, type Tensor } from '../graph/index.js';
import { HostTensor, randomNormal, seededRandom } from '../tensor/index.js';
import { chunkedCrossEntropy } from './chunked-cross-entropy.js';

const [N, H, V] = [7, 4, 11];
const LABELS = [3, -100, 10, 0, 5, -100, 7];

/** The loss and its gradients for hidden and the head's weight, chunked or not, in f64. */
async function lossAndGrads(
  chunk: number | undefined,
  opts: { label_smoothing?: number; reduction?: 'sum' | 'mean' },
) {
  const b = new GraphBuilder();
  const hidden = b.input('hidden', [N, H]);
  const weight = b.input('weight', [V, H], 'f32', 'param');
  const labels = b.input('labels', [N], 'i32');
  const head = (h: Tensor) => h.matmul(weight.transpose());
  const loss = chunk
    ? chunkedCrossEntropy(hidden, head, labels, { chunk_size: chunk, ...opts })
    : ops.crossEntropy(head(hidden), labels, opts);
  const [dh, dw] = grad(loss, [hidden, weight]) as Tensor[];
  const graph = b.build({ loss, dh, dw });
  const random = seededRandom(4);
  const out = await evaluate(
    graph,
    {
      hidden: new HostTensor('f32', [N, H], Float64Array.from(randomNormal(N * H, random))),
      weight: new HostTensor('f32', [V, H], Float64Array.from(randomNormal(V * H, random))),
      labels: HostTensor.from('i32', [N], LABELS),
    },
    'f64',
  );
  // rows of the largest logits-like [rows, V] value (the weight's [H, V] transposes aside)
  const rows = graph.nodes.map((n) => (n.shape.length === 2 && n.shape[1] === V ? n.shape[0] : 0));
  const largest = Math.max(...rows.filter((r) => r !== H));
  return { values: [out.loss, out.dh, out.dw].map((t) => Array.from(t.toFloat64())), largest };
}

describe('chunkedCrossEntropy', () => {
  it('gives the unchunked loss and gradients, holding logits of one chunk at a time', async () => {
    for (const opts of [{}, { label_smoothing: 0.1, reduction: 'sum' as const }]) {
      const want = await lossAndGrads(undefined, opts);
      expect(want.largest).toBe(N);
      for (const chunk of [1, 3, 7, 100]) {
        const got = await lossAndGrads(chunk, opts);
        for (const [k, g] of got.values.entries()) {
          for (const [i, x] of g.entries()) expect(x).toBeCloseTo(want.values[k][i], 12);
        }
        expect(got.largest, `chunk ${chunk}`).toBe(Math.min(chunk, N));
      }
    }
  });

  it("recomputes in the backward only each chunk's head, not its loss", () => {
    const b = new GraphBuilder();
    const hidden = b.input('hidden', [N, H]);
    const weight = b.input('weight', [V, H], 'f32', 'param');
    const labels = b.input('labels', [N], 'i32');
    const loss = chunkedCrossEntropy(hidden, (h) => h.matmul(weight.transpose()), labels, {
      chunk_size: 3,
    });
    const graph = b.build({ loss, grads: ops.concat(grad(loss, [hidden, weight]) as Tensor[], 0) });
    const count = (op: string) => graph.nodes.filter((n) => n.op === op).length;
    // 3 chunks, each: the head forward, its recomputation, and the head's two gradient matmuls
    expect(count('matmul')).toBe(3 * 4);
    expect(count('cross_entropy')).toBe(3);
    expect(count('cross_entropy_backward')).toBe(3);
    // what each recomputation reads: hidden, labels and the weight (its transpose is in the chunk)
    expect(count('optimization_barrier')).toBe(3 * 3);
  });

  it('rejects a chunk size that is not a positive integer', () => {
    const b = new GraphBuilder();
    const h = b.input('h', [2, 2]);
    const y = b.input('y', [2], 'i32');
    expect(() => chunkedCrossEntropy(h, (x) => x, y, { chunk_size: 0 })).toThrow(
      /chunk_size must be a positive integer, got 0/,
    );
  });
});
