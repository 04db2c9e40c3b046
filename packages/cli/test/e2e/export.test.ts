import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluate, loadCausalLM, Tokenizer, traceLogits } from '@tunekit/core';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTunekit } from './run-tunekit.js';
import { writeTinyLlamaFolder } from './tiny-model-folder.js';

const loraFixtures = fileURLToPath(new URL('../../../peft-lora/test/fixtures/', import.meta.url));

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tunekit-cli-export-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Logits [B, T, V] of `ids` (no past) from `dir`/onnx/model.onnx in a plain onnxruntime session. */
async function onnxLogits(
  dir: string,
  ids: number[][],
  cache: { layers: number; kvHeads: number; headDim: number },
) {
  const session = await ort.InferenceSession.create(join(dir, 'onnx', 'model.onnx'));
  try {
    const [batch, seq] = [ids.length, ids[0].length];
    const int64 = (rows: number[][]) =>
      new ort.Tensor('int64', BigInt64Array.from(rows.flat(), BigInt), [batch, seq]);
    const feeds: Record<string, ort.Tensor> = {
      input_ids: int64(ids),
      attention_mask: int64(ids.map((row) => row.map(() => 1))),
      position_ids: int64(ids.map((row) => row.map((_, t) => t))),
    };
    const empty = new ort.Tensor('float32', new Float32Array(0), [
      batch,
      cache.kvHeads,
      0,
      cache.headDim,
    ]);
    for (let i = 0; i < cache.layers; i++) {
      feeds[`past_key_values.${i}.key`] = empty;
      feeds[`past_key_values.${i}.value`] = empty;
    }
    const { logits } = await session.run(feeds);
    return Array.from(logits.data as Float32Array);
  } finally {
    await session.release();
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

describe('tunekit export', () => {
  it('writes onnx/model.onnx below config and tokenizer files, where transformers.js and Optimum look', async () => {
    const folder = join(work, 'tiny-llama');
    await writeTinyLlamaFolder(folder);
    const out = join(work, 'onnx');
    const run = await runTunekit(['export', '--model', folder, '--format', 'onnx', '--out', out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `exported ${folder} as onnx: wrote onnx/model.onnx, config.json, tokenizer.json, tokenizer_config.json to ${out}\n`,
    );
    // transformers.js' default subfolder is `onnx`; Optimum finds the one *.onnx below the folder
    expect((await readdir(out)).sort()).toEqual([
      'config.json',
      'onnx',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    expect(await readdir(join(out, 'onnx'))).toEqual(['model.onnx']);
    for (const file of ['tokenizer.json', 'tokenizer_config.json'])
      expect(await readFile(join(out, file))).toEqual(await readFile(join(folder, file)));
    expect(JSON.parse(await readFile(join(out, 'config.json'), 'utf8'))).toEqual({
      ...JSON.parse(await readFile(join(folder, 'config.json'), 'utf8')),
      'transformers.js_config': { dtype: 'fp32' },
    });

    // the exported model computes what the library computes for the folder
    const ids = [(await Tokenizer.fromFolder(out)).encode('Hello, world')];
    const { model } = await loadCausalLM(folder);
    const traced = traceLogits(model, { batch: 1, seq: ids[0].length });
    const expected = (await evaluate(traced.graph, traced.feeds(ids))).logits.toFloat64();
    const { numLayers: layers, numKeyValueHeads: kvHeads, headDim } = model.shape;
    const got = await onnxLogits(out, ids, { layers, kvHeads, headDim });
    expect(maxAbsDiff(got, expected)).toBeLessThan(1e-4);
  });

  it('merges a LoRA adapter first: the logits are the adapted model’s (PyTorch golden values)', async () => {
    const out = join(work, 'onnx-lora');
    const run = await runTunekit([
      'export',
      '--model',
      join(loraFixtures, 'tiny-llama'),
      '--adapter',
      join(loraFixtures, 'lora'),
      '--format',
      'onnx',
      '--out',
      out,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`with ${join(loraFixtures, 'lora')} merged in`);
    // the merged model's temporary folder is gone
    expect((await readdir(work)).filter((name) => name.startsWith('.tunekit-merge-'))).toEqual([]);
    const golden = JSON.parse(
      await readFile(join(loraFixtures, 'lora', 'golden.json'), 'utf8'),
    ) as {
      input_ids: number[][];
      logits: { data: number[] };
    };
    const got = await onnxLogits(out, golden.input_ids, { layers: 2, kvHeads: 2, headDim: 4 });
    expect(maxAbsDiff(got, golden.logits.data)).toBeLessThan(1e-4);
  });

  it('never writes into the model folder, and refuses an --out holding files unless --overwrite', async () => {
    const folder = join(work, 'base-model');
    await writeTinyLlamaFolder(folder);
    const intoBase = await runTunekit([
      'export',
      '-m',
      folder,
      '-o',
      join(folder, '..', 'base-model'),
    ]);
    expect(intoBase.code).toBe(1);
    expect(intoBase.stderr).toMatch(
      /^error: --out: .*base-model is the input folder .*base-model;/,
    );
    const occupied = join(work, 'occupied');
    await mkdir(occupied);
    await writeFile(join(occupied, 'notes.txt'), 'mine');
    const taken = await runTunekit(['export', '-m', folder, '-o', occupied]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toBe(
      `error: --out: ${occupied} already holds files (notes.txt); pass --overwrite to replace them, or name an empty folder\n`,
    );
    expect(await readdir(occupied)).toEqual(['notes.txt']);
    expect(await readdir(folder)).toEqual(
      expect.arrayContaining(['config.json', 'model.safetensors']),
    );
  }, 60_000);

  it('accepts only the onnx format', async () => {
    const run = await runTunekit([
      'export',
      '--model',
      work,
      '--format',
      'gguf',
      '--out',
      join(work, 'x'),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("argument 'gguf' is invalid. Allowed choices are onnx.");
  });
});
