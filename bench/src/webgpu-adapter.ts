import { requestAdapter } from '@tunekit/backend-webgpu';

/** The features that change which kernels a GPU could run (f16 storage and math, subgroup ops). */
const NOTABLE_FEATURES = ['shader-f16', 'subgroups', 'timestamp-query'] as const;

export interface AdapterDescription {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** A software adapter (SwiftShader, lavapipe) says so here, or in its description. */
  readonly is_fallback_adapter: boolean;
  readonly features: Readonly<Record<(typeof NOTABLE_FEATURES)[number], boolean>>;
  readonly limits: Readonly<Record<string, number>>;
}

/** What the adapter the backend gets (the same request) says of itself. */
export async function describeAdapter(): Promise<AdapterDescription> {
  const adapter = await requestAdapter();
  const { info } = adapter;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    is_fallback_adapter: info.isFallbackAdapter ?? false,
    features: Object.fromEntries(
      NOTABLE_FEATURES.map((f) => [f, adapter.features.has(f)]),
    ) as AdapterDescription['features'],
    limits: {
      max_compute_invocations_per_workgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
      max_compute_workgroup_storage_size: adapter.limits.maxComputeWorkgroupStorageSize,
      max_storage_buffers_per_shader_stage: adapter.limits.maxStorageBuffersPerShaderStage,
      max_storage_buffer_binding_size: adapter.limits.maxStorageBufferBindingSize,
      max_buffer_size: adapter.limits.maxBufferSize,
    },
  };
}
