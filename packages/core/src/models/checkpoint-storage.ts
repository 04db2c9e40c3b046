import type { Module } from '../nn/index.js';
import type { HostTensor } from '../tensor/index.js';

/**
 * A module that keeps some of its checkpoint tensors in a form of its own: a 4-bit Linear keeps its
 * weight packed (QLoRA's `load_in_4bit`). The loader hands it each such tensor as soon as it is read,
 * so a model stored that way is never held whole in full precision.
 */
export interface StoresCheckpointTensors {
  /**
   * The tensors this module keeps for checkpoint tensor `local` (its own name, e.g. 'weight'), by
   * their local names (parameters of the module: 'weight', 'weight.absmax', ...); the tensor as it
   * is when the module keeps it unchanged.
   */
  storeCheckpointTensor(local: string, tensor: HostTensor): ReadonlyMap<string, HostTensor>;
}

export function storesCheckpointTensors(m: Module): m is Module & StoresCheckpointTensors {
  return typeof (m as Partial<StoresCheckpointTensors>).storeCheckpointTensor === 'function';
}

/**
 * For a model some of whose modules store their tensors themselves, the step that turns one
 * checkpoint tensor (named as stored, with or without the family's `baseModelPrefix`) into the
 * tensors the model loads; undefined when no module does.
 */
export function checkpointStorage(
  model: Module,
  baseModelPrefix: string,
): ((name: string, tensor: HostTensor) => Iterable<[string, HostTensor]>) | undefined {
  const storers = new Map(
    model
      .namedModules()
      .filter((entry): entry is [string, Module & StoresCheckpointTensors] =>
        storesCheckpointTensors(entry[1]),
      ),
  );
  if (storers.size === 0) return undefined;
  return (name, tensor) => {
    const dot = name.lastIndexOf('.');
    const path = name.slice(0, Math.max(dot, 0));
    const storer = storers.get(path) ?? storers.get(`${baseModelPrefix}.${path}`);
    if (!storer) return [[name, tensor]];
    const stored = storer.storeCheckpointTensor(name.slice(dot + 1), tensor);
    return [...stored].map(([local, t]) => [`${path}.${local}`, t]);
  };
}
