import {
  BACKEND_OPTIONS_KEY,
  type BackendFactory,
  backendOptionsSchema,
  resolveById,
  TOKENS,
  UserError,
} from '@tunekit/core';
import type { DependencyContainer } from 'tsyringe';
import { z } from 'zod';

/** The keys of a config that choose its backend and set the backend's own options. */
export interface BackendSetting {
  readonly backend?: string;
  readonly backend_options?: Readonly<Record<string, unknown>>;
}

const BACKEND_NEEDED =
  'backend options are one backend’s: name it with backend: (e.g. backend: webgpu), whose schema checks them';

/**
 * `backend_options:` as a config holds it: a mapping whose keys only the backend can check, so the
 * config's schema checks them once it knows which backend `backend:` names (`checkBackendOptions`).
 */
export const backendOptionsField = z
  .record(z.string(), z.unknown())
  .optional()
  .describe(
    'the backend’s own options, checked by the schema of the backend that backend: names (webgpu: f16_weights, subgroups; onnx: frozen_weights, intra_op_num_threads; a plugin’s backend: its own), e.g. { f16_weights: on }; --backend-option key=value sets one',
  );

/**
 * Checks `backend_options` by the schema of the backend `backend:` names, as `peft:` is checked by
 * its method's: the options are that backend's, with its defaults filled in. Options without a
 * backend named, or for a backend not registered, are errors at `backend_options`/`backend`.
 */
export function checkBackendOptions(container: DependencyContainer) {
  return <C extends BackendSetting>(config: C, ctx: z.RefinementCtx): C => {
    const options = config.backend_options;
    if (options === undefined) return config;
    if (config.backend === undefined) {
      ctx.addIssue({ code: 'custom', path: [BACKEND_OPTIONS_KEY], message: BACKEND_NEEDED });
      return z.NEVER;
    }
    let factory: BackendFactory;
    try {
      factory = resolveById(container, TOKENS.BackendFactory, config.backend, 'backend');
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      ctx.addIssue({ code: 'custom', path: ['backend'], message: error.message });
      return z.NEVER;
    }
    const parsed = backendOptionsSchema(container, factory).safeParse(options);
    if (parsed.success) return { ...config, backend_options: parsed.data };
    for (const issue of parsed.error.issues)
      ctx.addIssue({ ...issue, path: [BACKEND_OPTIONS_KEY, ...issue.path] });
    return z.NEVER;
  };
}

/** Backend options belong to one backend: `backend:` names it (the router's config, no container). */
export function refineBackendNamed(config: BackendSetting, ctx: z.RefinementCtx): void {
  if (config.backend_options !== undefined && config.backend === undefined)
    ctx.addIssue({ code: 'custom', path: [BACKEND_OPTIONS_KEY], message: BACKEND_NEEDED });
}
