import { cp, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluate, GraphBuilder, HostTensor, loadCausalLM, TraceContext } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { runTunekit, workDir } from './harness.js';

const fixtures = fileURLToPath(new URL('../../../peft-lora/test/fixtures/', import.meta.url));
const work = await workDir('merge');

describe('tunekit merge', () => {
  it('writes a model folder whose logits are the adapted model’s (PyTorch golden values)', async () => {
    const out = join(work, 'merged');
    const run = await runTunekit([
      'merge',
      '--model',
      join(fixtures, 'tiny-llama'),
      '--adapter',
      join(fixtures, 'lora'),
      '--out',
      out,
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('model.safetensors');

    const golden = JSON.parse(await readFile(join(fixtures, 'lora', 'golden.json'), 'utf8')) as {
      input_ids: number[][];
      logits: { shape: number[]; data: number[] };
    };
    const { model } = await loadCausalLM(out);
    const [batch, seq] = [golden.input_ids.length, golden.input_ids[0].length];
    const b = new GraphBuilder();
    const ctx = new TraceContext(b, model);
    const { logits } = model.forward(ctx, {
      input_ids: b.input('input_ids', [batch, seq], 'i32'),
      position_ids: b.input('position_ids', [batch, seq], 'i32'),
    });
    const positions = golden.input_ids.flatMap((row) => row.map((_, t) => t));
    const result = await evaluate(b.build({ logits }), {
      ...ctx.weights(),
      input_ids: HostTensor.from('i32', [batch, seq], golden.input_ids.flat()),
      position_ids: HostTensor.from('i32', [batch, seq], positions),
    });
    const got = result.logits.toFloat64();
    const err = golden.logits.data.reduce((m, v, i) => Math.max(m, Math.abs(v - got[i])), 0);
    expect(err).toBeLessThan(1e-4);
  });

  it('never writes into the base folder, and refuses an --out holding files unless --overwrite', async () => {
    const base = join(work, 'base');
    await cp(join(fixtures, 'tiny-llama'), base, { recursive: true });
    const weights = await readFile(join(base, 'model.safetensors'));
    const merge = (out: string, ...flags: string[]) =>
      runTunekit(['merge', '-m', base, '-a', join(fixtures, 'lora'), '-o', out, ...flags]);
    // the base itself, spelled with a trailing slash: it used to be overwritten with merged weights
    const intoBase = await merge(`${base}/`, '--overwrite');
    expect(intoBase.code).toBe(1);
    expect(intoBase.stderr).toBe(
      `error: --out: ${base}/ is the input folder ${base}; writing there would destroy what is read. Name a separate folder\n`,
    );
    expect((await readFile(join(base, 'model.safetensors'))).equals(weights)).toBe(true);

    const out = join(work, 'again');
    expect((await merge(out)).code).toBe(0);
    const second = await merge(out);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/^error: --out: .*again already holds files .*pass --overwrite/);
    const third = await merge(out, '--overwrite');
    expect(third.stderr).toBe('');
    expect(third.code).toBe(0);
    expect((await readdir(work)).filter((name) => name.startsWith('.tmp-'))).toEqual([]);
  }, 180_000);

  it('names what does not fit when the adapter is not a folder', async () => {
    const run = await runTunekit([
      'merge',
      '--model',
      join(fixtures, 'tiny-llama'),
      '--adapter',
      join(work, 'nope'),
      '--out',
      join(work, 'x'),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: .*nope/);
  });
});
