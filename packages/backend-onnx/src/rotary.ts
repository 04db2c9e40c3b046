import type { Node } from '@tunekit/core';
import type { OnnxGraph } from './onnx-graph.js';

/**
 * rope(x, cos, sin) = x * cos + rotate_half(x) * sin in four passes over x instead of core's seven
 * (two Slices, Neg, Concat, two Muls, Add): rotate_half(x) = swap(x) * [-1, +1] with swap[x1, x2] =
 * [x2, x1], so the sign goes onto the small sin (broadcast over heads and the same in every layer:
 * onnxruntime computes it once), and swap is one Gather of the halves of x viewed as [..., 2, D/2].
 * The backward is a rope too (core's rule). Forward alone on [4,9,256,64], one thread, loaded
 * machine: fastest of a reversed Slice, Split + Concat and this Gather; bench/README.md,
 * "Elementwise work", has the figures.
 */
export function lowerRope(
  g: OnnxGraph,
  [x, cos, sin]: readonly string[],
  node: Node<'rope'>,
): string {
  const shape = node.shape;
  const h = shape[shape.length - 1] / 2;
  const halves = g.node('Reshape', [x, g.int64s([...shape.slice(0, -1), 2, h])]);
  // the halves in the other order: a Gather on the halves axis copies runs of D/2 values
  const reversed = g.node('Gather', [halves, g.int64s([1, 0])], { axis: -2 });
  const swapped = g.node('Reshape', [reversed, g.int64s(shape)]);
  const sign = Array.from({ length: 2 * h }, (_, i) => (i < h ? -1 : 1));
  const signedSin = g.node('Mul', [sin, g.constant(node.dtype, [2 * h], sign)]);
  return g.node('Add', [g.node('Mul', [x, cos]), g.node('Mul', [swapped, signedSin])]);
}
