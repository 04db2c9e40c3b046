import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  corePlugins,
  createContainer,
  GraphBuilder,
  HostTensor,
  resolveBackend,
} from '@tunekit/core';
import { afterAll, expect, it } from 'vitest';
import { CountingBackend, plugin as countingPlugin } from '../samples/counting-backend.js';
import { trainWithFocalLoss } from '../samples/custom-trainer.js';
import { trainThenChat } from '../samples/train-from-config.js';
import { DOCS_DIR, REPO_DIR, readPages } from './pages.js';

const scratch = await mkdtemp(join(tmpdir(), 'tunekit-docs-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

it('every sample file is included in a page, and every included sample exists', async () => {
  const pages = (await readPages()).map((page) => page.text).join('\n');
  const included = [...pages.matchAll(/^<<< @\/(samples\/[^\s{#]+)/gm)].map((m) => m[1]);
  const samples = (await readdir(join(DOCS_DIR, 'samples'))).map((name) => `samples/${name}`);
  expect(new Set(included)).toEqual(new Set(samples));
});

it('custom-trainer.ts trains LoRA with its focal loss and saves the adapter', async () => {
  const out = join(scratch, 'focal');
  const result = await trainWithFocalLoss(
    join(REPO_DIR, 'models/tunekit-tiny-chat'),
    join(REPO_DIR, 'examples/quickstart/data'),
    out,
  );
  expect(result.globalStep).toBe(2);
  expect(existsSync(join(out, 'adapter_model.safetensors'))).toBe(true);
});

it('train-from-config.ts trains from a config object with its focal loss, then chats with the adapter', async () => {
  const out = join(scratch, 'from-config');
  const result = await trainThenChat(
    join(REPO_DIR, 'models/tunekit-tiny-chat'),
    join(REPO_DIR, 'examples/quickstart/data'),
    out,
  );
  expect(result.globalStep).toBe(2);
  expect(result.files).toContain('adapter_model.safetensors');
  expect(existsSync(join(out, 'adapter_model.safetensors'))).toBe(true);
  expect(result.answer).not.toBe('');
});

it('counting-backend.ts registers a backend that the container resolves and that runs graphs', async () => {
  const container = createContainer([...corePlugins, countingPlugin]);
  const backend = await resolveBackend(container, 'counting');
  expect(backend).toBeInstanceOf(CountingBackend);
  const b = new GraphBuilder();
  const x = b.input('x', [3]);
  const executable = backend.compile(b.build({ y: x.mul(2) }));
  const { y } = await executable.run({ x: HostTensor.from('f32', [3], [1, 2, 3]) });
  expect(Array.from(y.toArray())).toEqual([2, 4, 6]);
  expect((backend as CountingBackend).compiles).toBe(1);
  await backend.dispose();
});
