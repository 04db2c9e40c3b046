import { describe, expect, it } from 'vitest';
import { GraphBuilder, ops, ShapeError } from '../src/index.js';

// A mistake in model code must surface while tracing, naming the op and the shapes, never as a
// crash inside a kernel at run time.
describe('shape mistakes in model code', () => {
  it('a projection with the wrong in_features names matmul and both shapes', () => {
    const b = new GraphBuilder();
    const x = b.input('hidden', [2, 5, 16]);
    const w = b.input('q_proj.weight', [8, 12], 'f32', 'param');
    const trace = () => x.matmul(w.transpose());
    expect(trace).toThrow(ShapeError);
    expect(trace).toThrow(/matmul.*f32\[2, 5, 16\].*f32\[12, 8\]/);
  });

  it('attention whose query heads are not a multiple of the kv heads says so', () => {
    const b = new GraphBuilder();
    const q = b.input('q', [1, 3, 4, 8]);
    const kv = b.input('k', [1, 2, 4, 8]);
    expect(() => ops.causalAttention(q, kv, kv)).toThrow(
      /flash_attention.*\[1, 3, 4, 8\].*\[1, 2, 4, 8\]/,
    );
  });

  it('a residual add of mismatched widths names add, both shapes and the axis', () => {
    const b = new GraphBuilder();
    const h = b.input('h', [2, 5, 16]);
    const y = b.input('y', [2, 5, 12]);
    expect(() => h.add(y)).toThrow(
      /add: shapes \[2, 5, 16\] and \[2, 5, 12\] do not broadcast \(axis -1: 16 vs 12\)/,
    );
  });

  it('an RMSNorm weight of the wrong size names rms_norm and the shapes', () => {
    const b = new GraphBuilder();
    expect(() => ops.rmsNorm(b.input('x', [2, 16]), b.input('w', [15]))).toThrow(
      /rms_norm: weight f32\[15\] must be \[16\].*x f32\[2, 16\]/,
    );
  });
});
