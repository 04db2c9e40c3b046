import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  evaluate,
  Generator,
  GraphBuilder,
  HostTensor,
  ReferenceBackend,
  TraceContext,
} from '../src/index.js';
import { type CausalLM, loadCausalLM } from '../src/models/index.js';

// Tiny random Hugging Face folders (Llama with GQA, tied embeddings and llama3 rope scaling, the same
// with bf16 weights, Qwen2 with q/k/v biases, GPT-2) and their logits and greedy continuations from an
// independent PyTorch implementation, written by scripts/golden/make_model_folders.py (its docstring
// says how to re-run it). Each folder is loaded through the public loader and run on the reference
// backend in f32.

interface Golden {
  input_ids: { shape: [number, number]; data: number[] };
  logits: { shape: number[]; data: number[] };
  greedy: { prompt: number[]; tokens: number[] };
}

const FOLDERS = ['tiny-llama', 'tiny-llama-bf16', 'tiny-qwen2', 'tiny-gpt2'];

const folder = (name: string) =>
  fileURLToPath(new URL(`./fixtures/models/${name}`, import.meta.url));
const readJson = (name: string, file: string) =>
  JSON.parse(readFileSync(`${folder(name)}/${file}`, 'utf8'));

/** Logits [B, T, vocab] of rows of token ids at positions 0..T-1: model.forward traced, no cache. */
async function logitsOf(
  model: CausalLM,
  rows: readonly (readonly number[])[],
): Promise<HostTensor> {
  const shape = [rows.length, rows[0].length];
  const b = new GraphBuilder();
  const ctx = new TraceContext(b, model);
  const { logits } = model.forward(ctx, {
    input_ids: b.input('input_ids', shape, 'i32'),
    position_ids: b.input('position_ids', shape, 'i32'),
  });
  const out = await evaluate(b.build({ logits }), {
    ...ctx.weights(),
    input_ids: HostTensor.from('i32', shape, rows.flat()),
    position_ids: HostTensor.from(
      'i32',
      shape,
      rows.flatMap((row) => row.map((_, t) => t)),
    ),
  });
  return out.logits;
}

/** Greedy decoding as the golden script does it: argmax of the last position, all recomputed each step. */
async function greedyByRecomputation(model: CausalLM, prompt: readonly number[], steps: number) {
  const ids = [...prompt];
  const vocab = model.shape.vocabSize;
  for (let step = 0; step < steps; step++) {
    const last = (await logitsOf(model, [ids])).toFloat64().slice(-vocab);
    ids.push(last.indexOf(Math.max(...last)));
  }
  return ids.slice(prompt.length);
}

describe.each(FOLDERS)('%s loaded from its folder, against PyTorch', (name) => {
  const golden: Golden = readJson(name, 'golden.json');
  let model: CausalLM;

  beforeAll(async () => {
    model = (await loadCausalLM(folder(name))).model;
  });

  it('gives the golden logits (max abs error < 1e-4)', async () => {
    const { shape, data } = golden.input_ids;
    const rows = [data.slice(0, shape[1]), data.slice(shape[1])];
    const logits = await logitsOf(model, rows);
    expect(logits.shape).toEqual(golden.logits.shape);
    const actual = logits.toFloat64();
    const err = Math.max(...golden.logits.data.map((g, i) => Math.abs(actual[i] - g)));
    expect(err).toBeLessThan(1e-4);
  });

  it('gives the golden greedy continuation, recomputing every step', async () => {
    const { prompt, tokens } = golden.greedy;
    expect(await greedyByRecomputation(model, prompt, tokens.length)).toEqual(tokens);
  });

  it('gives the golden greedy continuation through the Generator with a KV cache, left-padded in a batch', async () => {
    const { prompt, tokens } = golden.greedy;
    // a longer second prompt, so the golden one is left-padded
    const longer = [...prompt, ...prompt.slice(0, 3)].map(
      (t) => (t * 7 + 1) % model.shape.vocabSize,
    );
    const generator = new Generator(model, new ReferenceBackend({ precision: 'f32' }), {
      maxLength: 32,
      promptBucket: 1,
    });
    const { eos_token_id } = readJson(name, 'generation_config.json');
    const rows = await generator.generate([prompt, longer], {
      max_new_tokens: tokens.length,
      eos_token_id,
    });
    generator.dispose();
    expect(rows[0].tokens).toEqual(tokens);
    // the second row stops at an eos id if it meets one (the golden row is made to meet none)
    const eos = new Set([eos_token_id].flat());
    const expected = await greedyByRecomputation(model, longer, tokens.length);
    const end = expected.findIndex((t) => eos.has(t));
    expect(rows[1].tokens).toEqual(end < 0 ? expected : expected.slice(0, end + 1));
  });
});
