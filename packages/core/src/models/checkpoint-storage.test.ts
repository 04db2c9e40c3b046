import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSafetensors } from '../io/index.js';
import { Linear, Parameter } from '../nn/index.js';
import { HostTensor } from '../tensor/index.js';
import type { CausalLM } from './causal-lm.js';
import type { StoresCheckpointTensors } from './checkpoint-storage.js';
import { loadCausalLM } from './load.js';
import { randomModel, tinyLlamaConfig } from './test-utils.js';

/** A Linear that keeps its checkpoint weight as i32 (rounded * 100) and counts what it was handed. */
class RoundedLinear extends Linear implements StoresCheckpointTensors {
  readonly handed: string[] = [];
  constructor(inFeatures: number, outFeatures: number) {
    super(inFeatures, outFeatures);
    this.addParameter('weight.rounded', Parameter.zeros([outFeatures * inFeatures], 'i32'));
  }
  storeCheckpointTensor(local: string, tensor: HostTensor): ReadonlyMap<string, HostTensor> {
    this.handed.push(`${local}:${tensor.dtype}`);
    const rounded = Array.from(tensor.toFloat64(), (v) => Math.round(v * 100));
    return new Map([
      [local, tensor],
      [`${local}.rounded`, HostTensor.from('i32', [rounded.length], rounded)],
    ]);
  }
}

const config = tinyLlamaConfig();
const source = randomModel(config);
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** A model folder of `source`'s weights, under `model.` or bare (a base-model checkpoint). */
async function folder(bare: boolean): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tunekit-storage-'));
  dirs.push(dir);
  const tensors = new Map(
    [...source.stateDict()].map(([k, t]) => [bare ? k.replace(/^model\./, '') : k, t]),
  );
  if (bare) tensors.delete('lm_head.weight');
  await writeFile(
    join(dir, 'config.json'),
    JSON.stringify({ ...config, tie_word_embeddings: bare }),
  );
  await writeSafetensors(join(dir, 'model.safetensors'), tensors);
  return dir;
}

describe('modules that store their checkpoint tensors (load_in_4bit)', () => {
  for (const bare of [false, true]) {
    it(`are handed their tensors as they stream in${bare ? ', from a checkpoint without the base-model prefix' : ''}`, async () => {
      let swapped: RoundedLinear | undefined;
      const quantize = (model: CausalLM) => {
        swapped = new RoundedLinear(16, 24);
        model.setModule('model.layers.1.mlp.up_proj', swapped);
      };
      const { model } = await loadCausalLM(await folder(bare), { quantize });
      expect(swapped?.handed).toEqual(['weight:f32']);
      const up = source.stateDict().get('model.layers.1.mlp.up_proj.weight') as HostTensor;
      const stored = model.stateDict();
      expect(stored.get('model.layers.1.mlp.up_proj.weight.rounded')?.toArray()).toEqual(
        Array.from(up.toFloat64(), (v) => Math.round(v * 100) | 0),
      );
      expect(stored.get('model.layers.0.mlp.up_proj.weight')?.data).toEqual(
        source.stateDict().get('model.layers.0.mlp.up_proj.weight')?.data,
      );
    });
  }
});
