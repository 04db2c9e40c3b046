import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCausalLM, readAdapterFolder } from '@tunekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff } from './helpers.js';

// The plugin as a user runs it: the workspace's `tunekit` bin in a child process, the package
// found by name from train.yaml's folder (`plugins:`) and from the working directory (`--plugin`).
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const repo = join(packageDir, '../..');
const cli = dirname(createRequire(import.meta.url).resolve('@tunekit/cli/package.json'));
const tunekitBin = join(cli, 'bin/tunekit.js');
const model = join(repo, 'models/tunekit-tiny-chat');
const evalData = join(repo, 'examples/quickstart/data/eval.jsonl');
const PLUGIN = ['--plugin', 'tunekit-peft-ia3'];

function tunekit(args: readonly string[], input = '') {
  const run = spawnSync(process.execPath, [tunekitBin, ...args], {
    cwd: packageDir,
    input,
    encoding: 'utf8',
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const work = await mkdtemp(join(tmpdir(), 'tunekit-ia3-cli-'));
const adapter = join(work, 'adapter');
const merged = join(work, 'merged');
let trained: ReturnType<typeof tunekit>;

beforeAll(() => {
  // train.yaml cut to a few steps at its full learning rate
  const sets = [
    'max_steps=4',
    'warmup_steps=0',
    `output_dir=${adapter}`,
    'logging_steps=1',
    'generation.num_samples=2',
  ];
  trained = tunekit(['train', 'train.yaml', ...sets.flatMap((s) => ['--set', s])]);
}, 240_000);
afterAll(() => rm(work, { recursive: true, force: true }));

describe('tunekit with tunekit-peft-ia3', () => {
  it('trains from train.yaml, which names the plugin under plugins:, and saves an IA3 adapter', async () => {
    expect(trained.stderr).toBe('');
    expect(trained.code).toBe(0);
    // 4 layers of the bundled model: k_proj and v_proj (64 outputs each), down_proj (384 inputs)
    expect(trained.stdout).toContain('peft: ia3: trainable params: 2,048 ||');
    const { config, tensors } = await readAdapterFolder(adapter);
    expect(config).toMatchObject({ peft_type: 'IA3', feedforward_modules: ['down_proj'] });
    expect(tensors.get('base_model.model.model.layers.3.mlp.down_proj.ia3_l')?.shape).toEqual([
      1, 384,
    ]);
  });

  it('evaluates the adapter to the loss training measured', async () => {
    const args = ['eval', '-m', model, '-a', adapter, '-d', evalData, '--num-samples', '2'];
    const run = tunekit([...args, ...PLUGIN, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const record = JSON.parse(await readFile(join(adapter, 'training_record.json'), 'utf8'));
    const { after, before } = record.metrics;
    expect(after.eval_loss).toBeLessThan(before.eval_loss);
    expect(JSON.parse(run.stdout).loss).toBeCloseTo(after.eval_loss, 4);
  });

  it('needs --plugin for an IA3 adapter made elsewhere (no training record naming the plugin)', async () => {
    const elsewhere = join(work, 'from-peft');
    await mkdir(elsewhere);
    for (const file of ['adapter_config.json', 'adapter_model.safetensors'])
      await copyFile(join(adapter, file), join(elsewhere, file));
    const args = ['eval', '-m', model, '-a', elsewhere, '-d', evalData, '--num-samples', '1'];
    const without = tunekit(args);
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/peft_type "IA3"/);
    const run = tunekit([...args, ...PLUGIN, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(Number.isFinite(JSON.parse(run.stdout).loss)).toBe(true);
  });

  it('merges the vectors into the weights: k_proj rows and down_proj columns scaled', async () => {
    const run = tunekit(['merge', '-m', model, '-a', adapter, '-o', merged, ...PLUGIN]);
    expect(run.code, run.stderr).toBe(0);
    const weight = async (dir: string, name: string) => {
      const params = new Map((await loadCausalLM(dir)).model.namedParameters());
      return params.get(name)?.value.toFloat64() ?? new Float64Array();
    };
    const { tensors } = await readAdapterFolder(adapter);
    for (const [name, axis] of [
      ['self_attn.k_proj', 'rows'],
      ['mlp.down_proj', 'columns'],
    ]) {
      const path = `model.layers.0.${name}`;
      const l = tensors.get(`base_model.model.${path}.ia3_l`)?.toFloat64() ?? new Float64Array();
      const base = await weight(model, `${path}.weight`);
      // k_proj [out 64, in 128] by l [64, 1]; down_proj [out 128, in 384] by l [1, 384]
      const rowLength = base.length / l.length;
      const at = (i: number) => (axis === 'rows' ? Math.floor(i / rowLength) : i % l.length);
      const expected = base.map((w, i) => w * l[at(i)]);
      expect(maxAbsDiff(await weight(merged, `${path}.weight`), expected), name).toBeLessThan(1e-6);
    }
  });

  it('chats with the adapter: the answer is what generate gives the merged model for the rendered prompt', () => {
    const question = 'What is 2 plus 2?';
    const chat = tunekit(
      ['chat', '-m', model, '-a', adapter, '--max-new-tokens', '6', ...PLUGIN],
      `${question}\n`,
    );
    expect(chat.code, chat.stderr).toBe(0);
    const prompt = `<|im_start|>user\n${question}<|im_end|>\n<|im_start|>assistant\n`;
    const generate = ['generate', '-m', merged, '--prompt', prompt, '--max-new-tokens', '6'];
    const generated = tunekit(generate);
    expect(generated.code, generated.stderr).toBe(0);
    expect(chat.stdout).toBe(generated.stdout);
  });

  it('exports the model with the adapter merged in to ONNX', async () => {
    const out = join(work, 'onnx');
    const run = tunekit(['export', '-m', model, '-a', adapter, '-o', out, ...PLUGIN]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`with ${adapter} merged in`);
    const plain = join(work, 'onnx-base');
    expect(tunekit(['export', '-m', model, '-o', plain]).code).toBe(0);
    const onnx = (dir: string) => readFile(join(dir, 'onnx/model.onnx'));
    expect((await onnx(out)).equals(await onnx(plain))).toBe(false);
  });
});
