import { Conv1D, Linear, type LinearDispatcher } from '@tunekit/core';
import { type Ia3LayerOptions, Ia3Linear } from './ia3-linear.js';

/** (IA)³ around a dense torch.nn.Linear or HF Conv1D (PEFT's `_create_new_module`, unquantized). */
export const denseIa3Dispatcher: LinearDispatcher<Ia3LayerOptions> = {
  id: 'dense',
  method: 'ia3',
  priority: 0,
  accepts: (target) => target instanceof Linear || target instanceof Conv1D,
  create(target, options) {
    if (!(target instanceof Linear || target instanceof Conv1D))
      throw new Error('dense IA3 dispatcher given a non-linear module');
    const layer = new Ia3Linear(target, options.isFeedforward);
    layer.updateLayer(options);
    return layer;
  },
};
