import { UserError } from '../errors/index.js';
import type { Module } from '../nn/index.js';
import { isAdapterLayer } from './adapter-layer.js';

/** PEFT's shorthand for every linear layer but the output head. */
export const ALL_LINEAR = 'all-linear';

/** The fields of a PEFT config that pick the modules to adapt, spelled as PEFT spells them. */
export interface TargetSpec {
  /** Module names (exact, or a suffix after a '.'), one regex matched against the whole name, or 'all-linear'. */
  readonly target_modules: readonly string[] | string;
  readonly exclude_modules?: readonly string[] | string | null;
  /** Only these layer indices (list targets matched by suffix only, as in PEFT). */
  readonly layers_to_transform?: readonly number[] | number | null;
  /** The name of the layer list that `layers_to_transform` indexes ('layers', 'h'). */
  readonly layers_pattern?: readonly string[] | string | null;
}

/** Python's `re.fullmatch(pattern, key)`; Python's `(?P<name>` groups are accepted. */
export function fullMatch(pattern: string, key: string, field = 'target_modules'): boolean {
  return pythonRegex(`^(?:${pattern})$`, field).test(key);
}

function pythonRegex(source: string, field: string): RegExp {
  try {
    return new RegExp(source.replaceAll('(?P<', '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>'));
  } catch (err) {
    throw new UserError(
      `${field}: '${source}' is not a valid regular expression (${(err as Error).message})`,
    );
  }
}

function matchesList(names: readonly string[], key: string): boolean {
  return names.includes(key) || names.some((name) => key.endsWith(`.${name}`));
}

/**
 * Whether the module named `key` is a target, by PEFT's `check_target_module_exists`: excluded
 * modules never are; a string is a full-match regex; a list matches a name exactly, or as a suffix
 * after a '.', and a suffix match must then sit in one of `layers_to_transform` (found after
 * `layers_pattern`, or after any segment, followed by the layer index).
 */
export function checkTargetModuleExists(spec: TargetSpec, key: string): boolean {
  const exclude = spec.exclude_modules;
  if (exclude !== undefined && exclude !== null && exclude.length > 0) {
    const excluded =
      typeof exclude === 'string'
        ? fullMatch(exclude, key, 'exclude_modules')
        : matchesList(exclude, key);
    if (excluded) return false;
  }
  const targets = spec.target_modules;
  if (typeof targets === 'string') return fullMatch(targets, key);
  if (targets.includes(key)) return true;
  if (!targets.some((name) => key.endsWith(`.${name}`))) return false;
  const layers = spec.layers_to_transform;
  if (layers === undefined || layers === null || (Array.isArray(layers) && layers.length === 0))
    return true;
  const index = layerIndex(key, spec.layers_pattern);
  if (index === undefined) return false;
  return typeof layers === 'number' ? index === layers : layers.includes(index);
}

/** The layer index in `key`: `re.match(r".*\.{pattern}\.(\d+)\.", key)`, the last such segment. */
function layerIndex(
  key: string,
  layersPattern: readonly string[] | string | null | undefined,
): number | undefined {
  const patterns =
    layersPattern === undefined || layersPattern === null || layersPattern.length === 0
      ? ['[^.]*']
      : typeof layersPattern === 'string'
        ? [layersPattern]
        : layersPattern;
  for (const pattern of patterns) {
    const match = pythonRegex(`^.*\\.${pattern}\\.(\\d+)\\.`, 'layers_pattern').exec(key);
    if (match) return Number(match[1]);
  }
  return undefined;
}

/**
 * Names of the modules a method may adapt: every module but the root and the insides of existing
 * adapter layers (a second adapter joins the layer, it does not wrap the first one's weights).
 */
export function candidateModules(model: Module): [string, Module][] {
  const inside: string[] = [];
  const out: [string, Module][] = [];
  for (const [name, module] of model.namedModules()) {
    if (name === '' || inside.some((p) => name.startsWith(`${p}.`))) continue;
    out.push([name, module]);
    if (isAdapterLayer(module)) inside.push(name);
  }
  return out;
}

export interface ResolveTargetsOptions {
  /** Whether a module counts as linear for 'all-linear' (PEFT: nn.Linear and Conv1D). */
  readonly isLinear: (module: Module) => boolean;
  /** The output head, which 'all-linear' leaves out ('lm_head', PEFT's get_output_embeddings()). */
  readonly outputHead: string;
}

/**
 * `target_modules` with 'all-linear' expanded, as PEFT's `_maybe_include_all_linear_layers` does:
 * the short names (the last segment, `q_proj`) of the linear modules, the output head's left out,
 * sorted; PEFT saves this set in adapter_config.json. Any other value is returned as is.
 */
export function expandAllLinear(
  model: Module,
  targets: readonly string[] | string,
  opts: ResolveTargetsOptions,
): readonly string[] | string {
  if (typeof targets !== 'string' || targets.toLowerCase() !== ALL_LINEAR) return targets;
  const names = new Set(
    candidateModules(model)
      .filter(([, module]) => opts.isLinear(module))
      .map(([name]) => name.slice(name.lastIndexOf('.') + 1)),
  );
  names.delete(opts.outputHead);
  return [...names].sort();
}

/**
 * The names of the modules `spec` targets in `model`. None is an error that lists the modules the
 * model has, layer indices folded to '*', so a misspelt name is easy to spot.
 */
export function findTargetModules(model: Module, spec: TargetSpec): string[] {
  const candidates = candidateModules(model).map(([name]) => name);
  const found = candidates.filter((name) => checkTargetModuleExists(spec, name));
  if (found.length === 0) {
    const names = [...new Set(candidates.map((name) => name.replace(/\.\d+(?=\.|$)/g, '.*')))];
    throw new UserError(
      `target_modules ${JSON.stringify(spec.target_modules)} matched no module of the model; ` +
        `its modules are: ${names.join(', ')}`,
    );
  }
  return found;
}
