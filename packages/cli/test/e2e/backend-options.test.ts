import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrainingRecord } from '@tunekit/trainer';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bundledModel,
  examplesDir,
  readJson,
  runTunekit,
  type TunekitRun,
  tinyRun,
  workDir,
} from './harness.js';

const quickstart = join(examplesDir, 'quickstart.yaml'); // backend: onnx
const work = await workDir('backend-options');
const out = join(work, 'run');
const generate = (...args: string[]) =>
  runTunekit([
    'generate',
    '-m',
    bundledModel,
    '-a',
    out,
    '-p',
    'Hi',
    '--max-new-tokens',
    '2',
    ...args,
  ]);
let trained: TunekitRun;

beforeAll(async () => {
  trained = await runTunekit([
    'train',
    quickstart,
    ...tinyRun(out, 2),
    '--set',
    'eval_on_start=false',
    '--set',
    'generation.num_samples=1',
    '--backend-option',
    'frozen_weights=initializers',
    '--backend-option',
    'intra_op_num_threads=1',
  ]);
}, 240_000);

describe('--backend-option', () => {
  it('reaches the backend tunekit train runs on, and the run records it', async () => {
    expect(trained.code).toBe(0);
    expect(trained.stdout).toContain(
      'onnx backend: 1 intra-op threads, frozen weights baked into each session as initializers (frozen_weights: initializers)',
    );
    const record = await readJson<TrainingRecord>(join(out, 'training_record.json'));
    expect(record.config.backend_options).toEqual({
      frozen_weights: 'initializers',
      intra_op_num_threads: 1,
    });
  });

  it("is checked by the chosen backend's schema, naming the key and the backend", async () => {
    const train = await runTunekit(['train', quickstart, '--backend-option', 'f16_weights=on']);
    expect(train.code).toBe(1);
    expect(train.stderr).toContain(
      "backend_options.f16_weights: an option of backend 'webgpu', not of backend 'onnx', the one chosen",
    );
    const run = await generate('--backend', 'onnx', '--backend-option', 'threads=2');
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "error: backend 'onnx': backend_options.threads: not an option of backend 'onnx' (its options: frozen_weights, intra_op_num_threads)\n",
    );
  });

  it("carries the run's backend and its options to a later command that names none, and says so", async () => {
    const carried = await generate();
    expect(carried.stderr).toBe(
      'note: backend onnx, the one the run trained on (its training_record.json) with its backend_options; --backend <id> picks another\n',
    );
    expect(carried.code).toBe(0);
    // a run recorded on another backend runs there, and one that cannot run here fails in one line
    const file = join(out, 'training_record.json');
    const saved = await readFile(file, 'utf8');
    const record = JSON.parse(saved) as TrainingRecord;
    const trainedOn = (backend: string) =>
      // backend_options belong to onnx: left out (JSON drops undefined)
      writeFile(
        file,
        JSON.stringify({
          ...record,
          config: { ...record.config, backend, backend_options: undefined },
        }),
      );
    try {
      await trainedOn('reference');
      const reference = await generate();
      expect(reference.stderr).toBe(
        'note: backend reference, the one the run trained on (its training_record.json); --backend <id> picks another\n',
      );
      expect(reference.stdout).toBe(carried.stdout);
      await trainedOn('tpu');
      const missing = await generate();
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(
        /^error: the run trained on backend 'tpu' \(backend: in its training_record\.json\), which cannot run here: unknown backend 'tpu'; registered: [a-z, ]+; pass --backend <id> to run on another \(e\.g\. --backend \w+\)\n$/,
      );
    } finally {
      await writeFile(file, saved);
    }
  });

  it("reuses the run's backend_options on its backend only, each overridable", async () => {
    // a record whose options the onnx schema refuses shows where they are reused
    const file = join(out, 'training_record.json');
    const record = JSON.parse(await readFile(file, 'utf8')) as TrainingRecord;
    const config = { ...record.config, backend_options: { frozen_weights: 'folded' } };
    await writeFile(file, JSON.stringify({ ...record, config }));
    for (const reused of [await generate('--backend', 'onnx'), await generate()]) {
      expect(reused.code).toBe(1);
      expect(reused.stderr).toMatch(/^error: backend 'onnx': backend_options\.frozen_weights: /);
    }
    const overridden = await generate(
      '--backend',
      'onnx',
      '--backend-option',
      'frozen_weights=inputs',
    );
    expect(overridden.stderr).toBe(
      'note: backend onnx, as --backend names, the one the run trained on with its backend_options\n',
    );
    expect(overridden.code).toBe(0);
    const elsewhere = await generate('--backend', 'reference');
    expect(elsewhere.stderr).toBe(
      'note: backend reference, as --backend names; the run trained on onnx, whose backend_options do not apply here\n',
    );
    expect(elsewhere.stdout).toBe(overridden.stdout);
  });
});
