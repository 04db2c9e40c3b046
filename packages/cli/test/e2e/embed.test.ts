import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readSafetensorsHeader } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { examplesDir, jsonl, readJson, train, tunekitOk, workDir } from './harness.js';

const work = await workDir('embed');

describe('examples/embed.yaml (FEATURE_EXTRACTION) and tunekit embed', () => {
  it('finds answers better than the base model, saves PEFT’s keys and embeds a file as .npy', async () => {
    const { out, before, after } = await train(
      join(examplesDir, 'embed.yaml'),
      join(work, 'embed'),
    );
    expect(after['eval_recall@1']).toBeGreaterThan(before['eval_recall@1'] + 0.05);
    expect(after.eval_mrr).toBeGreaterThan(before.eval_mrr + 0.1);

    const adapter = await readJson(join(out, 'adapter_config.json'));
    expect(adapter.task_type).toBe('FEATURE_EXTRACTION');
    // AutoModel (LlamaModel) has no `model.` level, so PEFT's keys have none either
    const header = await readSafetensorsHeader(join(out, 'adapter_model.safetensors'));
    expect(
      header.tensors.get('base_model.model.layers.0.self_attn.q_proj.lora_A.weight')?.shape,
    ).toEqual([8, 128]);
    expect([...header.tensors.keys()].some((k) => k.startsWith('base_model.model.model.'))).toBe(
      false,
    );

    const texts = join(work, 'texts.jsonl');
    await writeFile(
      texts,
      jsonl(['What is 2 + 3?', 'The answer is 5.', 'The answer is 71.'].map((text) => ({ text }))),
    );
    const npy = join(work, 'vectors.npy');
    // the same texts as .npy and as JSON Lines, embedded side by side
    const [, asJsonl] = await Promise.all([
      tunekitOk(['embed', '--adapter', out, texts, '--output', npy]),
      tunekitOk(['embed', '--adapter', out, texts]),
    ]);
    const bytes = await readFile(npy);
    const headerLength = bytes.readUInt16LE(8);
    expect(bytes.subarray(10, 10 + headerLength).toString('latin1')).toContain("'shape': (3, 128)");
    const values = new Float32Array(
      bytes.buffer.slice(bytes.byteOffset + 10 + headerLength, bytes.byteOffset + bytes.length),
    );
    const row = (r: number) => values.subarray(r * 128, (r + 1) * 128);
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);
    expect(dot(row(0), row(0))).toBeCloseTo(1, 4);
    // the question lies nearer its answer than another number's
    expect(dot(row(0), row(1))).toBeGreaterThan(dot(row(0), row(2)));

    const first = JSON.parse(asJsonl.stdout.split('\n')[0]) as {
      text: string;
      embedding: number[];
    };
    expect(first.text).toBe('What is 2 + 3?');
    expect(first.embedding[0]).toBeCloseTo(row(0)[0], 5);
  }, 480_000);
});
