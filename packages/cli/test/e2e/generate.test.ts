import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type GenerationConfig,
  Generator,
  loadCausalLM,
  ReferenceBackend,
  Tokenizer,
} from '@tunekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTunekit } from './run-tunekit.js';
import { writeTinyLlamaFolder } from './tiny-model-folder.js';

const prompt = 'Hello, world';
const maxNewTokens = 12;

let work: string;
let folder: string;
// No test may reach the network: hub ids resolve against an empty cache, offline.
const env = () => ({ HF_HUB_OFFLINE: '1', HF_HOME: join(work, 'hf-home') });

/** The text the library itself generates for `prompt` on the folder, in this process. */
async function libraryContinuation(config: GenerationConfig, seed = 0): Promise<string> {
  const { model } = await loadCausalLM(folder);
  const tokenizer = await Tokenizer.fromFolder(folder);
  const ids = tokenizer.encode(prompt);
  const backend = new ReferenceBackend();
  try {
    const generator = new Generator(model, backend, { maxLength: ids.length + maxNewTokens });
    const decode = (tokens: readonly number[]) => tokenizer.decode(tokens);
    const [row] = await generator.generate([ids], config, { seed, decode });
    return row.text ?? '';
  } finally {
    await backend.dispose();
  }
}

function expectNoStackTrace(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tunekit-cli-'));
  folder = join(work, 'tiny-llama');
  await writeTinyLlamaFolder(folder);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('tunekit generate', () => {
  it('prints the greedy continuation the library produces', async () => {
    const expected = await libraryContinuation({ max_new_tokens: maxNewTokens });
    expect(expected).toHaveLength(maxNewTokens); // one character per token in this vocabulary

    const run = await runTunekit(
      ['generate', '--model', folder, '--prompt', prompt, '--max-new-tokens', `${maxNewTokens}`],
      { env: env() },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${expected}\n`);
  });

  it('runs on the onnx backend (onnxruntime-node) with the same greedy text', async () => {
    const expected = await libraryContinuation({ max_new_tokens: maxNewTokens });
    const run = await runTunekit(
      [
        'generate',
        '--model',
        folder,
        '--prompt',
        prompt,
        '--max-new-tokens',
        `${maxNewTokens}`,
        '--backend',
        'onnx',
      ],
      { env: env() },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${expected}\n`);
  });

  it('samples with the given temperature, top-k and seed as the library does', async () => {
    const sampling = { do_sample: true, temperature: 1.5, top_k: 20, top_p: 0.9 };
    const expected = await libraryContinuation({ max_new_tokens: maxNewTokens, ...sampling }, 7);
    expect(expected).not.toBe(await libraryContinuation({ max_new_tokens: maxNewTokens }));

    const run = await runTunekit(
      [
        'generate',
        ...['--model', folder, '--prompt', prompt, '--max-new-tokens', `${maxNewTokens}`],
        ...[
          '--temperature',
          '1.5',
          '--top-k',
          '20',
          '--top-p',
          '0.9',
          '--seed',
          '7',
          '--no-stream',
        ],
      ],
      { env: env() },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${expected}\n`);
  });

  it('prints the prompt’s and the generated token ids with the text as JSON', async () => {
    const expected = await libraryContinuation({ max_new_tokens: maxNewTokens });
    const run = await runTunekit(
      [
        'generate',
        '--model',
        folder,
        '--prompt',
        prompt,
        '--max-new-tokens',
        `${maxNewTokens}`,
        '--json',
      ],
      { env: env() },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const tokenizer = await Tokenizer.fromFolder(folder);
    const result = JSON.parse(run.stdout);
    expect(result).toEqual({
      prompt,
      prompt_ids: tokenizer.encode(prompt),
      generated_ids: expect.any(Array),
      text: expected,
      finish_reason: 'length',
    });
    expect(result.generated_ids).toHaveLength(maxNewTokens);
    expect(tokenizer.decode(result.generated_ids)).toBe(expected);
  });

  it('explains, without a stack trace, that an offline hub id needs a local folder', async () => {
    const run = await runTunekit(
      ['generate', '--model', 'some-org/some-model', '--prompt', prompt],
      { env: env() },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error: /);
    expect(run.stderr).toContain('some-org/some-model');
    expect(run.stderr).toContain('HF_HUB_OFFLINE');
    expect(run.stderr).toContain('--model ./path/to/folder');
    expectNoStackTrace(run.stderr);
  });

  it('names a model folder that does not exist', async () => {
    const run = await runTunekit(['generate', '--model', './nope', '--prompt', prompt], {
      cwd: work,
      env: env(),
    });
    expect(run.code).toBe(1);
    // named as resolved from the working directory, as eval and chat name it
    expect(run.stderr).toMatch(new RegExp(`^error: No such folder: ${join(work, 'nope')}\\.`));
    expectNoStackTrace(run.stderr);
  });

  it('rejects a negative --max-new-tokens before loading anything', async () => {
    const run = await runTunekit(
      ['generate', '--model', folder, '--prompt', prompt, '--max-new-tokens', '-3'],
      { env: env() },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("option '--max-new-tokens <n>' argument '-3' is invalid");
    expect(run.stderr).toContain('Expected an integer >= 1');
    expect(run.stdout).toBe('');
  });

  it('lists the registered backends for an unknown --backend', async () => {
    const run = await runTunekit(
      ['generate', '--model', folder, '--prompt', prompt, '--backend', 'tpu'],
      { env: env() },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: unknown backend 'tpu'; registered: .*\breference\b/);
    expectNoStackTrace(run.stderr);
  });

  it('says which setting gives --backend webgpu an adapter when there is none', async () => {
    // a Vulkan loader pointed at no driver: Dawn finds no adapter
    const run = await runTunekit(
      ['generate', '--model', folder, '--prompt', prompt, '--backend', 'webgpu'],
      { env: { ...env(), VK_ICD_FILENAMES: join(work, 'no-such-icd.json') } },
    );
    expect(run.code).toBe(1);
    // Dawn's own warnings about the missing driver precede tunekit's one-line error
    const error = run.stderr.split('\n').find((line) => line.startsWith('error: '));
    expect(error).toMatch(/^error: backend 'webgpu' is not available here: .*no WebGPU adapter/);
    expect(error).toContain('VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json');
  });
});
