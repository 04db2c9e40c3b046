// A malformed 4-bit folder is a one-line UserError naming the file and the tensor or key.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostTensor, ModelWeights, UserError, writeSafetensors } from '@tunekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyLlamaFolder } from '../../test/tiny-llama-folder.js';
import { quantizeModelFolder } from './quantize-folder.js';
import { openQuantizedFolder } from './quantized-folder.js';

const W = 'model.layers.0.self_attn.q_proj.weight';

let quantized: string;
const dirs: string[] = [];
beforeAll(async () => {
  const source = await tinyLlamaFolder();
  dirs.push(source);
  quantized = join(source, 'nf4');
  await quantizeModelFolder({ model: source, out: quantized, compress_statistics: true });
});
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** A copy of the quantized folder whose tensors (or config) `edit` changed. */
async function edited(edit: {
  tensors?: (t: Map<string, HostTensor>) => void;
  config?: (c: Record<string, unknown>) => void;
}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tunekit-bad-4bit-'));
  dirs.push(dir);
  await cp(quantized, dir, { recursive: true });
  if (edit.tensors) {
    const weights = await ModelWeights.open(quantized);
    const tensors = new Map<string, HostTensor>();
    for (const key of weights.keys()) tensors.set(key, await weights.read(key));
    await weights.close();
    edit.tensors(tensors);
    await writeSafetensors(join(dir, 'model.safetensors'), tensors);
  }
  if (edit.config) {
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    edit.config(config);
    await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  }
  return dir;
}

/** Opens `dir` and reads every 4-bit weight; the error it ends in. */
async function errorOf(dir: string): Promise<Error> {
  try {
    const folder = await openQuantizedFolder(dir);
    try {
      for (const name of folder.quantized.keys()) await folder.read(name);
    } finally {
      await folder.close();
    }
  } catch (err) {
    return err as Error;
  }
  throw new Error(`${dir} opened without an error`);
}

const json = (s: string) => new HostTensor('u8', [s.length], new TextEncoder().encode(s));

describe('openQuantizedFolder', () => {
  it('reads packed weights stored as bf16 (bnb_4bit_quant_storage: bfloat16) as the same bytes', async () => {
    const dir = await edited({
      tensors: (t) => {
        const packed = (t.get(W) as HostTensor).data as Uint8Array;
        const asBf16 = new Uint16Array(packed.buffer, packed.byteOffset, packed.length / 2);
        t.set(W, new HostTensor('bf16', [asBf16.length, 1], asBf16));
      },
      config: (c) =>
        Object.assign(c.quantization_config as object, { bnb_4bit_quant_storage: 'bfloat16' }),
    });
    const [stored, folder] = [await openQuantizedFolder(quantized), await openQuantizedFolder(dir)];
    try {
      expect(folder.weights.info(W)).toMatchObject({ dtype: 'BF16', shape: [1024, 1] });
      expect(await folder.read(W)).toEqual(await stored.read(W));
    } finally {
      await Promise.all([stored.close(), folder.close()]);
    }
  });
});

describe('openQuantizedFolder on malformed input', () => {
  it.each([
    [
      'a missing absmax',
      { tensors: (t) => t.delete(`${W}.absmax`) },
      `4-bit weight "${W}" has no "${W}.absmax"`,
    ],
    [
      'an absmax of the wrong dtype',
      { tensors: (t) => t.set(`${W}.absmax`, HostTensor.zeros('f32', [64])) },
      `tensor "${W}.absmax" is f32[64], expected u8[64]`,
    ],
    [
      'a packed weight of the wrong size',
      { tensors: (t) => t.set(W, HostTensor.zeros('u8', [100, 1])) },
      `tensor "${W}" is U8[100,1] (100 bytes); a 4-bit weight of 4096 values is 2048 bytes`,
    ],
    [
      'a quant_state that is not JSON',
      { tensors: (t) => t.set(`${W}.quant_state.bitsandbytes__nf4`, json('{"quant_type": ')) },
      `tensor "${W}.quant_state.bitsandbytes__nf4": not valid JSON`,
    ],
    [
      'a quant_state with a bad field',
      {
        tensors: (t) =>
          t.set(
            `${W}.quant_state.bitsandbytes__nf4`,
            json('{"quant_type": "nf4", "blocksize": 48, "dtype": "float32", "shape": [64, 64]}'),
          ),
      },
      'blocksize: must be one of 32, 64',
    ],
    [
      'a quant_state key that names another quant_type',
      {
        tensors: (t) => {
          const state = t.get(`${W}.quant_state.bitsandbytes__nf4`) as HostTensor;
          t.delete(`${W}.quant_state.bitsandbytes__nf4`);
          t.set(`${W}.quant_state.bitsandbytes__fp4`, state);
        },
      },
      `tensor "${W}.quant_state.bitsandbytes__fp4": its JSON says quant_type 'nf4'`,
    ],
    [
      'half of the nested keys',
      {
        tensors: (t) =>
          t.set(
            `${W}.quant_state.bitsandbytes__nf4`,
            json(
              '{"quant_type": "nf4", "blocksize": 64, "dtype": "float32", "shape": [64, 64], "nested_offset": 0.5}',
            ),
          ),
      },
      'has nested_offset but not nested_blocksize, nested_dtype',
    ],
    [
      'a quant_state without its weight',
      {
        tensors: (t) => {
          for (const k of [...t.keys()])
            if (k.startsWith(`${W}`) && !k.includes('quant_state')) t.delete(k);
        },
      },
      `tensor "${W}.quant_state.bitsandbytes__nf4" is a quant_state whose weight is missing`,
    ],
    [
      'a config without quantization_config',
      { config: (c) => delete c.quantization_config },
      'config.json has no quantization_config',
    ],
    [
      'an 8-bit config',
      {
        config: (c) =>
          Object.assign(c.quantization_config as object, {
            load_in_4bit: false,
            load_in_8bit: true,
          }),
      },
      'config.json: quantization_config: load_in_4bit is not true (load_in_8bit',
    ],
    [
      'another quant_method',
      { config: (c) => Object.assign(c.quantization_config as object, { quant_method: 'gptq' }) },
      'quant_method is "gptq"; tunekit reads 4-bit bitsandbytes models only',
    ],
  ] as [string, Parameters<typeof edited>[0], string][])('%s', async (_, edit, message) => {
    const dir = await edited(edit);
    const err = await errorOf(dir);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toContain(message);
    expect(err.message).toContain(dir);
    expect(err.message).not.toContain('\n');
  });
});
