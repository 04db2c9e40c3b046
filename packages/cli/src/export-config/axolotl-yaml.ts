import { type ScalarTag, stringify } from 'yaml';
import { axolotlConfig } from './axolotl-config.js';
import type { ClusterJob } from './cluster-job.js';

/**
 * Floats as PyYAML (YAML 1.1, which axolotl reads with) parses them: an exponent needs a dot in
 * the mantissa there, or `1e-8` is read as a string.
 */
const pyyamlFloat: ScalarTag = {
  tag: 'tag:yaml.org,2002:float',
  default: true,
  identify: (value) => typeof value === 'number' && !Number.isInteger(value),
  // YAML 1.1's float pattern (a dot in the mantissa); having one also puts this tag first
  test: /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?$/,
  resolve: (text) => Number.parseFloat(text),
  stringify: ({ value }) => String(value).replace(/^(-?\d+)e/, '$1.0e'),
};

/** The axolotl config file for the job, with a header that says how to run it. */
export function axolotlYaml(job: ClusterJob, source: string, warn: (line: string) => void): string {
  const config = axolotlConfig(job, warn);
  return (
    `# axolotl config written by \`tunekit export-config --to axolotl\` from ${source}.\n` +
    '# For axolotl 0.18: axolotl train <this file>; add deepspeed: or fsdp_config: for a cluster.\n' +
    "# Run it from this file's folder: the model and data paths are relative to it.\n" +
    "# The adapter written to output_dir is PEFT's format: tunekit eval, chat and export read it.\n" +
    // YAML 1.1 quoting as PyYAML reads it: 'no' is a string there, not false
    stringify(config, {
      version: '1.1',
      lineWidth: 0,
      customTags: (tags) => [pyyamlFloat, ...tags],
    })
  );
}
