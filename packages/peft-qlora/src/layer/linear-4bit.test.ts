import {
  evaluate,
  GraphBuilder,
  HostTensor,
  Linear,
  randomNormal,
  seededRandom,
  TraceContext,
  UserError,
} from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { dequantize4bit, quantize4bit } from '../quant/quantize-4bit.js';
import { Linear4bit } from './linear-4bit.js';

const [IN, OUT] = [40, 24]; // 960 values: 15 blocks of 64, so double quantization has one short block
const weight = HostTensor.from('f32', [OUT, IN], randomNormal(IN * OUT, seededRandom(1)));

function stored(compress_statistics: boolean) {
  const layer = new Linear4bit(IN, OUT, true, {
    quant_type: 'nf4',
    blocksize: 64,
    compress_statistics,
  });
  return { layer, tensors: layer.storeCheckpointTensor('weight', weight) };
}

describe('Linear4bit', () => {
  it("stores a checkpoint weight quantized, under transformers' keys, dtypes and shapes", () => {
    const shapes = (m: ReadonlyMap<string, HostTensor>) =>
      Object.fromEntries([...m].map(([k, t]) => [k, `${t.dtype}[${t.shape}]`]));
    expect(shapes(stored(false).tensors)).toEqual({
      weight: 'u8[480,1]',
      'weight.absmax': 'f32[15]',
      'weight.quant_map': 'f32[16]',
    });
    expect(shapes(stored(true).tensors)).toEqual({
      weight: 'u8[480,1]',
      'weight.absmax': 'u8[15]',
      'weight.quant_map': 'f32[16]',
      'weight.nested_absmax': 'f32[1]',
      'weight.nested_quant_map': 'f32[256]',
      'weight.nested_offset': 'f32[]',
    });
    const bias = HostTensor.from('f32', [OUT], new Float64Array(OUT).fill(0.5));
    expect(stored(false).layer.storeCheckpointTensor('bias', bias).get('bias')).toBe(bias);
  });

  it('refuses a weight of another shape, naming both', () => {
    const { layer } = stored(false);
    const wrong = HostTensor.zeros('f32', [IN, OUT]);
    expect(() => layer.storeCheckpointTensor('weight', wrong)).toThrow(UserError);
    expect(() => layer.storeCheckpointTensor('weight', wrong)).toThrow(/f32\[40,24\].*\[24, 40\]/);
  });

  for (const double of [false, true]) {
    it(`traces x W^T + b with W dequantized in the graph as bitsandbytes does${double ? ' (double quantization)' : ''}`, async () => {
      const { layer, tensors } = stored(double);
      const bias = HostTensor.from('f32', [OUT], randomNormal(OUT, seededRandom(2)));
      layer.loadStateDict(new Map([...tensors, ['bias', bias]]));
      const q = quantize4bit(weight.data as Float32Array, {
        quant_type: 'nf4',
        compress_statistics: double,
      });
      expect(layer.dequantizedWeight().data).toEqual(dequantize4bit(q));

      const dense = new Linear(IN, OUT, true);
      dense.loadStateDict(
        new Map([
          ['weight', layer.dequantizedWeight()],
          ['bias', bias],
        ]),
      );
      const x = HostTensor.from('f32', [3, IN], randomNormal(3 * IN, seededRandom(3)));
      const run = async (m: Linear | Linear4bit) => {
        const b = new GraphBuilder();
        const ctx = new TraceContext(b, m);
        const y = m.forward(ctx, b.input('x', [3, IN]));
        return (await evaluate(b.build({ y }), { ...ctx.weights(), x })).y.data;
      };
      expect(await run(layer)).toEqual(await run(dense));
    });
  }

  it('dequantizes only once its input exists, so no weight is dequantized ahead of its layer', () => {
    const { layer, tensors } = stored(true);
    layer.loadStateDict(tensors, false);
    const b = new GraphBuilder();
    const x = b.input('x', [3, IN]);
    const graph = b.build({ y: layer.forward(new TraceContext(b, layer), x) });
    const dependsOnX: boolean[] = [];
    for (const n of graph.nodes)
      dependsOnX[n.id] = n.id === x.id || n.inputs.some((i) => dependsOnX[i]);
    // every value computed from the stored tensors (all but the inputs and constants) waits for x
    const computed = graph.nodes.filter((n) => n.op !== 'input' && n.op !== 'constant');
    expect(computed.map((n) => n.op)).toContain('dequantize_4bit');
    expect(computed.filter((n) => !dependsOnX[n.id]).map((n) => n.op)).toEqual([]);
  });

  it('holds weights quantized elsewhere (fromQuantized) and re-quantizes a weight set on it', () => {
    const q = quantize4bit(weight.data as Float32Array, {
      quant_type: 'fp4',
      compress_statistics: true,
    });
    const layer = Linear4bit.fromQuantized(q, { inFeatures: IN, outFeatures: OUT });
    expect(layer.settings).toEqual({ quant_type: 'fp4', blocksize: 64, compress_statistics: true });
    expect(layer.quantized().packed).toEqual(q.packed);
    expect(layer.dequantizedWeight().data).toEqual(dequantize4bit(q));
    layer.setWeight(layer.dequantizedWeight());
    // a dequantized weight quantizes back to the codes it came from (up to the absmax rounding)
    const back = layer.dequantizedWeight().data as Float32Array;
    const first = dequantize4bit(q);
    for (let i = 0; i < back.length; i++) expect(back[i]).toBeCloseTo(first[i], 2);
    expect(() => Linear4bit.fromQuantized(q, { inFeatures: IN, outFeatures: IN })).toThrow(
      /960 values cannot be a \[40, 40\]/,
    );
  });
});
