import { z } from 'zod';

/**
 * The onnx backend's own options, as a config's `backend_options:` (with `backend: onnx`) and
 * `--backend-option key=value` give them; the plugin's factory maps them onto OnnxBackendOptions.
 */
export const onnxOptionsSchema = z.strictObject({
  frozen_weights: z
    .enum(['inputs', 'initializers'])
    .default('inputs')
    .describe(
      'how frozen weights reach onnxruntime: inputs (fed to every run) or initializers (baked into each session, so their transposes fold and matmuls pre-pack them: under 5% faster, about 2.5x the frozen matmul weights more peak memory)',
    ),
  intra_op_num_threads: z
    .int()
    .positive()
    .optional()
    .describe('onnxruntime’s intra-op threads (its SessionOptions name); default every core'),
});

export type OnnxOptions = z.output<typeof onnxOptionsSchema>;
