// Helpers for the fused-op tests beside this file; not part of the public API.
import { type GradcheckInput, grad } from '../../../autodiff/index.js';
import { evaluate } from '../../../backend/index.js';
import { HostTensor, randomNormal, seededRandom } from '../../../tensor/index.js';
import { GraphBuilder } from '../../builder.js';
import { isFloat } from '../../dtype.js';
import type { OpDef } from '../../op-def.js';
import type { OpName } from '../../op-name.js';
import { sizeOf } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { OPS } from '../index.js';
import { FUSED_OPS } from './index.js';

/** Inputs as in gradcheck: shape, dtype (f32 by default), values (seeded normals by default). */
export type Spec = GradcheckInput;

/** f64-exact feeds for `specs`: f32 values ride in a Float64Array, as gradcheck feeds them. */
function feedsOf(specs: readonly Spec[], seed: number): Record<string, HostTensor> {
  const random = seededRandom(seed);
  return Object.fromEntries(
    specs.map((s, i) => {
      const values = Float64Array.from(s.values ?? randomNormal(sizeOf(s.shape), random));
      const dtype = s.dtype ?? 'f32';
      const t =
        dtype === 'f32'
          ? new HostTensor('f32', s.shape, values)
          : HostTensor.from(dtype, s.shape, values);
      return [`x${i}`, t];
    }),
  );
}

/**
 * Traces `f`, whose last node must be one fused op, and that op's decomposition over the same
 * inputs; `fusedInside` lists the fused ops the decomposition used (the decompose pass
 * lowers those in turn).
 */
function traceBoth(f: (...xs: Tensor[]) => Tensor, specs: readonly Spec[]) {
  const b = new GraphBuilder();
  const xs = specs.map((s, i) => b.input(`x${i}`, s.shape, s.dtype ?? 'f32'));
  const y = f(...xs);
  const node = b.nodes[y.id];
  const def = OPS[node.op] as OpDef<OpName>;
  if (!(node.op in FUSED_OPS) || !def.decompose) throw new Error(`${node.op} is not a fused op`);
  const before = b.nodes.length;
  const yd = def.decompose(
    node.inputs.map((i) => b.tensorOf(i)),
    node.attrs as never,
  );
  const fusedInside = b.nodes.slice(before).flatMap((n) => (n.op in FUSED_OPS ? [n.op] : []));
  return { b, xs, y, yd, fusedInside };
}

/** max |a - b| / max |a|; NaN (or an infinity) in the same places counts as equal, NaN elsewhere as Infinity. */
export function relDiff(a: Float64Array, b: Float64Array): number {
  let diff = 0;
  let scale = 1e-300;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue; // equal infinities too
    if (Number.isNaN(a[i]) || Number.isNaN(b[i])) {
      if (Number.isNaN(a[i]) !== Number.isNaN(b[i])) return Number.POSITIVE_INFINITY;
      continue;
    }
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return a.length === b.length ? diff / scale : Number.POSITIVE_INFINITY;
}

/** The fused op's reference kernel against its decomposition, both run in f64. */
export async function decompositionError(
  f: (...xs: Tensor[]) => Tensor,
  specs: readonly Spec[],
  seed = 7,
) {
  const { b, y, yd, fusedInside } = traceBoth(f, specs);
  const out = await evaluate(b.build({ y, yd }), feedsOf(specs, seed), 'f64');
  return {
    error: relDiff(out.y.toFloat64(), out.yd.toFloat64()),
    fusedInside,
    y: out.y.toFloat64(),
  };
}

/**
 * The gradients of sum(y * w), w random, for every differentiable input: once through the op's
 * hand-written VJP, once by autodiff through its decomposition. Returns the largest relative
 * difference over inputs.
 */
export async function vjpError(
  f: (...xs: Tensor[]) => Tensor,
  specs: readonly Spec[],
  seed = 7,
): Promise<number> {
  const { b, xs, y, yd } = traceBoth(f, specs);
  const w = b.input('w', y.shape, y.dtype);
  const wrt = xs.filter((x, i) => isFloat(x.dtype) && specs[i].differentiable !== false);
  const zeros = (t: Tensor) => b.scalar(0, t.dtype).broadcastTo(t.shape);
  const viaVjp = grad(y.mul(w).sum(), wrt).map((g, k) => g ?? zeros(wrt[k]));
  const viaDecomposition = grad(yd.mul(w).sum(), wrt).map((g, k) => g ?? zeros(wrt[k]));
  const outputs = Object.fromEntries([
    ...viaVjp.map((g, k) => [`g${k}`, g]),
    ...viaDecomposition.map((g, k) => [`d${k}`, g]),
  ]);
  const feeds = feedsOf([...specs, { shape: y.shape }], seed);
  feeds.w = feeds[`x${specs.length}`];
  delete feeds[`x${specs.length}`];
  const out = await evaluate(b.build(outputs), feeds, 'f64');
  return Math.max(
    0,
    ...wrt.map((_, k) => relDiff(out[`d${k}`].toFloat64(), out[`g${k}`].toFloat64())),
  );
}
