import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readAdapterFolder } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { runTunekit, workDir } from './harness.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const model = join(repo, 'models/tunekit-tiny-chat');
const work = await workDir('prefix-tuning');

describe('prefix tuning through the CLI', () => {
  it('trains `peft: {method: prefix_tuning}` with projection, chats with it, exports it to ONNX, and refuses to merge it', async () => {
    const config = join(work, 'prefix-tuning.yaml');
    const out = join(work, 'out');
    await writeFile(
      config,
      [
        `model: ${model}`,
        'backend: onnx',
        `train: ${join(repo, 'examples/quickstart/data/train.jsonl')}`,
        'template: chatml',
        'max_length: 48',
        'peft:',
        '  method: prefix_tuning',
        '  num_virtual_tokens: 6',
        '  prefix_projection: true',
        `output_dir: ${out}`,
        'max_steps: 8',
        'per_device_train_batch_size: 8',
        'learning_rate: 1.0e-2',
        'logging_steps: 1',
        'save_steps: 8',
        'seed: 1',
      ].join('\n'),
    );
    const train = await runTunekit(['train', config]);
    expect(train.code, train.stderr).toBe(0);
    const losses = [...train.stdout.matchAll(/loss (\d+\.\d+)/g)].map((m) => Number(m[1]));
    expect(losses.length).toBe(8);
    expect(Math.min(...losses.slice(4))).toBeLessThan(losses[0]);

    // tunekit-tiny-chat: 4 layers, 2 key/value heads of 32 (GQA), so token_dim 64
    const saved = JSON.parse(await readFile(join(out, 'adapter_config.json'), 'utf8'));
    expect(saved).toMatchObject({
      peft_type: 'PREFIX_TUNING',
      num_virtual_tokens: 6,
      token_dim: 64,
      num_attention_heads: 2,
      num_layers: 4,
      encoder_hidden_size: 64,
      prefix_projection: true,
    });
    const { tensors } = await readAdapterFolder(out);
    expect([...tensors].map(([key, t]) => [key, t.shape])).toEqual([
      ['prompt_embeddings', [6, 4 * 2 * 64]],
    ]);

    // generation holds the prefix in the KV cache
    const chat = await runTunekit(['chat', '-m', model, '-a', out, '--max-new-tokens', '4'], {
      input: 'What is 2 + 2?\n/exit\n',
    });
    expect(chat.code, chat.stderr).toBe(0);
    expect(chat.stdout.split('\n')).toHaveLength(2); // one answer and the final newline's ''

    const exported = join(work, 'onnx');
    const run = await runTunekit(['export', '-m', model, '-a', out, '-o', exported]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('onnx/model.onnx');

    const merge = await runTunekit(['merge', '-m', model, '-a', out, '-o', join(work, 'merged')]);
    expect(merge.code).not.toBe(0);
    expect(merge.stderr).toContain('nothing to merge');
  });
});
