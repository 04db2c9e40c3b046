import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostTensor, loadWeights, readHfConfig, UserError, writeModelFolder } from '@tunekit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTinyLlamaFolder } from '../../test/e2e/tiny-model-folder.js';
import { trainConfigSchema } from '../config/train-config.js';
import { loadPlugins } from '../plugins/index.js';
import { runTraining } from './run-training.js';

const work = await mkdtemp(join(tmpdir(), 'tunekit-run-training-'));
const container = await loadPlugins();

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

// before: training started on a NaN weight and blamed the learning rate at step 1
describe('runTraining on weights holding NaN', () => {
  it('stops before training unless allow_nonfinite, which warns and goes on', async () => {
    const model = join(work, 'tiny-llama');
    await writeTinyLlamaFolder(model);
    const name = 'model.norm.weight';
    const weights = await loadWeights(model);
    weights.set(name, HostTensor.from('f32', [16], new Array(16).fill(Number.NaN)));
    await writeModelFolder(model, { config: await readHfConfig(model), weights });
    const run = async (allow: boolean) => {
      const config = trainConfigSchema(container).parse({
        model,
        backend: 'reference',
        train: 'absent.jsonl',
        output_dir: join(work, 'out'),
        allow_nonfinite: allow,
      });
      const warnings: string[] = [];
      const error = await runTraining(config, {
        configDir: work,
        configFile: join(work, 'train.yaml'),
        container,
        print: () => {},
        warn: (line) => warnings.push(line),
      }).catch((e: unknown) => e);
      return { error: error as Error, warnings };
    };
    const what = `${join(model, 'model.safetensors')}: tensor ${name} holds 16 non-finite values (NaN/Inf)`;

    const refused = await run(false);
    expect(refused.error).toBeInstanceOf(UserError);
    expect(refused.error.message).toContain(`${what}; pass --allow-nonfinite`);

    const allowed = await run(true);
    expect(allowed.warnings).toEqual([`warning: ${what}; loading it anyway (--allow-nonfinite)`]);
    // it went on to the data, which this test leaves out
    expect(allowed.error.message).toContain('absent.jsonl');
  });
});
