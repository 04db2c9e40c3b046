import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveModelFolder } from './model-folder.js';

const work = await mkdtemp(join(tmpdir(), 'tunekit-model-folder-'));
const configDir = join(work, 'configs');
await mkdir(join(work, 'models', 'tiny'), { recursive: true });
await mkdir(configDir);
await writeFile(join(work, 'models', 'weights.bin'), '');

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("resolveModelFolder for a config's model:", () => {
  it('reads a relative path from the config file’s folder', async () => {
    expect(await resolveModelFolder('../models/tiny', configDir, 'configs/run.yaml')).toBe(
      join(work, 'models', 'tiny'),
    );
  });

  it('names the file, the model: key and the resolved path of a missing folder', async () => {
    const error = await resolveModelFolder('../models/nope', configDir, 'configs/run.yaml').catch(
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toBe(
      `configs/run.yaml: model: ../models/nope: no such folder ${join(work, 'models', 'nope')} (a relative path starts at the config file's folder)`,
    );
    expect(message).not.toContain('--model');
  });

  it('names the file and key when the path is a file', async () => {
    await expect(
      resolveModelFolder('../models/weights.bin', configDir, 'configs/run.yaml'),
    ).rejects.toThrow(
      `configs/run.yaml: model: ../models/weights.bin: ${join(work, 'models', 'weights.bin')} is a file; model: takes a model folder`,
    );
  });
});
