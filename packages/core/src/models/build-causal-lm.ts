import { describeZodIssues, UserError } from '../errors/index.js';
import type { HostTensor } from '../tensor/index.js';
import type { CausalLM } from './causal-lm.js';
import { checkConfigFitsWeights } from './config-fit.js';
import { builtinModelFamilies } from './families.js';
import type { HfConfig, ModelFamily } from './model-family.js';
import { type FamilySource, resolveFamily } from './resolve-family.js';
import type { TaskModel } from './task-model.js';

export interface BuiltCausalLM {
  readonly model: CausalLM;
  /** The validated `config.json`: the family's fields with defaults filled in, other keys as found. */
  readonly config: HfConfig;
  readonly family: ModelFamily;
}

/**
 * Resolves the family of a parsed `config.json`, validates the config with its schema and builds a
 * fresh module tree (weights still zero). `file` names the config in errors.
 */
export function buildCausalLM(
  rawConfig: unknown,
  opts: { families?: FamilySource; file?: string } = {},
): BuiltCausalLM {
  const file = opts.file ?? 'config.json';
  const family = resolveFamily(opts.families ?? builtinModelFamilies, rawConfig, file);
  const parsed = family.configSchema.safeParse(rawConfig);
  if (!parsed.success) {
    const issues = describeZodIssues(parsed.error, { separator: '\n  ' });
    throw new UserError(`${file}: not a valid ${family.id} config:\n  ${issues}`);
  }
  return { model: family.build(parsed.data), config: parsed.data, family };
}

/**
 * Loads checkpoint tensors into a freshly built model, strictly: a missing or unexpected tensor is
 * an error listing them all, and nothing is loaded unless everything fits. As transformers does, a
 * checkpoint of the bare base model gets the family's `baseModelPrefix`, and the family's ignored
 * tensors (GPT-2's mask buffers, a tied model's copy of `lm_head.weight`) are skipped. `source`
 * names the checkpoint in errors, `configFile` the config a shape mismatch is blamed on.
 */
export function loadCheckpoint(
  model: TaskModel,
  family: ModelFamily,
  weights: ReadonlyMap<string, HostTensor>,
  source: string,
  configFile = 'config.json',
): void {
  const expected = new Set(model.namedParameters().map(([name]) => name));
  const prefix = `${family.baseModelPrefix}.`;
  const names = [...weights.keys()];
  const addPrefix =
    !names.some((n) => n.startsWith(prefix)) && [...expected].some((n) => n.startsWith(prefix));
  const stateDict = new Map<string, HostTensor>();
  for (const [stored, tensor] of weights) {
    const name = addPrefix ? prefix + stored : stored;
    if (!expected.has(name) && family.ignoredWeights.some((pattern) => pattern.test(name)))
      continue;
    stateDict.set(name, tensor);
  }
  checkConfigFitsWeights(model, family, stateDict, { source, configFile });
  try {
    model.loadStateDict(stateDict);
  } catch (cause) {
    if (!(cause instanceof UserError)) throw cause;
    throw new UserError(`${source}: ${cause.message}`, { cause });
  }
}
