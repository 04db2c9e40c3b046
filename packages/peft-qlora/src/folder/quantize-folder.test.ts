import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HostTensor, ModelWeights, readHfConfig, writeSafetensors } from '@tunekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_LLAMA_CONFIG, tinyLlamaFolder } from '../../test/tiny-llama-folder.js';
import { dequantize4bit, quantize4bit } from '../quant/index.js';
import { quantizeModelFolder } from './quantize-folder.js';
import { openQuantizedFolder } from './quantized-folder.js';

const LINEARS = [
  'self_attn.q_proj',
  'self_attn.k_proj',
  'self_attn.v_proj',
  'self_attn.o_proj',
  'mlp.gate_proj',
  'mlp.up_proj',
  'mlp.down_proj',
];
const LAYER_WEIGHTS = [0, 1].flatMap((l) => LINEARS.map((m) => `model.layers.${l}.${m}.weight`));
const KEPT = [
  'lm_head.weight',
  'model.embed_tokens.weight',
  'model.norm.weight',
  ...[0, 1].flatMap((l) => [
    `model.layers.${l}.input_layernorm.weight`,
    `model.layers.${l}.post_attention_layernorm.weight`,
  ]),
];

describe('quantizeModelFolder', () => {
  let source: string;
  let out: string;
  const dirs: string[] = [];
  beforeAll(async () => {
    source = await tinyLlamaFolder();
    await writeFile(join(source, 'tokenizer.json'), '{"model": {}}');
    await writeFile(join(source, 'tokenizer.model'), 'sentencepiece bytes');
    out = join(source, 'nf4');
    await quantizeModelFolder({ model: source, out, compress_statistics: true });
    dirs.push(source);
  });
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('writes the keys, dtypes and shapes transformers + bitsandbytes save (double quantization)', async () => {
    const weights = await ModelWeights.open(out);
    try {
      const want = new Map<string, string>();
      for (const name of LAYER_WEIGHTS) {
        const n = name.includes('mlp') ? 64 * 96 : name.match(/[kv]_proj/) ? 64 * 32 : 64 * 64;
        const blocks = n / 64;
        want.set(name, `U8[${n / 2},1]`);
        want.set(`${name}.absmax`, `U8[${blocks}]`);
        want.set(`${name}.quant_map`, 'F32[16]');
        want.set(`${name}.nested_absmax`, 'F32[1]');
        want.set(`${name}.nested_quant_map`, 'F32[256]');
        want.set(`${name}.quant_state.bitsandbytes__nf4`, 'U8');
      }
      for (const name of KEPT) want.set(name, 'F32');
      const got = new Map(
        weights.keys().map((k) => {
          const { dtype, shape } = weights.info(k);
          const exact = !k.endsWith('__nf4') && want.get(k) !== 'F32';
          return [k, exact ? `${dtype}[${shape}]` : dtype];
        }),
      );
      expect(got).toEqual(want);
    } finally {
      await weights.close();
    }
  });

  it('writes the quant_state JSON bitsandbytes writes', async () => {
    const weights = await ModelWeights.open(out);
    try {
      const t = await weights.read(
        'model.layers.0.mlp.down_proj.weight.quant_state.bitsandbytes__nf4',
      );
      const text = new TextDecoder().decode(t.data as Uint8Array);
      expect(text).toMatch(
        /^\{"quant_type": "nf4", "blocksize": 64, "dtype": "float32", "shape": \[64, 96\], "nested_blocksize": 256, "nested_dtype": "float32", "nested_offset": \d\.\d+(e-\d\d)?\}$/,
      );
    } finally {
      await weights.close();
    }
  });

  it('loads back to the tensors quantize4bit gives, and keeps the rest byte for byte', async () => {
    const original = await ModelWeights.open(source);
    const folder = await openQuantizedFolder(out);
    try {
      expect([...folder.quantized.keys()].sort()).toEqual([...LAYER_WEIGHTS].sort());
      expect([...folder.plain].sort()).toEqual([...KEPT].sort());
      for (const name of LAYER_WEIGHTS) {
        const w = await folder.read(name);
        const src = await original.read(name);
        const want = quantize4bit(src.data as Float32Array, {
          quant_type: 'nf4',
          compress_statistics: true,
        });
        expect({ name, shape: w.shape, dtype: w.dtype }).toEqual({
          name,
          shape: src.shape,
          dtype: 'float32',
        });
        expect(w.quantized).toEqual(want);
        expect(dequantize4bit(w.quantized)).toEqual(dequantize4bit(want));
      }
      for (const name of KEPT) {
        expect((await folder.weights.read(name)).data).toEqual((await original.read(name)).data);
      }
    } finally {
      await Promise.all([original.close(), folder.close()]);
    }
  });

  it('writes quantization_config as transformers does and copies the tokenizer files', async () => {
    const config = await readHfConfig(out);
    expect(config).toEqual({
      ...TINY_LLAMA_CONFIG,
      quantization_config: {
        _load_in_4bit: true,
        _load_in_8bit: false,
        bnb_4bit_compute_dtype: 'float32',
        bnb_4bit_quant_storage: 'uint8',
        bnb_4bit_quant_type: 'nf4',
        bnb_4bit_use_double_quant: true,
        llm_int8_enable_fp32_cpu_offload: false,
        llm_int8_has_fp16_weight: false,
        llm_int8_skip_modules: null,
        load_in_4bit: true,
        load_in_8bit: false,
        quant_method: 'bitsandbytes',
      },
    });
    expect(await readFile(join(out, 'tokenizer.json'), 'utf8')).toBe('{"model": {}}');
    expect(await readFile(join(out, 'tokenizer.model'), 'utf8')).toBe('sentencepiece bytes');
  });

  it('records a bf16 source in quant_state, honours fp4, blocksize and llm_int8_skip_modules', async () => {
    const dir = await tinyLlamaFolder(5);
    dirs.push(dir);
    const original = await ModelWeights.open(dir);
    const bf16 = new Map<string, HostTensor>();
    for (const name of original.keys()) {
      const t = await original.read(name);
      bf16.set(name, HostTensor.from('bf16', t.shape, t.data as Float32Array));
    }
    await original.close();
    await writeSafetensors(join(dir, 'model.safetensors'), bf16);
    const result = await quantizeModelFolder({
      model: dir,
      out: join(dir, 'fp4'),
      quant_type: 'fp4',
      blocksize: 128,
      llm_int8_skip_modules: ['mlp'],
    });
    expect(result.quantized).toHaveLength(8); // attention only: the MLPs are skipped
    const folder = await openQuantizedFolder(join(dir, 'fp4'));
    try {
      const state = folder.quantized.get('model.layers.1.self_attn.o_proj.weight');
      expect(state).toEqual({
        quant_type: 'fp4',
        blocksize: 128,
        dtype: 'bfloat16',
        shape: [64, 64],
      });
      expect(folder.weights.info('model.layers.1.mlp.up_proj.weight').dtype).toBe('BF16');
      expect(folder.quantization.llm_int8_skip_modules).toEqual(['mlp']);
      expect(folder.quantization.bnb_4bit_quant_type).toBe('fp4');
      expect(folder.quantization.bnb_4bit_use_double_quant).toBe(false);
    } finally {
      await folder.close();
    }
  });

  it('refuses a folder that is already quantized, naming its config.json', async () => {
    await expect(quantizeModelFolder({ model: out, out: join(source, 'again') })).rejects.toThrow(
      /nf4[/\\]config.json already has a quantization_config/,
    );
  });
});
