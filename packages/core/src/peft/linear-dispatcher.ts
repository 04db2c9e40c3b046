import { UserError } from '../errors/index.js';
import type { Module } from '../nn/index.js';
import type { AdapterLayer } from './adapter-layer.js';

/**
 * Makes a method's adapter layer around one kind of base module (PEFT's `dispatch_default`,
 * `dispatch_bnb_4bit`, ...). Dispatchers are registered under `TOKENS.LinearDispatcher` by any
 * plugin; a method tries those made for it in priority order and uses the first that accepts the
 * module, so a quantization plugin adds its base type ahead of the dense one without the method
 * knowing it.
 */
export interface LinearDispatcher<O = unknown> {
  /** 'dense', 'nf4'; unique among the dispatchers of one method. */
  readonly id: string;
  /** The PEFT method whose layers it makes ('lora'). */
  readonly method: string;
  /** Higher is tried first. */
  readonly priority: number;
  accepts(target: Module): boolean;
  /** The adapter layer wrapping `target`; `options` are the method's own (rank, scaling, ...). */
  create(target: Module, options: O): AdapterLayer;
}

/** The dispatchers made for `method`, highest priority first (ties by id, so the order is stable). */
export function dispatchersFor<O>(
  dispatchers: readonly LinearDispatcher[],
  method: string,
): LinearDispatcher<O>[] {
  return dispatchers
    .filter((d) => d.method === method)
    .sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The first of `dispatchers` (already ordered) that accepts `target`, which lives at `path`. */
export function pickDispatcher<O>(
  dispatchers: readonly LinearDispatcher<O>[],
  target: Module,
  path: string,
  method: string,
): LinearDispatcher<O> {
  const found = dispatchers.find((d) => d.accepts(target));
  if (!found) {
    const ids = dispatchers.map((d) => d.id);
    throw new UserError(
      `module '${path}' (${target.constructor.name}) cannot be adapted by ${method}: ` +
        `no registered dispatcher accepts it (${ids.length > 0 ? ids.join(', ') : 'none registered'}); ` +
        'pick modules of a supported type in target_modules',
    );
  }
  return found;
}
