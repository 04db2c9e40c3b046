import { describe, expect, it } from 'vitest';
import { grad } from '../../../autodiff/index.js';
import { evaluate } from '../../../backend/index.js';
import { ShapeError, UserError } from '../../../errors/index.js';
import { HostTensor, randomNormal, seededRandom } from '../../../tensor/index.js';
import { GraphBuilder } from '../../builder.js';
import { ops } from '../../functional.js';
import type { Tensor } from '../../tensor.js';
import { host, run1, trace } from '../test-utils.js';
import { decompositionError } from './fused-test-utils.js';

// bitsandbytes' NF4 table (functional.py, get_4bit_type('nf4')), f32-rounded
const NF4 = [
  -1, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
  -0.18477343022823334, -0.09105003625154495, 0, 0.07958029955625534, 0.16093020141124725,
  0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
  0.7229568362236023, 1,
];

/** Random quantized storage for n values: bytes, positive absmax per block. */
function randomStorage(n: number, blocksize: number, seed: number) {
  const random = seededRandom(seed);
  const bytes = Array.from({ length: Math.ceil(n / 2) }, () => Math.floor(random() * 256));
  const absmax = Array.from({ length: Math.ceil(n / blocksize) }, () => 0.01 + 3 * random());
  return { bytes, absmax };
}

/** The plain loop, written independently of the kernel: unpack every nibble, then scale block by block. */
function dequantizeLoop(
  bytes: number[],
  absmax: number[],
  code: number[],
  blocksize: number,
  n: number,
) {
  const nibbles: number[] = [];
  for (const byte of bytes) nibbles.push(Math.floor(byte / 16), byte % 16);
  const out: number[] = [];
  for (let start = 0, block = 0; start < n; start += blocksize, block++) {
    for (let i = start; i < Math.min(start + blocksize, n); i++) {
      out.push(Math.fround(Math.fround(code[nibbles[i]]) * Math.fround(absmax[block])));
    }
  }
  return out;
}

function dequantize(
  bytes: number[],
  absmax: number[],
  code: number[],
  blocksize: number,
  shape: number[],
) {
  return run1(
    (q, a, c) => ops.dequantize4bit(q, a, c, { blocksize, shape }),
    [host([bytes.length], bytes, 'u8'), host([absmax.length], absmax), host([16], code)],
  );
}

describe('dequantize_4bit', () => {
  it('reads the high nibble first and scales each block by its absmax', async () => {
    const code = Array.from({ length: 16 }, (_, k) => k); // code[k] = k shows the nibble
    // 0x1f: elements 1 (high) then 15 (low); 0xa0: 10 then 0; blocks of 2 scaled by 1 and 0.5
    const y = await dequantize([0x1f, 0xa0], [1, 0.5], code, 2, [2, 2]);
    expect(y.shape).toEqual([2, 2]);
    expect(y.dtype).toBe('f32');
    expect(y.toArray()).toEqual([1, 15, 5, 0]);
    // odd length: the last byte's low nibble is padding; a tail block of one
    const odd = await dequantize([0x1f, 0xa7], [1, 2], code, 2, [3]);
    expect(odd.toArray()).toEqual([1, 15, 20]);
  });

  it('equals a plain loop on random bytes for block sizes 32..4096 and tail blocks', async () => {
    const cases: [number, number][] = [
      [32, 64],
      [32, 100],
      [64, 64 * 5 + 7],
      [128, 127],
      [256, 1000],
      [512, 1537],
      [1024, 3000],
      [2048, 2048 * 2 + 1],
      [4096, 4096 + 33],
      [4096, 5],
    ];
    for (const [k, [blocksize, n]] of cases.entries()) {
      const { bytes, absmax } = randomStorage(n, blocksize, 100 + k);
      const y = await dequantize(bytes, absmax, NF4, blocksize, [n]);
      expect(y.toArray(), `blocksize ${blocksize}, n ${n}`).toEqual(
        dequantizeLoop(bytes, absmax, NF4, blocksize, n),
      );
    }
  });

  it('reference kernel equals its decomposition (primitives only), tails included', async () => {
    for (const [blocksize, shape] of [
      [4, [3, 5]],
      [8, [4, 8]],
      [32, [7, 9]],
      [64, [2, 3, 11]],
    ] as const) {
      const n = shape.reduce((a, d) => a * d, 1);
      const { bytes, absmax } = randomStorage(n, blocksize, n);
      const r = await decompositionError(
        (q, a, c) => ops.dequantize4bit(q, a, c, { blocksize, shape }),
        [
          { shape: [bytes.length], dtype: 'u8', values: bytes },
          { shape: [absmax.length], values: absmax },
          { shape: [16], values: NF4 },
        ],
      );
      expect(r.fusedInside).toEqual([]);
      expect(r.error).toBe(0);
      expect(r.y.length).toBe(n);
    }
  });

  it('reads double-quantized absmax as bitsandbytes does: code8[q] * nested_absmax per 256 + offset', async () => {
    const random = seededRandom(3);
    const blocks = 600; // 3 nested blocks, the last one short
    const absmaxQ = Array.from({ length: blocks }, () => Math.floor(random() * 256));
    const nested = [0.5, 2, 3];
    const code8 = Array.from(randomNormal(256, random));
    const offset = 0.25;
    const y = await run1(
      (q, a, c, o) => ops.dequantizeBlockwise8bit(q, a, c, 256).add(o),
      [host([blocks], absmaxQ, 'u8'), host([3], nested), host([256], code8), host([], [offset])],
    );
    const want = absmaxQ.map((q, i) =>
      Math.fround(Math.fround(Math.fround(code8[q]) * nested[Math.floor(i / 256)]) + offset),
    );
    expect(y.toArray()).toEqual(want);
  });

  it('lets the gradient of x @ W through to x as the f32 weight does, and none into the packed bytes', async () => {
    const [rows, inF, outF, blocksize] = [3, 6, 5, 4];
    const { bytes, absmax } = randomStorage(inF * outF, blocksize, 9);
    const weight = dequantizeLoop(bytes, absmax, NF4, blocksize, inF * outF);
    const b = new GraphBuilder();
    const x = b.input('x', [rows, inF], 'f32', 'param');
    const q = b.input('q', [bytes.length, 1], 'u8', 'frozen'); // bitsandbytes' [n/2, 1]
    const a = b.input('absmax', [absmax.length], 'f32', 'frozen');
    const c = b.input('code', [16], 'f32', 'frozen');
    const w = b.input('w', [inF, outF], 'f32', 'frozen');
    const target = b.input('target', [rows, outF]);
    const loss = (wt: typeof w) => x.matmul(wt).sub(target).square().sum();
    const dequantized = ops.dequantize4bit(q, a, c, { blocksize, shape: [inF, outF] });
    const [dx4, dq] = grad(loss(dequantized), [x, q]);
    const [dx32] = grad(loss(w), [x]);
    expect(dq).toBeNull();
    // the weight is built once, by the op, and no cotangent of its shape is ever built (no dW)
    const weightShaped = b
      .build({ dx4: dx4 as typeof x })
      .nodes.filter((n) => n.op !== 'input' && n.shape.join() === `${inF},${outF}`);
    expect(weightShaped.map((n) => n.op)).toEqual(['dequantize_4bit']);
    const random = seededRandom(4);
    const out = await evaluate(
      b.build({ dx4: dx4 as typeof x, dx32: dx32 as typeof x }),
      {
        x: HostTensor.from('f32', [rows, inF], randomNormal(rows * inF, random)),
        q: host([bytes.length, 1], bytes, 'u8'),
        absmax: host([absmax.length], absmax),
        code: host([16], NF4),
        w: host([inF, outF], weight),
        target: HostTensor.from('f32', [rows, outF], randomNormal(rows * outF, random)),
      },
      'f32',
    );
    expect(out.dx4.toArray()).toEqual(out.dx32.toArray());
  });

  it('rejects storage that does not fit the shape, naming the input and what it must be', () => {
    const deq =
      (blocksize: number, shape: number[]) =>
      (...[q, a, c]: Tensor[]) =>
        ops.dequantize4bit(q, a, c, { blocksize, shape });
    expect(() => trace(deq(4, [3, 5]), [[8], 'u8'], [4], [16])).not.toThrow();
    expect(() => trace(deq(4, [3, 5]), [[7], 'u8'], [4], [16])).toThrow(
      /dequantize_4bit: q u8\[7\] must be u8 with 8 elements \(15 values in blocks of 4\)/,
    );
    expect(() => trace(deq(4, [3, 5]), [[8], 'i32'], [4], [16])).toThrow(ShapeError);
    expect(() => trace(deq(4, [3, 5]), [[8], 'u8'], [3], [16])).toThrow(
      /absmax f32\[3\] must be f32\[4\]/,
    );
    expect(() => trace(deq(4, [3, 5]), [[8], 'u8'], [4], [256])).toThrow(
      /code f32\[256\] must be f32\[16\]/,
    );
    expect(() => trace(deq(0, [3, 5]), [[8], 'u8'], [4], [16])).toThrow(UserError);
    expect(() => trace(deq(4, [3, 0]), [[0], 'u8'], [0], [16])).toThrow(/shape \[3, 0\]/);
  });
});
