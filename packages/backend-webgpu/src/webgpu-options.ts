import { z } from 'zod';
import { F16_WEIGHTS } from './device/f16-weights.js';
import type { WebGpuBackendOptions } from './webgpu-backend.js';

/**
 * The webgpu backend's own options, as a config's `backend_options:` (with `backend: webgpu`) and
 * `--backend-option key=value` give them; the plugin's factory maps them onto WebGpuBackendOptions.
 */
export const webgpuOptionsSchema = z.strictObject({
  f16_weights: z
    .enum(F16_WEIGHTS)
    .default('off')
    .describe(
      'frozen matmul weights stored as f16, half their memory: off (f32, the reference backend’s numbers), auto (where the adapter has shader-f16), on (everywhere; without shader-f16 as f16 pairs unpacked by each read); moves losses by about 1e-4..1e-3 relative',
    ),
  subgroups: z
    .boolean()
    .default(true)
    .describe(
      'row reductions with subgroup operations where the adapter has subgroups; false keeps the workgroup-memory path',
    ),
});

export type WebGpuOptions = z.output<typeof webgpuOptionsSchema>;

/** The options as `WebGpuBackend.create` takes them. */
export function webGpuBackendOptions(options: Partial<WebGpuOptions> = {}): WebGpuBackendOptions {
  return { f16Weights: options.f16_weights, subgroups: options.subgroups };
}
