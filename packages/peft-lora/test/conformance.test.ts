import { describePeftMethod } from '@tunekit/core/testing';
import { denseLinearDispatcher, loraMethod } from '../src/index.js';

// plain LoRA on every linear layer, rsLoRA, DoRA, and DoRA with rsLoRA on the model type's defaults
describePeftMethod(loraMethod, {
  dispatchers: [denseLinearDispatcher],
  config: { r: 4, lora_alpha: 8, target_modules: 'all-linear' },
});
describePeftMethod(loraMethod, {
  dispatchers: [denseLinearDispatcher],
  config: { r: 4, lora_alpha: 8, use_rslora: true },
});
describePeftMethod(loraMethod, {
  dispatchers: [denseLinearDispatcher],
  config: { r: 2, use_dora: true },
});
describePeftMethod(loraMethod, {
  dispatchers: [denseLinearDispatcher],
  config: { r: 2, use_dora: true, use_rslora: true },
});
