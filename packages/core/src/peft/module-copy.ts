import { UserError } from '../errors/index.js';
import {
  Conv1D,
  Embedding,
  LayerNorm,
  Linear,
  type Module,
  RMSNorm,
  type UnaryModule,
} from '../nn/index.js';
import { HostTensor } from '../tensor/index.js';

/** How to make a fresh module of the same kind and size as `m` (the weights are copied after). */
const FRESH: readonly [new (...args: never[]) => Module, (m: never) => UnaryModule][] = [
  [Linear, (m: Linear) => new Linear(m.inFeatures, m.outFeatures, m.hasBias)],
  [Conv1D, (m: Conv1D) => new Conv1D(m.inFeatures, m.outFeatures)],
  [Embedding, (m: Embedding) => new Embedding(m.numEmbeddings, m.embeddingDim)],
  [RMSNorm, (m: RMSNorm) => new RMSNorm(m.size, m.eps)],
  [LayerNorm, (m: LayerNorm) => new LayerNorm(m.size, m.eps)],
];

/**
 * A copy of `module` with its own copy of every weight (PEFT's `copy.deepcopy` of a module to
 * save). The layers whose copy is known are Linear, Conv1D, Embedding, RMSNorm and LayerNorm;
 * `path` names the module in the error for any other.
 */
export function copyModule(module: Module, path: string): UnaryModule {
  const entry = FRESH.find(([type]) => module instanceof type);
  if (!entry) {
    throw new UserError(
      `modules_to_save: '${path}' is a ${module.constructor.name}, which cannot be copied; ` +
        'name layers of type Linear, Conv1D, Embedding, RMSNorm or LayerNorm',
    );
  }
  const copy = entry[1](module as never);
  copy.loadStateDict(
    new Map(
      module
        .namedParameters()
        .map(([name, p]) => [name, new HostTensor(p.dtype, p.shape, p.value.data.slice())]),
    ),
  );
  return copy;
}
