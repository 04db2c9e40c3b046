import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCheckpoint, writeCheckpointManifest } from './checkpoint-manifest.js';
import { tempDir } from './test-utils.js';

async function checkpoint(): Promise<string> {
  const dir = await tempDir();
  await writeFile(join(dir, 'adapter_model.safetensors'), 'weights');
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, 'sub', 'optimizer.safetensors'), 'moments');
  await writeCheckpointManifest(dir);
  return dir;
}

describe('checkpoint manifest', () => {
  it('passes an intact checkpoint', async () => {
    expect(await checkCheckpoint(await checkpoint())).toEqual({ ok: true, verified: true });
  });

  it('names a changed file and a missing one', async () => {
    const changed = await checkpoint();
    await writeFile(join(changed, 'adapter_model.safetensors'), 'weightz');
    expect(await checkCheckpoint(changed)).toEqual({
      ok: false,
      problem: 'adapter_model.safetensors does not match its recorded sha256',
    });
    const missing = await checkpoint();
    await rm(join(missing, 'sub', 'optimizer.safetensors'));
    expect(await checkCheckpoint(missing)).toEqual({
      ok: false,
      problem: 'sub/optimizer.safetensors is missing',
    });
  });

  it('lets a checkpoint from before manifests through, unverified', async () => {
    const dir = await checkpoint();
    await rm(join(dir, 'checkpoint_manifest.json'));
    expect(await checkCheckpoint(dir)).toEqual({ ok: true, verified: false });
  });
});
