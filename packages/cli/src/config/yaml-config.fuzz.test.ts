import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectFinite, FUZZ_CASE_MS, FUZZ_SEED, fuzzOutcome } from '@tunekit/core/testing';
import { trainConfigSchema } from '@tunekit/trainer';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadPlugins } from '../plugins/index.js';
import { pluginListSchema } from './plugin-list.js';
import { loadYamlConfig } from './yaml-config.js';

let schema: ReturnType<typeof trainConfigSchema>;
let file: string;
beforeAll(async () => {
  schema = trainConfigSchema(await loadPlugins());
  file = join(await mkdtemp(join(tmpdir(), 'tunekit-yaml-fuzz-')), 'fuzz.yaml');
});

/** A value as YAML may give it: numbers at the edges (.inf, .nan, -0, huge), strings, nesting. */
const value = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(-1, 0, 1, 2 ** 53, 1e308, -5, 0.5),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 12 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Keys of a real config, plus a few that are not. */
const KEYS = [
  'model',
  'backend',
  'plugins',
  'peft',
  'train',
  'eval',
  'eval_split',
  'format',
  'skip_invalid',
  'template',
  'system',
  'loss_policy',
  'max_length',
  'packing',
  'bucket_lengths',
  'seed',
  'per_device_train_batch_size',
  'learning_rate',
  'num_train_epochs',
  'max_steps',
  'warmup_ratio',
  'weight_decay',
  'max_grad_norm',
  'lr_scheduler_type',
  'logging_steps',
  'save_steps',
  'eval_steps',
  'output_dir',
  'gradient_accumulation_steps',
  'generation',
  'eval_on_start',
  'epochs',
  '__proto__',
  'constructor',
];

const peft = fc.record(
  {
    method: fc.oneof({ weight: 4, arbitrary: fc.constant('lora') }, value),
    r: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 64 }) }, value),
    lora_alpha: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 64 }) }, value),
    lora_dropout: value,
    target_modules: fc.oneof(fc.constant('all-linear'), value),
  },
  { requiredKeys: [] },
);

/** A config: a valid base with some keys set to other values. */
const config = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: fc.constant({}) },
      fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 3 }),
    ),
    fc.option(peft, { nil: undefined }),
  )
  .map(([changes, peftSection]) => ({
    model: 'models/tiny',
    train: 'train.jsonl',
    ...(peftSection === undefined ? {} : { peft: peftSection }),
    ...changes,
  }));

/** The file's text: the config as YAML, then perhaps one edit of its text. */
const yamlText = fc
  .tuple(
    config,
    fc.oneof(
      { weight: 4, arbitrary: fc.constant('') },
      fc.constantFrom(
        '\n\t- bad indent',
        '\nmodel: again',
        '\n: no key',
        '\n!!binary x: 1',
        '\nlearning_rate: !!float .nan',
        '\nlearning_rate: .inf',
        '\na: &a [1, 2]\nb: [*a, *a, *a]',
        '\n%YAML 1.2\n---',
        '\n---\nsecond: document',
        '\n<<: {max_steps: 3}',
        '\nmax_length: 0x10',
        '\nseed: 1_000',
      ),
      fc.string({ unit: 'binary', maxLength: 8 }).map((t) => `\n${t}`),
    ),
    fc.nat(),
  )
  .map(([c, edit, at]) => {
    const text = stringify(c);
    if (edit === '') return text;
    const cut = text.lastIndexOf('\n', at % (text.length + 1));
    return `${text.slice(0, Math.max(0, cut))}${edit}\n${text.slice(Math.max(0, cut))}`;
  });

/** `--set key=value` overrides, as a user types them. */
const override = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(...KEYS),
      fc.constantFrom('peft.r', 'generation.max_new_tokens', 'a..b', ''),
    ),
    fc.oneof(
      fc.constantFrom('1e-4', '.nan', '-.inf', '[1, 2]', '{a: 1}', '', 'x: y: z'),
      fc.string({ maxLength: 6 }),
    ),
    fc.boolean(),
  )
  .map(([key, v, withEq]) => (withEq ? `${key}=${v}` : key));

/** Every line of a config error names the file (and line) or the --set that caused it. */
const PLACE =
  /^(?:(?:.*fuzz\.yaml(?::\d+)?|--set [^\n]*): [^\n]+)(?:\n(?:.*fuzz\.yaml(?::\d+)?|--set [^\n]*): [^\n]+)*$/;

describe('YAML configs (fuzz): a config, or a UserError naming file and line, never another error', () => {
  it('loads train configs, good and bad, with --set overrides', async () => {
    let loaded = 0;
    await fc.assert(
      fc.asyncProperty(
        yamlText,
        fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, fc.array(override, { maxLength: 2 })),
        async (text, overrides) => {
          await writeFile(file, text);
          const result = await fuzzOutcome(async () => {
            await loadYamlConfig(file, pluginListSchema, overrides);
            return loadYamlConfig(file, schema, overrides);
          }, PLACE);
          if (result === undefined) return;
          loaded++;
          expectFinite(result, 'config');
        },
      ),
      { seed: FUZZ_SEED, numRuns: 600, timeout: FUZZ_CASE_MS },
    );
    expect(loaded).toBeGreaterThan(40);
  });
});
