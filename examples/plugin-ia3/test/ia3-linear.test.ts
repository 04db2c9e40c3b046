import { evaluate, GraphBuilder, HostTensor, Linear, TraceContext } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { Ia3Linear } from '../src/index.js';
import { maxAbsDiff } from './helpers.js';

const W = [1, 2, 3, -1, 0.5, 4]; // [out 2, in 3]
const X = [1, -2, 0.5, 3, 1, 2]; // [2 rows, in 3]

/** y = x W^T, computed here by hand. */
function linear(
  x: readonly number[],
  w: readonly number[],
  rows: number,
  inF: number,
  outF: number,
) {
  const y: number[] = [];
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < outF; o++) {
      let sum = 0;
      for (let i = 0; i < inF; i++) sum += x[r * inF + i] * w[o * inF + i];
      y.push(sum);
    }
  return y;
}

async function run(layer: Ia3Linear): Promise<Float64Array> {
  const b = new GraphBuilder();
  const ctx = new TraceContext(b, layer);
  const y = layer.forward(ctx, b.input('x', [2, 3], 'f32'));
  const feeds = { ...ctx.weights(), x: HostTensor.from('f32', [2, 3], X) };
  return (await evaluate(b.build({ y }), feeds)).y.toFloat64();
}

function layerWith(isFeedforward: boolean, l: readonly number[]): Ia3Linear {
  const base = new Linear(3, 2);
  base.loadStateDict(new Map([['weight', HostTensor.from('f32', [2, 3], W)]]));
  const layer = new Ia3Linear(base, isFeedforward);
  layer.updateLayer({
    adapterName: 'default',
    isFeedforward,
    init_ia3_weights: true,
    random: Math.random,
  });
  const [[, vector]] = layer.adapterState('default');
  vector.value = HostTensor.from('f32', vector.shape, l);
  layer.setActiveAdapters(['default']);
  return layer;
}

describe('Ia3Linear', () => {
  it('scales the output by l [out, 1], as PEFT’s ia3.Linear', async () => {
    const l = [2, -0.5];
    const layer = layerWith(false, l);
    expect(layer.adapterState('default')[0][1].shape).toEqual([2, 1]);
    const expected = linear(X, W, 2, 3, 2).map((y, i) => y * l[i % 2]);
    expect(maxAbsDiff(await run(layer), expected)).toBeLessThan(1e-6);
  });

  it('scales the input by l [1, in] in a feed-forward layer', async () => {
    const l = [0.5, 3, -1];
    const layer = layerWith(true, l);
    expect(layer.adapterState('default')[0][1].shape).toEqual([1, 3]);
    const expected = linear(
      X.map((x, i) => x * l[i % 3]),
      W,
      2,
      3,
      2,
    );
    expect(maxAbsDiff(await run(layer), expected)).toBeLessThan(1e-6);
  });

  it('gives the base output when disabled, and scales W’s rows or columns when merged', async () => {
    for (const isFeedforward of [false, true]) {
      const layer = layerWith(isFeedforward, isFeedforward ? [0.5, 3, -1] : [2, -0.5]);
      const adapted = await run(layer);
      layer.enabled = false;
      expect(maxAbsDiff(await run(layer), linear(X, W, 2, 3, 2))).toBeLessThan(1e-6);
      layer.enabled = true;
      layer.merge(['default']);
      const merged = (layer.baseLayer().namedParameters()[0][1].value as HostTensor).toFloat64();
      const scaled = isFeedforward
        ? W.map((w, i) => w * [0.5, 3, -1][i % 3])
        : W.map((w, i) => w * [2, -0.5][Math.floor(i / 3)]);
      expect([...merged]).toEqual(scaled);
      expect(maxAbsDiff(await run(layer), adapted)).toBeLessThan(1e-6);
    }
  });

  it('multiplies the vectors of the active adapters, and deletes one', async () => {
    const layer = layerWith(false, [2, -0.5]);
    layer.updateLayer({
      adapterName: 'other',
      isFeedforward: false,
      init_ia3_weights: true,
      random: Math.random,
    });
    const [[key, other]] = layer.adapterState('other');
    expect(key).toBe('ia3_l');
    other.value = HostTensor.from('f32', [2, 1], [3, 4]);
    layer.setActiveAdapters(['default', 'other']);
    const expected = linear(X, W, 2, 3, 2).map((y, i) => y * [6, -2][i % 2]);
    expect(maxAbsDiff(await run(layer), expected)).toBeLessThan(1e-6);
    layer.deleteAdapter('other');
    expect(layer.adapterNames()).toEqual(['default']);
    expect(layer.adapterState('other')).toEqual([]);
  });
});
