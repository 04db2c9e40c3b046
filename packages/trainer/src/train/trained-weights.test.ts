import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HostTensor } from '@tunekit/core';
import { prefixTuningMethod } from '@tunekit/peft-prefix';
import { describe, expect, it } from 'vitest';
import { tempDir, tinyLora } from './test-utils.js';
import { ADAPTER_TRAINING_STATE_FILE, adapterWeights } from './trained-weights.js';

/** The tiny Llama with LoRA ('default') and a prefix with projection ('task'), both active. */
function composed() {
  const { peft } = tinyLora({ init_lora_weights: false });
  peft.addAdapter('task', prefixTuningMethod, {
    num_virtual_tokens: 2,
    prefix_projection: true,
    encoder_hidden_size: 8,
    token_dim: 8,
    num_layers: 2,
    num_attention_heads: 1,
  });
  peft.setAdapter(['default', 'task']);
  return peft;
}

describe('adapterWeights of composed adapters', () => {
  it('checkpoints every trainable adapter in its own folder and restores each from it', async () => {
    const trained = composed();
    // other values than a fresh model's, as training leaves them
    for (const [, p] of trained.trainableParameters())
      p.value = HostTensor.from(
        'f32',
        p.shape,
        p.value.toArray().map((v, i) => v + 0.01 * (i % 7)),
      );
    const dir = await tempDir();
    await adapterWeights(trained).save(dir);
    // the projection's weights are trained but not in PEFT's file, so they are kept beside it
    expect(existsSync(join(dir, 'task', ADAPTER_TRAINING_STATE_FILE))).toBe(true);
    const restored = composed();
    await adapterWeights(restored).load(dir);
    for (const name of ['default', 'task'])
      expect([...restored.stateDict(name)].map(([k, t]) => [k, t.toArray()])).toEqual(
        [...trained.stateDict(name)].map(([k, t]) => [k, t.toArray()]),
      );
  });
});
