import { UserError } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { parseBenchOptions } from './bench-options.js';
import { WEBGPU_WORKLOADS } from './workloads.js';

describe('parseBenchOptions', () => {
  it('gives --backend webgpu its short list of step workloads', () => {
    const opts = parseBenchOptions(['--', '--backend', 'webgpu', '--threads', '2']);
    expect(opts.backend).toBe('webgpu');
    expect(opts.workloads.map((w) => w.id)).toEqual(WEBGPU_WORKLOADS);
    expect(opts.workloads.every((w) => w.kind === 'step')).toBe(true);
  });

  it('refuses a trainer workload on webgpu and an unknown backend, naming the option', () => {
    expect(() =>
      parseBenchOptions(['--backend', 'webgpu', '--workload', 'trainer-tiny-lora']),
    ).toThrow(/--workload trainer-tiny-lora: a trainer workload/);
    expect(() => parseBenchOptions(['--backend', 'cuda'])).toThrow(UserError);
    expect(() => parseBenchOptions(['--backend', 'cuda'])).toThrow(
      /--backend: expected onnx or webgpu/,
    );
  });

  it("parses --backend-option by the chosen backend's schema", () => {
    const webgpu = ['--backend', 'webgpu', '--workload', 'tiny-lora'];
    expect(parseBenchOptions(webgpu).backendOptions).toEqual({
      f16_weights: 'off',
      subgroups: true,
    });
    const options = ['--backend-option', 'f16_weights=on', '--backend-option', 'subgroups=false'];
    expect(parseBenchOptions([...webgpu, ...options]).backendOptions).toEqual({
      f16_weights: 'on',
      subgroups: false,
    });
    expect(() =>
      parseBenchOptions([...webgpu, '--backend-option', 'frozen_weights=inputs']),
    ).toThrow(
      "--backend-option: backend_options.frozen_weights: an option of backend 'onnx', not of backend 'webgpu', the one chosen",
    );
    const onnx = parseBenchOptions(['--backend-option', 'frozen_weights=initializers']);
    expect(onnx).toMatchObject({ frozenWeights: 'initializers' });
    expect(parseBenchOptions(['--frozen-weights', 'initializers'])).toMatchObject({
      frozenWeights: 'initializers',
    });
  });

  it('keeps onnx the default backend, with every workload', () => {
    const opts = parseBenchOptions(['--threads', '1']);
    expect(opts.backend).toBe('onnx');
    expect(opts.workloads.length).toBeGreaterThan(WEBGPU_WORKLOADS.length);
  });
});
