import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readAdapterFolder } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { runTunekit, workDir } from './harness.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const work = await workDir('prompt-tuning');

describe('prompt tuning through the CLI', () => {
  it('trains `peft: {method: prompt_tuning}` from a TEXT init, and merge is refused with the reason', async () => {
    const config = join(work, 'prompt-tuning.yaml');
    const out = join(work, 'out');
    await writeFile(
      config,
      [
        `model: ${join(repo, 'models/tunekit-tiny-chat')}`,
        'backend: onnx',
        `train: ${join(repo, 'examples/quickstart/data/train.jsonl')}`,
        'template: chatml',
        'max_length: 64',
        'peft:',
        '  method: prompt_tuning',
        '  num_virtual_tokens: 8',
        '  prompt_tuning_init: TEXT',
        '  prompt_tuning_init_text: "Answer the question:"',
        '  tokenizer_name_or_path: tunekit-tiny-chat',
        `output_dir: ${out}`,
        'max_steps: 10',
        'per_device_train_batch_size: 8',
        'learning_rate: 3.0e-2',
        'logging_steps: 1',
        'save_steps: 10',
        'seed: 1',
      ].join('\n'),
    );
    const train = await runTunekit(['train', config]);
    expect(train.code, train.stderr).toBe(0);
    const losses = [...train.stdout.matchAll(/loss (\d+\.\d+)/g)].map((m) => Number(m[1]));
    expect(losses.length).toBe(10);
    expect(Math.min(...losses.slice(5))).toBeLessThan(losses[0]);

    const saved = JSON.parse(await readFile(join(out, 'adapter_config.json'), 'utf8'));
    expect(saved).toMatchObject({
      peft_type: 'PROMPT_TUNING',
      num_virtual_tokens: 8,
      token_dim: 128,
      num_transformer_submodules: 1,
      prompt_tuning_init: 'TEXT',
    });
    const { tensors } = await readAdapterFolder(out);
    expect([...tensors].map(([key, t]) => [key, t.shape])).toEqual([
      ['prompt_embeddings', [8, 128]],
    ]);

    const model = join(repo, 'models/tunekit-tiny-chat');
    const merge = await runTunekit(['merge', '-m', model, '-a', out, '-o', join(work, 'merged')]);
    expect(merge.code).not.toBe(0);
    expect(merge.stderr).toContain('nothing to merge');
  });
});
