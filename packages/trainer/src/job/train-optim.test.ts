import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  corePlugins,
  createContainer,
  loadWeights,
  readSafetensorsHeader,
  UserError,
} from '@tunekit/core';
import { plugin as lora } from '@tunekit/peft-lora';
import { plugin as qlora } from '@tunekit/peft-qlora';
import { plugin as templates } from '@tunekit/templates';
import { afterAll, describe, expect, it } from 'vitest';
import { plugin as trainer } from '../plugin.js';
import { jobContainer, writeTinyModelFolder } from './test-utils.js';
import { parseTrainConfig } from './train-config.js';
import { trainFromConfig } from './train-from-config.js';

const work = await mkdtemp(join(tmpdir(), 'tunekit-train-optim-'));
afterAll(() => rm(work, { recursive: true, force: true }));

const withQlora = createContainer([...corePlugins, lora, qlora, templates, trainer]);
const line = (q: string, a: string) =>
  JSON.stringify({
    messages: [
      { role: 'user', content: q },
      { role: 'assistant', content: a },
    ],
  });

/** Full fine-tuning of the tiny model (its embedding, 259 x 16, has 8-bit states), seeded. */
async function run(
  name: string,
  optim: string,
  extra: Record<string, unknown> = {},
  stopAt?: number,
) {
  const dir = join(work, name);
  await writeTinyModelFolder(join(dir, 'model'));
  const lines = ['1+1?|2', '2+2?|4', '3+3?|6', '4+4?|8'].map((l) =>
    line(...(l.split('|') as [string, string])),
  );
  await writeFile(join(dir, 'train.jsonl'), `${lines.join('\n')}\n`);
  const container = optim === 'adamw_torch' || extra.noQlora ? jobContainer() : withQlora;
  const { noQlora: _, ...rest } = extra;
  const config = parseTrainConfig(
    {
      model: 'model',
      backend: 'reference',
      train: 'train.jsonl',
      template: 'chatml',
      max_length: 32,
      per_device_train_batch_size: 2,
      output_dir: join(dir, 'out'),
      max_steps: 4,
      learning_rate: 1e-2,
      weight_decay: 0.01,
      optim,
      save_strategy: 'no',
      logging_steps: 1,
      disable_tqdm: true,
      ...rest,
    },
    container,
  );
  const losses: number[] = [];
  const result = await trainFromConfig(config, {
    container,
    configDir: dir,
    print: () => {},
    callbacks: [
      {
        id: 'losses',
        onStepEnd: (state) => (state.step === stopAt ? { shouldTrainingStop: true } : undefined),
        onLog: (_, logs) => void (logs.loss !== undefined && losses.push(logs.loss)),
      },
    ],
  });
  return { dir, result, losses };
}

describe("optim by transformers' name", () => {
  it('names the package to install when the optimizer is not loaded', async () => {
    const failed = run('missing', 'paged_adamw_8bit', { noQlora: true });
    await expect(failed).rejects.toThrow(UserError);
    await expect(failed).rejects.toThrow(
      "optim 'paged_adamw_8bit' is in @tunekit/peft-qlora: npm install @tunekit/peft-qlora",
    );
  });

  it('paged_adamw_8bit trains, checkpoints its 8-bit state and resumes to the same weights', async () => {
    const straight = await run('straight', 'paged_adamw_8bit');
    const { losses } = straight;
    expect(losses.length).toBeGreaterThan(1);
    expect(losses.at(-1)).toBeLessThan(losses[0]);

    const saving = { save_steps: 2, save_strategy: 'steps' };
    const halted = await run('halted', 'paged_adamw_8bit', saving, 2);
    const ckpt = join(halted.dir, 'out', 'checkpoint-2');
    const { tensors } = await readSafetensorsHeader(join(ckpt, 'optimizer.safetensors'));
    const embed = 'model.embed_tokens.weight';
    expect(tensors.get(`${embed}.state1`)?.dtype).toBe('U8');
    expect(tensors.get(`${embed}.absmax2`)?.shape).toEqual([Math.ceil((259 * 16) / 256)]);
    expect(tensors.get('model.norm.weight.state1')?.dtype).toBe('F32'); // below min_8bit_size

    const resumed = await run('halted', 'paged_adamw_8bit', {
      ...saving,
      resume_from_checkpoint: ckpt,
    });
    expect(resumed.result.globalStep).toBe(4);
    expect([...halted.losses, ...resumed.losses]).toEqual(losses);
    const [a, b] = await Promise.all(
      [straight, resumed].map(async (r) => loadWeights(join(r.dir, 'out'))),
    );
    expect(b.get(embed)?.toArray()).toEqual(a.get(embed)?.toArray());
  });
});
