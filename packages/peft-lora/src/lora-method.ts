import { isAdapterLayer, type Module, type PeftMethod } from '@tunekit/core';
import { type LoraConfig, loraConfigSchema, savedLoraConfig } from './config.js';
import { injectLora } from './inject.js';

/**
 * LoRA (Hu et al. 2021) with rsLoRA and DoRA, as Hugging Face PEFT defines it: method id 'lora',
 * `peft_type` 'LORA', parameters named `lora_A`, `lora_B`, `lora_magnitude_vector`.
 */
export const loraMethod: PeftMethod<LoraConfig> = {
  id: 'lora',
  prefix: 'lora_',
  isPromptLearning: false,
  configSchema: loraConfigSchema,
  inject: injectLora,
  extraTrainable: (model, config) => trainedBiases(model, config.bias),
  savedConfig: savedLoraConfig,
};

/**
 * The biases `bias` trains (PEFT's `_mark_only_adapters_as_trainable`): 'all' every bias of the
 * model, 'lora_only' those of the layers LoRA wraps, 'none' none.
 */
function trainedBiases(model: Module, bias: LoraConfig['bias']): string[] {
  if (bias === 'none') return [];
  const biases = model
    .namedParameters()
    .map(([path]) => path)
    .filter((path) => path === 'bias' || path.endsWith('.bias'));
  if (bias === 'all') return biases;
  const loraLayers = model
    .namedModules()
    .filter(([, m]) => isAdapterLayer(m) && m.method === 'lora')
    .map(([path]) => `${path}.base_layer.bias`);
  return biases.filter((path) => loraLayers.includes(path));
}
