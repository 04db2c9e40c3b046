import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readAdapterFolder } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { runTunekit, workDir } from './harness.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const work = await workDir('p-tuning');

/** A P-tuning run of 4 steps with a checkpoint every 2, into `out`. */
async function writeConfig(name: string, out: string, extra: string[] = []): Promise<string> {
  const config = join(work, name);
  await writeFile(
    config,
    [
      `model: ${join(repo, 'models/tunekit-tiny-chat')}`,
      'backend: onnx',
      `train: ${join(repo, 'examples/quickstart/data/train.jsonl')}`,
      'template: chatml',
      'max_length: 64',
      'peft:',
      '  method: p_tuning',
      '  num_virtual_tokens: 4',
      '  encoder_hidden_size: 32',
      `output_dir: ${out}`,
      'max_steps: 4',
      'per_device_train_batch_size: 4',
      'learning_rate: 1.0e-2',
      'logging_steps: 1',
      'save_steps: 2',
      'seed: 3',
      ...extra,
    ].join('\n'),
  );
  return config;
}

describe('P-tuning through the CLI', () => {
  it("trains `peft: {method: p_tuning}`, saves PEFT's format, and resumes a checkpoint exactly", async () => {
    const out = join(work, 'out');
    const train = await runTunekit(['train', await writeConfig('p-tuning.yaml', out)]);
    expect(train.code, train.stderr).toBe(0);
    const saved = JSON.parse(await readFile(join(out, 'adapter_config.json'), 'utf8'));
    expect(saved).toMatchObject({
      peft_type: 'P_TUNING',
      num_virtual_tokens: 4,
      token_dim: 128,
      encoder_reparameterization_type: 'MLP',
      encoder_hidden_size: 32,
    });
    const { tensors } = await readAdapterFolder(out);
    expect([...tensors].map(([key, t]) => [key, t.shape])).toEqual([
      ['prompt_embeddings', [4, 128]],
    ]);
    // PEFT's file holds the encoder's output only; the checkpoint also keeps the encoder itself
    expect(await readdir(join(out, 'checkpoint-2'))).toContain(
      'adapter_training_state.safetensors',
    );

    const resumed = join(work, 'resumed');
    const again = await runTunekit([
      'train',
      await writeConfig('resumed.yaml', resumed, [
        `resume_from_checkpoint: ${join(out, 'checkpoint-2')}`,
      ]),
    ]);
    expect(again.code, again.stderr).toBe(0);
    const final = (await readAdapterFolder(resumed)).tensors.get('prompt_embeddings');
    expect(final?.toArray()).toEqual(tensors.get('prompt_embeddings')?.toArray());
  });
});
