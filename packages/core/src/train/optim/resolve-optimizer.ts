import type { DependencyContainer } from 'tsyringe';
import { UserError } from '../../errors/index.js';
import { resolveAllOf, resolveById } from '../../plugin/registry.js';
import { TOKENS } from '../../plugin/tokens.js';
import type { AnyOptimizer } from './host-optimizer.js';
import type { OptimizerArgs } from './optimizer-factory.js';

/**
 * The packages of tunekit's own optimizers by transformers' `optim` name, so that a config naming
 * one that is not loaded says what to install. A hint, not a registry: a third party's optimizer
 * registers under TOKENS.OptimizerFactory and is found the same way without an entry here.
 */
export const KNOWN_OPTIMIZER_PLUGINS: Readonly<Record<string, string>> = Object.freeze({
  adamw_8bit: '@tunekit/peft-qlora',
  paged_adamw_8bit: '@tunekit/peft-qlora',
  paged_adamw_32bit: '@tunekit/peft-qlora',
});

/** The optimizer that `optim` names, created with `args`; an unknown name lists the registered ones. */
export function resolveOptimizer(
  container: DependencyContainer,
  optim: string,
  args: OptimizerArgs,
): AnyOptimizer {
  const registered = resolveAllOf(container, TOKENS.OptimizerFactory).map((f) => f.id);
  const pkg = Object.hasOwn(KNOWN_OPTIMIZER_PLUGINS, optim)
    ? KNOWN_OPTIMIZER_PLUGINS[optim]
    : undefined;
  if (!registered.includes(optim) && pkg !== undefined) {
    throw new UserError(
      `optim '${optim}' is in ${pkg}: npm install ${pkg} and load it (--plugin ${pkg}, or plugins: [${pkg}] in the config); registered: ${[...new Set(registered)].sort().join(', ') || 'none'}`,
    );
  }
  return resolveById(container, TOKENS.OptimizerFactory, optim, 'optim').create(args);
}
