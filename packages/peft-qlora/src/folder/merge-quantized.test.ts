import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  HostTensor,
  ModelWeights,
  randomNormal,
  readHfConfig,
  seededRandom,
  UserError,
  widenToF32,
  writeAdapterFolder,
} from '@tunekit/core';
import { denseLinearDispatcher, loraMethod } from '@tunekit/peft-lora';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyLlamaFolder } from '../../test/tiny-llama-folder.js';
import { dequantize4bit } from '../quant/index.js';
import { mergeAdapterIntoQuantizedBase } from './merge-quantized.js';
import { quantizeModelFolder } from './quantize-folder.js';
import { openQuantizedFolder } from './quantized-folder.js';

const PLUGINS = { methods: [loraMethod], dispatchers: [denseLinearDispatcher] };
const R = 2;
const ALPHA = 8;
const TARGETS = ['model.layers.0.self_attn.q_proj', 'model.layers.1.mlp.down_proj'];

let original: string;
let base: string;
let adapter: string;
/** lora_B @ lora_A * scaling of each target, [out, in] row-major, computed here in f64. */
const deltas = new Map<string, Float64Array>();

beforeAll(async () => {
  original = await tinyLlamaFolder();
  base = join(original, 'nf4');
  await quantizeModelFolder({ model: original, out: base, compress_statistics: true });
  adapter = join(original, 'adapter');
  const random = seededRandom(11);
  const tensors = new Map<string, HostTensor>();
  const weights = await ModelWeights.open(original);
  for (const target of TARGETS) {
    const [out, inp] = weights.info(`${target}.weight`).shape;
    const a = randomNormal(R * inp, random).map((v) => v * 0.1);
    const b = randomNormal(out * R, random).map((v) => v * 0.1);
    const A = HostTensor.from('f32', [R, inp], a);
    const B = HostTensor.from('f32', [out, R], b);
    tensors.set(`base_model.model.${target}.lora_A.weight`, A);
    tensors.set(`base_model.model.${target}.lora_B.weight`, B);
    const [fa, fb] = [A.toFloat64(), B.toFloat64()];
    const delta = new Float64Array(out * inp);
    for (let i = 0; i < out; i++)
      for (let j = 0; j < inp; j++) {
        let s = 0;
        for (let k = 0; k < R; k++) s += fb[i * R + k] * fa[k * inp + j];
        delta[i * inp + j] = (s * ALPHA) / R;
      }
    deltas.set(`${target}.weight`, delta);
  }
  await weights.close();
  await writeAdapterFolder(adapter, {
    config: {
      peft_type: 'LORA',
      task_type: 'CAUSAL_LM',
      r: R,
      lora_alpha: ALPHA,
      target_modules: ['layers.0.self_attn.q_proj', 'layers.1.mlp.down_proj'],
      base_model_name_or_path: base,
    },
    tensors,
  });
});
afterAll(() => rm(original, { recursive: true, force: true }));

describe('mergeAdapterIntoQuantizedBase', () => {
  it('merges into the dequantized weights in f32 and writes a full-precision folder, not 4-bit', async () => {
    const out = join(original, 'merged');
    const result = await mergeAdapterIntoQuantizedBase({ model: base, adapter, out, ...PLUGINS });
    expect(result.dtype).toBe('f32'); // the 4-bit weights were f32 before quantization
    const config = await readHfConfig(out);
    expect(config.quantization_config).toBeUndefined();
    expect(config.torch_dtype).toBe('float32');
    expect(await readdir(out)).not.toContain('.dequantized-base');
    const folder = await openQuantizedFolder(base);
    const merged = await ModelWeights.open(out);
    try {
      expect(merged.keys().some((k) => k.includes('absmax') || k.includes('quant_state'))).toBe(
        false,
      );
      for (const name of folder.quantized.keys()) {
        const deq = dequantize4bit((await folder.read(name)).quantized);
        const got = (await merged.read(name)).data as Float32Array;
        const delta = deltas.get(name);
        let worst = 0;
        for (let i = 0; i < deq.length; i++)
          worst = Math.max(worst, Math.abs(got[i] - (deq[i] + (delta?.[i] ?? 0))));
        expect({ name, worst }).toEqual({ name, worst: delta ? expect.any(Number) : 0 });
        expect(worst).toBeLessThan(1e-6);
      }
      for (const name of folder.plain) {
        expect((await merged.read(name)).data).toEqual((await folder.weights.read(name)).data);
      }
    } finally {
      await Promise.all([folder.close(), merged.close()]);
    }
  });

  it('writes --dtype bf16 and measures the 4-bit base against --original', async () => {
    const out = join(original, 'merged-bf16');
    const result = await mergeAdapterIntoQuantizedBase({
      model: base,
      adapter,
      out,
      dtype: 'bf16',
      original,
      ...PLUGINS,
    });
    expect((await readHfConfig(out)).torch_dtype).toBe('bfloat16');
    const merged = await ModelWeights.open(out);
    const folder = await openQuantizedFolder(base);
    const orig = await ModelWeights.open(original);
    try {
      expect(new Set(merged.keys().map((k) => merged.info(k).dtype))).toEqual(new Set(['BF16']));
      let maxAbs = 0;
      let d2 = 0;
      let w2 = 0;
      for (const name of folder.quantized.keys()) {
        const deq = dequantize4bit((await folder.read(name)).quantized);
        const w = widenToF32(await orig.read(name)).data as Float32Array;
        for (let i = 0; i < w.length; i++) {
          maxAbs = Math.max(maxAbs, Math.abs(deq[i] - w[i]));
          d2 += (deq[i] - w[i]) ** 2;
          w2 += w[i] ** 2;
        }
      }
      expect(result.difference).toMatchObject({ tensors: 14, max_abs: maxAbs });
      expect(result.difference?.rel).toBeCloseTo(Math.sqrt(d2 / w2), 12);
      expect(maxAbs).toBeGreaterThan(0);
    } finally {
      await Promise.all([merged.close(), folder.close(), orig.close()]);
    }
  });

  it('names --original when its weights are not the ones the base was quantized from', async () => {
    const err = await mergeAdapterIntoQuantizedBase({
      model: base,
      adapter,
      out: join(original, 'never'),
      original: base, // the 4-bit folder itself: packed [n/2, 1] where [out, in] is expected
      ...PLUGINS,
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(
      /^--original \S+nf4: "model\.layers\.0\.mlp\.down_proj\.weight" is \[3072,1\], but \S+nf4 quantized a \[64,96\] weight$/,
    );
  });
});
