import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors/index.js';
import { HostTensor } from '../tensor/index.js';
import { loadWeights, readGenerationConfig, readHfConfig } from './hf-folder.js';
import { writeModelFolder } from './hf-folder-write.js';
import { ModelWeights } from './model-weights.js';
import { writeSafetensors } from './safetensors-write.js';
import { useTempDirs } from './test-utils.js';

const tempDir = useTempDirs();

const config = { model_type: 'llama', hidden_size: 4, tie_word_embeddings: false };

/** 16 + 16 + 8 + 8 bytes of f32 weights. */
function weights(): Map<string, HostTensor> {
  return new Map<string, HostTensor>([
    ['model.embed_tokens.weight', HostTensor.from('f32', [2, 2], [1, 2, 3, 4])],
    ['model.layers.0.mlp.up_proj.weight', HostTensor.from('f32', [4], [5, 6, 7, 8])],
    ['model.norm.weight', HostTensor.from('f32', [2], [1, 1])],
    ['lm_head.weight', HostTensor.from('f32', [2], [-1, 0.5])],
  ]);
}

function expectWeights(actual: Map<string, HostTensor>, expected: Map<string, HostTensor>) {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [name, t] of expected) {
    expect(actual.get(name)?.shape, name).toEqual(t.shape);
    expect(actual.get(name)?.toArray(), name).toEqual(t.toArray());
  }
}

async function expectUserError(promise: Promise<unknown>, ...mentions: string[]) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  for (const m of mentions) expect((error as Error).message).toContain(m);
}

describe('model folders', () => {
  it('writes and reads back a single-file folder with its tokenizer files', async () => {
    const source = await tempDir();
    await writeFile(join(source, 'tokenizer.json'), '{"model": {}}');
    await writeFile(join(source, 'special_tokens_map.json'), '{}');
    const dir = join(await tempDir(), 'out');

    const written = await writeModelFolder(dir, {
      config,
      weights: weights(),
      copyFrom: source,
      extraFiles: { 'generation_config.json': '{"eos_token_id": 2}' },
    });

    expect(written.sort()).toEqual(
      [
        'config.json',
        'generation_config.json',
        'model.safetensors',
        'special_tokens_map.json',
        'tokenizer.json',
      ].sort(),
    );
    expect((await readdir(dir)).sort()).toEqual(written.sort());
    expect(await readHfConfig(dir)).toEqual(config);
    expect(await readGenerationConfig(dir)).toEqual({ eos_token_id: 2 });
    expect(await readFile(join(dir, 'tokenizer.json'), 'utf8')).toBe('{"model": {}}');
    expectWeights(await loadWeights(dir), weights());

    const file = await ModelWeights.open(dir);
    expect(file.files[0].metadata).toEqual({ format: 'pt' });
    await file.close();
  });

  it('shards weights past maxShardBytes and reads them back through the index', async () => {
    const dir = await tempDir();
    const written = await writeModelFolder(dir, { config, weights: weights(), maxShardBytes: 32 });
    const shards = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
    expect(written).toEqual(['config.json', ...shards, 'model.safetensors.index.json']);

    const index = JSON.parse(await readFile(join(dir, 'model.safetensors.index.json'), 'utf8'));
    expect(index).toEqual({
      metadata: { total_size: 48 },
      weight_map: {
        'lm_head.weight': shards[1],
        'model.embed_tokens.weight': shards[0],
        'model.layers.0.mlp.up_proj.weight': shards[0],
        'model.norm.weight': shards[1],
      },
    });
    expectWeights(await loadWeights(dir), weights());
    expect(await readGenerationConfig(dir)).toBeUndefined();
  });

  it('removes the weight files of an earlier layout when rewriting a folder', async () => {
    const dir = await tempDir();
    await writeModelFolder(dir, { config, weights: weights(), maxShardBytes: 16 });
    await writeModelFolder(dir, { config, weights: weights() });
    expect((await readdir(dir)).sort()).toEqual(['config.json', 'model.safetensors']);
    await writeModelFolder(dir, { config, weights: weights(), maxShardBytes: 32 });
    expect(await readdir(dir)).not.toContain('model.safetensors');
    expectWeights(await loadWeights(dir), weights());
  });

  it('widens f16 and bf16 to f32 by default, and keeps them when asked', async () => {
    const dir = await tempDir();
    const half = new Map<string, HostTensor>([
      ['h', HostTensor.from('f16', [3], [0.5, -2, 6e-8])],
      ['b', HostTensor.from('bf16', [2], [3.140625, -1e30])],
      ['ids', HostTensor.from('i64', [2], [7, 9])],
    ]);
    await writeModelFolder(dir, { config, weights: half });

    const widened = await loadWeights(dir);
    expect(widened.get('h')?.dtype).toBe('f32');
    expect(widened.get('b')?.dtype).toBe('f32');
    expect(widened.get('ids')?.dtype).toBe('i64');
    expectWeights(widened, half);

    const stored = await loadWeights(dir, { dtype: 'stored' });
    expect(stored.get('h')?.data).toEqual(half.get('h')?.data);
    expect(stored.get('b')?.dtype).toBe('bf16');
  });
});

describe('model folders: bad input', () => {
  async function shardedFolder(): Promise<string> {
    const dir = await tempDir();
    await writeModelFolder(dir, { config, weights: weights(), maxShardBytes: 32 });
    return dir;
  }

  it('an index naming a missing shard', async () => {
    const dir = await shardedFolder();
    await rm(join(dir, 'model-00002-of-00002.safetensors'));
    await expectUserError(
      loadWeights(dir),
      'model.safetensors.index.json names shard model-00002-of-00002.safetensors, which is not in',
    );
  });

  it('an index pointing to a tensor its shard does not hold', async () => {
    const dir = await shardedFolder();
    const indexPath = join(dir, 'model.safetensors.index.json');
    const index = JSON.parse(await readFile(indexPath, 'utf8'));
    index.weight_map['model.layers.1.mlp.up_proj.weight'] = 'model-00001-of-00002.safetensors';
    index.weight_map['lm_head.weight'] = 'model-00001-of-00002.safetensors';
    await writeFile(indexPath, JSON.stringify(index));
    await expectUserError(
      loadWeights(dir),
      'puts tensor "lm_head.weight" in model-00001-of-00002.safetensors, but it is in',
    );
    delete index.weight_map['lm_head.weight'];
    await writeFile(indexPath, JSON.stringify(index));
    await expectUserError(
      loadWeights(dir),
      'puts tensor "model.layers.1.mlp.up_proj.weight" in model-00001-of-00002.safetensors, but no shard holds it',
    );
  });

  it('a tensor in two shards', async () => {
    const dir = await shardedFolder();
    await writeSafetensors(join(dir, 'model-00002-of-00002.safetensors'), {
      'model.norm.weight': HostTensor.from('f32', [2], [1, 1]),
      'model.embed_tokens.weight': HostTensor.from('f32', [1], [0]),
    });
    await expectUserError(loadWeights(dir), 'tensor "model.embed_tokens.weight" is in two shards');
  });

  it('an index that points outside the folder', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ weight_map: { w: '../elsewhere.safetensors' } }),
    );
    await expectUserError(loadWeights(dir), 'is not a file name inside the model folder');
  });

  it('a folder without safetensors weights, or no folder at all', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'pytorch_model.bin'), '');
    await expectUserError(
      loadWeights(dir),
      'no model.safetensors or model.safetensors.index.json',
      'pytorch_model.bin',
    );
    await expectUserError(loadWeights(join(dir, 'absent')), 'no such model folder');
    await expectUserError(readHfConfig(dir), 'config.json: file not found');
  });

  it('a config.json that is not a JSON object', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'config.json'), '{"model_type": ');
    await expectUserError(readHfConfig(dir), 'config.json: not valid JSON');
    await writeFile(join(dir, 'config.json'), '[]');
    await expectUserError(readHfConfig(dir), 'config.json: expected a JSON object');
  });
});
