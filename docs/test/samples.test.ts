import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import {
  corePlugins,
  createContainer,
  GraphBuilder,
  HostTensor,
  resolveBackend,
} from '@tunekit/core';
import { afterAll, expect, it } from 'vitest';
import { askAdapter } from '../samples/chat-session.js';
import { trainWithFocalLoss } from '../samples/custom-trainer.js';
import { plugin as countingPlugin, FlopCountingBackend } from '../samples/flop-counting-backend.js';
import { DOCS_DIR, REPO_DIR, readPages } from './pages.js';

const scratch = await mkdtemp(join(tmpdir(), 'tunekit-docs-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

it('every sample file is included in a page, and every included file exists', async () => {
  const pages = (await readPages()).map((page) => page.text).join('\n');
  // `<<< @/path`: a file relative to docs/ (the examples' files are tested by their packages)
  const included = [...pages.matchAll(/^<<< @\/([^\s{#]+)/gm)].map((m) => normalize(m[1]));
  const samples = (await readdir(join(DOCS_DIR, 'samples'))).map((name) => `samples/${name}`);
  expect(new Set(included.filter((path) => path.startsWith('samples/')))).toEqual(new Set(samples));
  expect(included.filter((path) => !existsSync(join(DOCS_DIR, path)))).toEqual([]);
});

it('custom-trainer.ts runs the job with its focal loss and callback, evaluates and saves the adapter', async () => {
  const out = join(scratch, 'focal');
  const result = await trainWithFocalLoss(REPO_DIR, out);
  expect(result.globalStep).toBe(2);
  expect(result.losses).toHaveLength(2);
  expect(result.metrics.after?.eval_loss).toBeLessThan(result.metrics.before?.eval_loss ?? 0);
  expect(result.files).toContain('adapter_model.safetensors');
  expect(existsSync(join(out, 'adapter_model.safetensors'))).toBe(true);
});

it('chat-session.ts opens a chat on the adapter custom-trainer.ts saved, with its template', async () => {
  const chat = await askAdapter(
    join(REPO_DIR, 'models/tunekit-tiny-chat'),
    join(scratch, 'focal'),
    'What is 2 + 2?',
  );
  expect(chat.template).toBe('chatml');
  expect(chat.streamed).toBe(chat.answer);
});

it('flop-counting-backend.ts registers a backend that counts by its table and runs graphs', async () => {
  const container = createContainer([...corePlugins, countingPlugin]);
  const backend = await resolveBackend(container, 'counting');
  expect(backend).toBeInstanceOf(FlopCountingBackend);
  const b = new GraphBuilder();
  const x = b.input('x', [2, 3]);
  const w = b.input('w', [3, 4]);
  const h = x.matmul(w);
  // softmax has its own entry; log_softmax is decomposed: max, sub, exp, sum, log, sub
  const executable = backend.compile(b.build({ p: h.softmax(), logp: h.logSoftmax() }));
  const matmul = 2 * 8 * 3;
  const logSoftmax = 8 + 8 + 8 + 8 + 2 + 8;
  expect((backend as FlopCountingBackend).flops).toEqual([matmul + 5 * 8 + logSoftmax]);
  const { p } = await executable.run({
    x: HostTensor.from('f32', [2, 3], [1, 2, 3, 4, 5, 6]),
    w: HostTensor.from('f32', [3, 4], [1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1]),
  });
  const rows = Array.from(p.toArray());
  expect(rows.slice(0, 4).reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
  expect(rows[3]).toBeGreaterThan(rows[0]);
  await backend.dispose();
});
