import { Conv1D, Linear, type Module } from '../nn/index.js';
import type { LinearDispatcher } from './linear-dispatcher.js';
import type { AdapterLayerOptions, TunerLayer } from './tuner-layer.js';

/** A dense torch.nn.Linear ([out, in]) or HF Conv1D ([in, out]), what PEFT's `dispatch_default` takes. */
export function isDenseLinear(module: Module): module is Linear | Conv1D {
  return module instanceof Linear || module instanceof Conv1D;
}

/**
 * A method's dispatcher for dense bases (PEFT's `dispatch_default`): `wrap` makes the method's layer
 * around the base, which then gains the adapter. Priority 0, so a plugin for a quantized base
 * registers its dispatcher above it.
 */
export function denseDispatcher<O extends AdapterLayerOptions>(
  method: string,
  wrap: (base: Linear | Conv1D, options: O) => TunerLayer<O>,
): LinearDispatcher<O> {
  return {
    id: 'dense',
    method,
    priority: 0,
    accepts: isDenseLinear,
    create(target, options) {
      if (!isDenseLinear(target))
        throw new Error(`the dense ${method} dispatcher was given a ${target.constructor.name}`);
      const layer = wrap(target, options);
      layer.updateLayer(options);
      return layer;
    },
  };
}
