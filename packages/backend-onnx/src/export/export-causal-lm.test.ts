import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildCausalLM,
  type CausalLM,
  evaluate,
  HostTensor,
  loadCausalLM,
  randomNormal,
  readHfConfig,
  seededRandom,
  traceLogits,
} from '@tunekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxProto } from '../onnx-proto.js';
import { exportCausalLMToOnnx } from './export-causal-lm.js';
import { logitsAt, maxAbsDiff, OrtCausalLM } from './ort-causal-lm.test-utils.js';

const fixtures = fileURLToPath(new URL('../../../core/test/fixtures/models/', import.meta.url));

interface Golden {
  readonly input_ids: { readonly shape: number[]; readonly data: number[] };
  readonly logits: { readonly shape: number[]; readonly data: number[] };
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tunekit-onnx-export-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Exports a fixture folder and opens the file in a plain onnxruntime session. */
async function exportFixture(name: string, externalData?: boolean) {
  const folder = join(fixtures, name);
  const { model } = await loadCausalLM(folder);
  const outDir = join(work, `${name}${externalData ? '-external' : ''}`);
  const files = await exportCausalLMToOnnx({
    model,
    config: await readHfConfig(folder),
    outDir,
    sourceFolder: folder,
    externalData,
  });
  const golden = JSON.parse(await readFile(join(folder, 'golden.json'), 'utf8')) as Golden;
  const ids = [0, 1].map((r) => golden.input_ids.data.slice(r * 7, r * 7 + 7));
  const expected = { dims: golden.logits.shape, data: golden.logits.data };
  return { model, outDir, files, ids, expected, session: await openSession(outDir, model) };
}

function openSession(dir: string, model: CausalLM): Promise<OrtCausalLM> {
  const { numLayers: layers, numKeyValueHeads: kvHeads, headDim } = model.shape;
  return OrtCausalLM.open(join(dir, 'onnx', 'model.onnx'), { layers, kvHeads, headDim });
}

/** Greatest difference between `got` at (row, t) and `expected` at (row, expectedT(t)). */
function errorAt(
  got: { dims: readonly number[]; data: unknown },
  expected: { dims: readonly number[]; data: unknown },
  cells: readonly [row: number, t: number, expectedRow: number, expectedT: number][],
): number {
  return Math.max(
    ...cells.map(([r, t, er, et]) => maxAbsDiff(logitsAt(got, r, t), logitsAt(expected, er, et))),
  );
}

const allCells = (rows: number, seq: number, offset = 0) =>
  Array.from({ length: rows * seq }, (_, i) => {
    const [r, t] = [Math.floor(i / seq), i % seq];
    return [r, t, r, t + offset] as [number, number, number, number];
  });

describe.each(['tiny-llama', 'tiny-gpt2'])('ONNX export of %s (plain onnxruntime)', (name) => {
  let fixture: Awaited<ReturnType<typeof exportFixture>>;
  beforeAll(async () => {
    fixture = await exportFixture(name);
  });
  afterAll(() => fixture.session.release());

  it('gives the golden logits for a whole prompt with no past (past length 0)', async () => {
    const { logits } = await fixture.session.step({ ids: fixture.ids });
    expect(logits.dims).toEqual([2, 7, 300]);
    expect(errorAt(logits, fixture.expected, allCells(2, 7))).toBeLessThan(1e-4);
  });

  it('decodes through the cache: present fed back as past gives the same logits', async () => {
    const { session, ids, expected } = fixture;
    const prefill = await session.step({ ids: ids.map((row) => row.slice(0, 4)) });
    const chunk = await session.step({
      ids: ids.map((row) => row.slice(4, 6)),
      past: prefill.present,
    });
    expect(chunk.present[0].key.dims[2]).toBe(6);
    const last = await session.step({ ids: ids.map((row) => row.slice(6)), past: chunk.present });
    expect(last.present[1].value.dims[2]).toBe(7);
    expect(errorAt(prefill.logits, expected, allCells(2, 4))).toBeLessThan(1e-4);
    expect(errorAt(chunk.logits, expected, allCells(2, 2, 4))).toBeLessThan(1e-4);
    expect(errorAt(last.logits, expected, allCells(2, 1, 6))).toBeLessThan(1e-4);
  });

  it('runs a left-padded batch through attention_mask, then a decode step', async () => {
    const { session, ids, expected } = fixture;
    // row 0: 6 tokens; row 1: 3 padding slots, then its first 3 tokens
    const pad = 0;
    const prompt = [ids[0].slice(0, 6), [pad, pad, pad, ...ids[1].slice(0, 3)]];
    const mask = [Array(6).fill(1), [0, 0, 0, 1, 1, 1]];
    const positions = [
      [0, 1, 2, 3, 4, 5],
      [1, 1, 1, 0, 1, 2],
    ];
    const prefill = await session.step({ ids: prompt, mask, positions });
    const step = await session.step({
      ids: [[ids[0][6]], [ids[1][3]]],
      mask: mask.map((row) => [...row, 1]),
      positions: [[6], [3]],
      past: prefill.present,
    });
    const real: [number, number, number, number][] = [
      ...allCells(1, 6),
      [1, 3, 1, 0],
      [1, 4, 1, 1],
      [1, 5, 1, 2],
    ];
    expect(errorAt(prefill.logits, expected, real)).toBeLessThan(1e-4);
    const next: [number, number, number, number][] = [
      [0, 0, 0, 6],
      [1, 0, 1, 3],
    ];
    expect(errorAt(step.logits, expected, next)).toBeLessThan(1e-4);
  });

  it('names inputs and outputs as Optimum does, with symbolic batch, sequence and past axes', async () => {
    const bytes = await readFile(join(fixture.outDir, 'onnx', 'model.onnx'));
    const graph = OnnxProto.ModelProto.decode(bytes).graph as InstanceType<
      typeof OnnxProto.GraphProto
    >;
    const dims = (infos: typeof graph.input) =>
      Object.fromEntries(
        infos.map((i) => [
          i.name,
          (i.type?.tensorType?.shape?.dim ?? []).map((d) => d.dimParam || Number(d.dimValue)),
        ]),
      );
    const { numKeyValueHeads: h, headDim: d } = fixture.model.shape;
    const cache = (length: string) => ['batch_size', h, length, d];
    expect(dims(graph.input)).toEqual({
      input_ids: ['batch_size', 'sequence_length'],
      attention_mask: ['batch_size', 'past_sequence_length + sequence_length'],
      position_ids: ['batch_size', 'sequence_length'],
      'past_key_values.0.key': cache('past_sequence_length'),
      'past_key_values.0.value': cache('past_sequence_length'),
      'past_key_values.1.key': cache('past_sequence_length'),
      'past_key_values.1.value': cache('past_sequence_length'),
    });
    const present = cache('past_sequence_length + sequence_length');
    expect(dims(graph.output)).toEqual({
      logits: ['batch_size', 'sequence_length', 300],
      'present.0.key': present,
      'present.0.value': present,
      'present.1.key': present,
      'present.1.value': present,
    });
    const types = graph.input.map((i) => i.type?.tensorType?.elemType);
    expect(types).toEqual([7, 7, 7, 1, 1, 1, 1]); // int64 ids, mask, positions; float32 cache
  });

  it('lays the folder out as transformers.js and Optimum load it with no options', async () => {
    // transformers.js reads `onnx/model.onnx` (its default subfolder, and fp32's file name) and
    // config.json at the top; Optimum finds the one *.onnx below the folder and config.json at the top
    expect(fixture.files).toEqual(['onnx/model.onnx', 'config.json', 'generation_config.json']);
    expect((await readdir(fixture.outDir)).sort()).toEqual([
      'config.json',
      'generation_config.json',
      'onnx',
    ]);
    expect(await readdir(join(fixture.outDir, 'onnx'))).toEqual(['model.onnx']);
    const config = JSON.parse(await readFile(join(fixture.outDir, 'config.json'), 'utf8'));
    expect(config).toEqual({
      ...(await readHfConfig(join(fixtures, name))),
      'transformers.js_config': { dtype: 'fp32' },
    });
  });
});

describe('ONNX export', () => {
  it('stores the weights in model.onnx_data when asked (ONNX external data)', async () => {
    const fixture = await exportFixture('tiny-gpt2', true);
    try {
      expect(fixture.files).toEqual([
        'onnx/model.onnx',
        'onnx/model.onnx_data',
        'config.json',
        'generation_config.json',
      ]);
      // transformers.js fetches onnx/model.onnx_data only when config.json says so
      const config = JSON.parse(await readFile(join(fixture.outDir, 'config.json'), 'utf8'));
      expect(config['transformers.js_config']).toEqual({
        dtype: 'fp32',
        use_external_data_format: true,
      });
      const { logits } = await fixture.session.step({ ids: fixture.ids });
      expect(errorAt(logits, fixture.expected, allCells(2, 7))).toBeLessThan(1e-4);
    } finally {
      await fixture.session.release();
    }
  });

  it('keeps a sliding window (Mistral) at every length, also where it hides nothing', async () => {
    // a window of 12 hides keys in some of the traced sizes and not in others
    const model = randomModel({
      model_type: 'mistral',
      vocab_size: 32,
      hidden_size: 16,
      intermediate_size: 24,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      sliding_window: 12,
    });
    const outDir = join(work, 'mistral');
    await exportCausalLMToOnnx({ model, config: { model_type: 'mistral' }, outDir });
    const session = await openSession(outDir, model);
    try {
      const ids = [[1, 7, 3, 9, 4, 2, 8, 5, 6, 11, 30, 12, 17, 19, 23]];
      const traced = traceLogits(model, { batch: 1, seq: ids[0].length });
      const { logits } = await evaluate(traced.graph, traced.feeds(ids));
      const reference = { dims: logits.shape, data: logits.data };
      const prefill = await session.step({ ids: [ids[0].slice(0, 10)] });
      const rest = await session.step({ ids: [ids[0].slice(10)], past: prefill.present });
      expect(errorAt(prefill.logits, reference, allCells(1, 10))).toBeLessThan(1e-4);
      expect(errorAt(rest.logits, reference, allCells(1, 5, 10))).toBeLessThan(1e-4);
    } finally {
      await session.release();
    }
  });

  it('names the op when a constant other than an int64 shape value follows the sizes', async () => {
    const model = randomModel(tinyLlama);
    // adds the sequence length as an f32 scalar: no shape value, so no formula can replace it
    const shifted = withForward(model, (ctx, inputs) => {
      const out = model.forward(ctx, inputs);
      return { ...out, logits: out.logits.add(inputs.input_ids.dim(1)) };
    });
    const outDir = join(work, 'bad');
    await expect(exportCausalLMToOnnx({ model: shifted, config: {}, outDir })).rejects.toThrow(
      /constant '\w+' \(f32 \[\], feeding Add '\w+'\) changes with the batch, sequence or past length; only int64 shape values may/,
    );
  });

  it('says so when the model takes a different path at different sizes', async () => {
    const model = randomModel(tinyLlama);
    const branching = withForward(model, (ctx, inputs) => {
      const out = model.forward(ctx, inputs);
      return inputs.input_ids.dim(1) > 4 ? { ...out, logits: out.logits.neg() } : out;
    });
    await expect(
      exportCausalLMToOnnx({ model: branching, config: {}, outDir: join(work, 'bad') }),
    ).rejects.toThrow(
      /the graphs traced at batch 2, sequence 4, past 6 and at batch 2, sequence 5, past 6 differ at node \d+ \(Identity 'logits' vs Neg '\w+'\): the model takes a different path/,
    );
  });
});

const tinyLlama = {
  model_type: 'llama',
  vocab_size: 32,
  hidden_size: 16,
  intermediate_size: 24,
  num_hidden_layers: 1,
  num_attention_heads: 2,
};

/** The model with its forward replaced (the module tree, and so the weights, stay its own). */
function withForward(model: CausalLM, forward: CausalLM['forward']): CausalLM {
  return Object.assign(Object.create(model) as CausalLM, { forward });
}

function randomModel(config: Record<string, unknown>): CausalLM {
  const { model } = buildCausalLM(config);
  const random = seededRandom(3);
  for (const [, p] of model.namedParameters()) {
    p.value = HostTensor.from(
      'f32',
      p.shape,
      randomNormal(p.value.size, random).map((v) => v * 0.3),
    );
  }
  return model;
}
