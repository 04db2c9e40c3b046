/**
 * PEFT's `TRANSFORMERS_MODELS_TO_IA3_TARGET_MODULES_MAPPING` and `..._FEEDFORWARD_MODULES_MAPPING`
 * (peft/utils/constants.py) for the model types tunekit builds: what IA3 scales when a config
 * gives no `target_modules` or `feedforward_modules`.
 */
export const IA3_DEFAULT_MODULES: Readonly<
  Record<string, { target_modules: readonly string[]; feedforward_modules: readonly string[] }>
> = {
  llama: { target_modules: ['k_proj', 'v_proj', 'down_proj'], feedforward_modules: ['down_proj'] },
  mistral: {
    target_modules: ['k_proj', 'v_proj', 'down_proj'],
    feedforward_modules: ['down_proj'],
  },
  qwen2: { target_modules: ['q_proj', 'v_proj', 'down_proj'], feedforward_modules: ['down_proj'] },
  gpt2: { target_modules: ['c_attn', 'mlp.c_proj'], feedforward_modules: ['mlp.c_proj'] },
};
