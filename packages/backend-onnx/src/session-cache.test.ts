import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphBuilder, HostTensor } from '@tunekit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OnnxBackend, type OnnxBackendOptions } from './onnx-backend.js';
import { SessionCache, type SessionCacheOptions } from './session-cache.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tunekit-session-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * One training-like step in a fresh backend (a process's view): loss = sum(w * x * f), w -= x; `f`
 * is a frozen u8 tensor (as 4-bit packed weights are) and `x` data; `scale` changes the graph.
 */
async function step(
  cache: Partial<SessionCacheOptions>,
  values: { w: number[]; f: number[] },
  opts: { scale?: number; backend?: OnnxBackendOptions } = {},
) {
  const backend = new OnnxBackend({
    threads: 1,
    sessionCache: { dir, minCreateMs: 0, ...cache },
    ...opts.backend,
  });
  const b = new GraphBuilder();
  const w = b.input('w', [3], 'f32', 'param');
  const f = b.input('f', [3], 'u8', 'frozen');
  const x = b.input('x', [3]);
  const loss = w
    .mul(x)
    .mul(f.cast('f32'))
    .mul(opts.scale ?? 1)
    .sum();
  const exe = backend.compile(b.build({ loss }, { w: w.sub(x) }));
  const wDev = backend.upload(HostTensor.from('f32', [3], values.w));
  const fDev = backend.upload(HostTensor.from('u8', [3], values.f));
  const feeds = { w: wDev, f: fDev, x: HostTensor.from('f32', [3], [1, 1, 1]) };
  const losses = [(await exe.run(feeds)).loss.item(), (await exe.run(feeds)).loss.item()];
  const result = { losses, fromCache: exe.sessionFromCache, sessions: exe.sessionsCreated };
  backend.dispose();
  return result;
}

const models = async () => (await readdir(dir)).filter((name) => name.endsWith('.onnx'));

describe('session cache', () => {
  it('makes the second session of an unchanged graph from the cache, with nothing baked in', async () => {
    const first = await step({}, { w: [1, 2, 3], f: [1, 1, 1] });
    expect(first).toEqual({ losses: [6, 3], fromCache: false, sessions: 1 });
    expect(await models()).toHaveLength(1);
    // other parameter and frozen values: the cached model must read them, not hold the first ones
    const second = await step({}, { w: [2, 2, 2], f: [0, 1, 2] });
    expect(second).toEqual({ losses: [6, 3], fromCache: true, sessions: 1 });
    expect(await models()).toHaveLength(1);
  });

  it('misses for a changed graph or onnxruntime version', async () => {
    await step({}, { w: [1, 2, 3], f: [1, 1, 1] });
    const changed = await step({}, { w: [1, 2, 3], f: [1, 1, 1] }, { scale: 2 });
    expect(changed).toEqual({ losses: [12, 6], fromCache: false, sessions: 1 });
    const otherOrt = await step({ ortVersion: '0.0.1-other' }, { w: [1, 2, 3], f: [1, 1, 1] });
    expect(otherOrt.fromCache).toBe(false);
    expect(await models()).toHaveLength(3);
    const again = await step({ ortVersion: '0.0.1-other' }, { w: [1, 2, 3], f: [1, 1, 1] });
    expect(again.fromCache).toBe(true);
  });

  it('misses for other session options', async () => {
    await step({}, { w: [1, 2, 3], f: [1, 1, 1] });
    const threads = await step({}, { w: [1, 2, 3], f: [1, 1, 1] }, { backend: { threads: 2 } });
    expect(threads.fromCache).toBe(false);
  });

  it('caches nothing when frozen weights are baked into the session', async () => {
    const backend = new OnnxBackend({
      threads: 1,
      frozenWeights: 'initializers',
      sessionCache: { dir, minCreateMs: 0 },
    });
    const b = new GraphBuilder();
    const w = b.input('w', [2], 'f32', 'frozen');
    const exe = backend.compile(b.build({ y: w.mul(2) }));
    const wDev = backend.upload(HostTensor.from('f32', [2], [1, 2]));
    expect((await exe.run({ w: wDev })).y.toArray()).toEqual([2, 4]);
    expect(await readdir(dir)).toEqual([]);
    backend.dispose();
  });

  it('keeps only sessions slow to create', async () => {
    await step({ minCreateMs: 60_000 }, { w: [1, 2, 3], f: [1, 1, 1] });
    expect(await readdir(dir)).toEqual([]);
  });

  it('replaces an unreadable cached model', async () => {
    await step({}, { w: [1, 2, 3], f: [1, 1, 1] });
    const [model] = await models();
    await writeFile(join(dir, model), 'not a model');
    const again = await step({}, { w: [1, 2, 3], f: [1, 1, 1] });
    expect(again).toEqual({ losses: [6, 3], fromCache: false, sessions: 1 });
    expect((await stat(join(dir, model))).size).toBeGreaterThan(100);
    expect((await step({}, { w: [1, 2, 3], f: [1, 1, 1] })).fromCache).toBe(true);
  });

  it('trims the folder to its size, least recently used first, and nothing but its own files', async () => {
    const cache = new SessionCache({ dir, maxBytes: 2500 });
    const keys = ['a', 'b', 'c', 'd'].map((c) => c.repeat(64));
    await writeFile(join(dir, 'notes.txt'), 'x'.repeat(5000));
    for (const [i, key] of keys.entries()) {
      const pending = (await cache.pendingPath(key)) as string;
      await writeFile(pending, 'x'.repeat(1000));
      const at = new Date(Date.UTC(2026, 0, 1 + i));
      await utimes(pending, at, at);
      await cache.commit(pending, key);
      if (i === 1) await cache.lookup(keys[0]); // a is used again: b becomes the oldest
    }
    expect((await models()).sort()).toEqual([`${keys[0]}.onnx`, `${keys[3]}.onnx`]);
    expect(await readdir(dir)).toContain('notes.txt');
  });
});
