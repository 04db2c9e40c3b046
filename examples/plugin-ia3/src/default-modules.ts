/**
 * PEFT's `TRANSFORMERS_MODELS_TO_IA3_TARGET_MODULES_MAPPING` and `..._FEEDFORWARD_MODULES_MAPPING`
 * (peft/utils/constants.py) for the model types tunekit builds, by the field they default.
 */
export const IA3_MODEL_TYPE_DEFAULTS = {
  target_modules: {
    llama: ['k_proj', 'v_proj', 'down_proj'],
    mistral: ['k_proj', 'v_proj', 'down_proj'],
    qwen2: ['q_proj', 'v_proj', 'down_proj'],
    gpt2: ['c_attn', 'mlp.c_proj'],
  },
  feedforward_modules: {
    llama: ['down_proj'],
    mistral: ['down_proj'],
    qwen2: ['down_proj'],
    gpt2: ['mlp.c_proj'],
  },
} as const;
