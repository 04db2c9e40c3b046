// The tensors of a 4-bit weight, byte for byte as bitsandbytes saves them
// (scripts/golden-bnb-state-dict.py), and read back.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostTensor, ModelWeights, writeSafetensors } from '@tunekit/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bnbWeightTensors,
  dequantize4bit,
  quantize4bit,
  readBnbWeight,
  type TorchFloatDType,
} from '../src/index.js';

/** test/golden/bnb-state-dict.json, written by scripts/golden-bnb-state-dict.py. */
interface GoldenCase {
  name: string;
  input: string;
  shape: number[];
  dtype: TorchFloatDType;
  quant_type: 'nf4' | 'fp4';
  blocksize: number;
  compress_statistics: boolean;
  quant_state_json: string;
  tensors: { key: string; dtype: string; shape: number[]; bytes: string }[];
}
const golden: { cases: GoldenCase[] } = JSON.parse(
  readFileSync(new URL('./golden/bnb-state-dict.json', import.meta.url), 'utf8'),
);

import { bitsOf, bytes, firstDifference, floats } from './golden.js';

const TUNEKIT_DTYPE: Record<string, string> = { 'torch.uint8': 'u8', 'torch.float32': 'f32' };

const encodeOf = (c: GoldenCase) =>
  bnbWeightTensors('weight', {
    quantized: quantize4bit(floats(c.input), {
      quant_type: c.quant_type,
      blocksize: c.blocksize,
      compress_statistics: c.compress_statistics,
    }),
    shape: c.shape,
    dtype: c.dtype,
  });

const bytesOf = (t: HostTensor) =>
  t.data instanceof Float32Array ? bitsOf(t.data) : (t.data as Uint8Array);

describe.each(golden.cases)('4-bit weight $name as bitsandbytes saves it', (c) => {
  const ours = encodeOf(c);

  it('has bitsandbytes’ keys, dtypes and shapes', () => {
    const theirs = c.tensors.map((t) => [t.key, TUNEKIT_DTYPE[t.dtype], t.shape]);
    const mine = [...ours].map(([key, t]) => [key, t.dtype, [...t.shape]]);
    expect(new Map(mine as [string, unknown][])).toEqual(new Map(theirs as [string, unknown][]));
  });

  it('has bitsandbytes’ bytes in every tensor, the quant_state JSON included', () => {
    for (const t of c.tensors) {
      const got = bytesOf(ours.get(t.key) as HostTensor);
      expect({ key: t.key, at: firstDifference(got, bytes(t.bytes)) }).toEqual({
        key: t.key,
        at: -1,
      });
    }
    const stateKey = `weight.quant_state.bitsandbytes__${c.quant_type}`;
    expect(new TextDecoder().decode(bytesOf(ours.get(stateKey) as HostTensor))).toBe(
      c.quant_state_json,
    );
  });
});

describe('readBnbWeight', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it.each(golden.cases)('reads $name back from bitsandbytes’ tensors', async (c) => {
    const dir = await mkdtemp(join(tmpdir(), 'tunekit-bnb-weight-'));
    dirs.push(dir);
    const tensors = new Map(
      c.tensors.map((t) => {
        const t32 = t.dtype === 'torch.float32';
        const tensor = t32
          ? new HostTensor('f32', t.shape, floats(t.bytes))
          : new HostTensor('u8', t.shape, bytes(t.bytes));
        return [`layer.${t.key}`, tensor];
      }),
    );
    await writeSafetensors(join(dir, 'model.safetensors'), tensors);
    await writeFile(join(dir, 'config.json'), '{}');
    const weights = await ModelWeights.open(dir);
    try {
      const w = await readBnbWeight(weights, 'layer.weight');
      expect({ shape: w.shape, dtype: w.dtype }).toEqual({ shape: c.shape, dtype: c.dtype });
      const want = quantize4bit(floats(c.input), {
        quant_type: c.quant_type,
        blocksize: c.blocksize,
        compress_statistics: c.compress_statistics,
      });
      expect(bitsOf(dequantize4bit(w.quantized))).toEqual(bitsOf(dequantize4bit(want)));
      expect(w.quantized.packed).toEqual(want.packed);
    } finally {
      await weights.close();
    }
  });
});
