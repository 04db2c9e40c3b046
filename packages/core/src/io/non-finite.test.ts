import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors/index.js';
import { HostTensor } from '../tensor/index.js';
import { loadWeights } from './hf-folder.js';
import { writeModelFolder } from './hf-folder-write.js';
import { countNonFinite } from './non-finite.js';
import { useTempDirs } from './test-utils.js';

const tempDir = useTempDirs();

const UP = 'model.layers.0.mlp.up_proj.weight';

describe('non-finite values', () => {
  it('counts NaN and ±Inf in f32, f16 and bf16, and nothing in finite extremes or integers', () => {
    const values = [1, Number.NaN, -0, Number.POSITIVE_INFINITY, 65504, Number.NEGATIVE_INFINITY];
    for (const dtype of ['f32', 'f16', 'bf16'] as const) {
      expect(countNonFinite(HostTensor.from(dtype, [6], values)), dtype).toBe(3);
      expect(countNonFinite(HostTensor.from(dtype, [2], [-65504, 1e-8])), dtype).toBe(0);
    }
    // f32's largest value is finite; its exponent is one below all ones
    expect(countNonFinite(HostTensor.from('f32', [1], [3.4028234663852886e38]))).toBe(0);
    expect(countNonFinite(new HostTensor('f32', [2], Float64Array.of(Number.NaN, 2)))).toBe(1);
    expect(countNonFinite(HostTensor.from('i32', [2], [2147483647, -1]))).toBe(0);
  });

  // before: a NaN weight loaded silently; `generate` printed an empty line and exited 0
  it.each(['f32', 'f16', 'bf16'] as const)(
    'loading %s weights with NaN/Inf fails naming the file, the tensor and the count',
    async (dtype) => {
      const dir = await tempDir();
      await writeModelFolder(dir, {
        config: { model_type: 'llama' },
        weights: new Map([
          ['model.norm.weight', HostTensor.from(dtype, [2], [1, 1])],
          [UP, HostTensor.from(dtype, [4], [Number.NaN, 1, Number.POSITIVE_INFINITY, Number.NaN])],
        ]),
      });
      const error = await loadWeights(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toBe(
        `${join(dir, 'model.safetensors')}: tensor ${UP} holds 3 non-finite values (NaN/Inf); ` +
          'pass --allow-nonfinite (allow_nonfinite: true in a training config) to load it anyway',
      );

      const warnings: string[] = [];
      const loaded = await loadWeights(dir, {
        allowNonfinite: true,
        warn: (m) => warnings.push(m),
      });
      expect(warnings).toEqual([
        `${join(dir, 'model.safetensors')}: tensor ${UP} holds 3 non-finite values (NaN/Inf); loading it anyway (--allow-nonfinite)`,
      ]);
      expect(loaded.get(UP)?.toArray()).toEqual([
        Number.NaN,
        1,
        Number.POSITIVE_INFINITY,
        Number.NaN,
      ]);
    },
  );

  it('names the shard that holds the tensor', async () => {
    const dir = await tempDir();
    await writeModelFolder(dir, {
      config: { model_type: 'llama' },
      weights: new Map([
        ['model.norm.weight', HostTensor.from('f32', [64], new Float32Array(64))],
        [UP, HostTensor.from('f32', [64], new Float32Array(64).fill(Number.NEGATIVE_INFINITY))],
      ]),
      maxShardBytes: 256,
    });
    await expect(loadWeights(dir)).rejects.toThrow(
      `${join(dir, 'model-00002-of-00002.safetensors')}: tensor ${UP} holds 64 non-finite values`,
    );
  });
});
