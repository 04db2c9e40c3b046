import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SWIFTSHADER_ICD } from '@tunekit/backend-webgpu';
import { ensureSwiftShaderVulkan } from '@tunekit/test-chromium';
import { beforeAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/**
 * `pnpm bench -- --backend webgpu --workload tiny-lora-s64 --backend-option f16_weights=on` on
 * SwiftShader: its JSON lines.
 */
function benchLines(): Record<string, unknown>[] {
  const out = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=@tunekit/source',
      MAIN,
      '--backend',
      'webgpu',
      '--workload',
      'tiny-lora-s64',
      '--backend-option',
      'f16_weights=on',
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, VK_ICD_FILENAMES: SWIFTSHADER_ICD },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

const positive = expect.toSatisfy((x: unknown) => typeof x === 'number' && x > 0 && x < Infinity);

// The webgpu bench end to end on the software adapter CI has: the same JSON as the onnx
// workloads, with the adapter and its measured matmul rate; how fast is `pnpm bench`'s business.
describe('pnpm bench -- --backend webgpu', () => {
  beforeAll(ensureSwiftShaderVulkan);

  // three node processes and a python probe on a CPU-bound adapter: slow on a loaded machine
  it('prints the adapter and its matmul rate, then a finite line per workload', {
    timeout: 180_000,
  }, () => {
    const [header, line, ...rest] = benchLines();
    expect(rest).toEqual([]);
    expect(header).toMatchObject({
      backend: 'webgpu',
      adapter: {
        architecture: 'swiftshader',
        features: { 'shader-f16': false, subgroups: true },
        limits: { max_compute_invocations_per_workgroup: 256 },
      },
      matmul_fp32_gflops: { webgpu: positive },
      mfu_peak_gflops: positive,
    });
    expect(line).toMatchObject({
      workload: 'tiny-lora-s64',
      batch: 1,
      seq: 64,
      model_flops_per_step: positive,
      tunekit: {
        backend: 'webgpu',
        // SwiftShader has no shader-f16: 'on' stores frozen weights as f16 pairs in 32-bit words
        backend_options: { f16_weights: 'on' },
        summary: expect.stringMatching(/frozen matmul weights stored as f16 pairs/),
        tokens_per_s: positive,
        step_s: positive,
        peak_rss_mb: positive,
        mfu: positive,
        session_create_s: null,
        compile_s: positive,
        first_step_s: positive,
        final_loss: positive,
      },
    });
    const { losses } = line.tunekit as { losses: number[] };
    expect(losses).toHaveLength(4); // 1 warm-up + 3 timed steps on one batch
    expect(losses.at(-1)).toBeLessThan(losses[0]);
    // a random tiny Llama starts near ln(vocab): its outputs are near uniform over 1024 tokens
    expect(losses[0]).toBeCloseTo(Math.log(1024), 0);
  });
});
