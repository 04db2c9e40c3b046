import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  HostTensor,
  ModelWeights,
  randomNormal,
  readHfConfig,
  seededRandom,
  writeAdapterFolder,
} from '@tunekit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTunekit, workDir } from './harness.js';
import { writeTinyLlamaFolder } from './tiny-model-folder.js';

const work = await workDir('quantize');
const base = join(work, 'base');
const nf4 = join(work, 'nf4');

beforeAll(async () => {
  await writeTinyLlamaFolder(base);
});

describe('tunekit quantize', () => {
  it('writes a 4-bit folder as transformers + bitsandbytes save one, and never overwrites one', async () => {
    const run = await runTunekit(['quantize', '-m', base, '-o', nf4, '--double-quant']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^quantized 14 weights of \S+ to nf4 with double quantization, blocksize 64 \(kept 7 tensors as they were\): wrote .*model\.safetensors.* to \S+nf4\n$/,
    );
    const config = await readHfConfig(nf4);
    expect(config.quantization_config).toMatchObject({
      quant_method: 'bitsandbytes',
      load_in_4bit: true,
      bnb_4bit_quant_type: 'nf4',
      bnb_4bit_use_double_quant: true,
    });
    expect(await readFile(join(nf4, 'tokenizer.json'))).toEqual(
      await readFile(join(base, 'tokenizer.json')),
    );
    const weights = await ModelWeights.open(nf4);
    const q = 'model.layers.1.self_attn.q_proj.weight';
    expect(weights.info(q)).toMatchObject({ dtype: 'U8', shape: [128, 1] });
    expect(weights.has(`${q}.quant_state.bitsandbytes__nf4`)).toBe(true);
    expect(weights.info('model.embed_tokens.weight').dtype).toBe('F32');
    await weights.close();

    const again = await runTunekit(['quantize', '-m', base, '-o', nf4]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: --out: \S+nf4 already holds files .*pass --overwrite/);
  }, 120_000);

  it('rejects a block size bitsandbytes does not have', async () => {
    const run = await runTunekit([
      'quantize',
      '-m',
      base,
      '-o',
      join(work, 'x'),
      '--blocksize',
      '48',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("option '--blocksize <n>' argument '48' is invalid");
  });
});

describe('tunekit merge over a 4-bit base', () => {
  it('dequantizes, merges in f32, writes --dtype and reports the difference from --original', async () => {
    const adapter = join(work, 'adapter');
    const random = seededRandom(7);
    const A = HostTensor.from('f32', [2, 16], randomNormal(32, random));
    const B = HostTensor.from('f32', [16, 2], randomNormal(32, random));
    await writeAdapterFolder(adapter, {
      config: {
        peft_type: 'LORA',
        task_type: 'CAUSAL_LM',
        r: 2,
        lora_alpha: 4,
        target_modules: ['q_proj'],
      },
      tensors: new Map(
        [0, 1].flatMap((l) => [
          [`base_model.model.model.layers.${l}.self_attn.q_proj.lora_A.weight`, A],
          [`base_model.model.model.layers.${l}.self_attn.q_proj.lora_B.weight`, B],
        ]),
      ),
    });
    const out = join(work, 'merged');
    const run = await runTunekit([
      'merge',
      ...['-m', nf4, '-a', adapter, '-o', out, '--dtype', 'bf16', '--original', base],
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [difference, merged] = run.stdout.split('\n');
    expect(difference).toMatch(
      /^4-bit base vs original \(14 weights\): max abs difference [\d.e-]+ \(model\.layers\.\d\.\S+\.weight\), relative 0\.\d+ /,
    );
    expect(merged).toMatch(
      /^merged \S+ into \S+nf4 \(dequantized from 4 bits, written in bf16\): wrote /,
    );
    const config = await readHfConfig(out);
    expect(config.quantization_config).toBeUndefined();
    expect(config.torch_dtype).toBe('bfloat16');
    const weights = await ModelWeights.open(out);
    expect(new Set(weights.keys().map((k) => weights.info(k).dtype))).toEqual(new Set(['BF16']));
    expect(weights.info('model.layers.0.self_attn.q_proj.weight').shape).toEqual([16, 16]);
    await weights.close();
  }, 120_000);

  it('refuses --original for a base that is not quantized', async () => {
    const run = await runTunekit([
      'merge',
      ...['-m', base, '-a', join(work, 'adapter'), '-o', join(work, 'y'), '--original', base],
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error: --original compares a 4-bit base with the weights it was quantized from, but ${base} is not quantized (its config.json has no quantization_config)\n`,
    );
  });
});
