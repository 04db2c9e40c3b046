/**
 * PEFT's `TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING` for the model types tunekit builds:
 * the modules LoRA adapts when a config gives no `target_modules`.
 */
export const DEFAULT_TARGET_MODULES: Readonly<Record<string, readonly string[]>> = {
  llama: ['q_proj', 'v_proj'],
  mistral: ['q_proj', 'v_proj'],
  mixtral: ['q_proj', 'v_proj'],
  qwen2: ['q_proj', 'v_proj'],
  qwen3: ['q_proj', 'v_proj'],
  gemma: ['q_proj', 'v_proj'],
  gemma2: ['q_proj', 'v_proj'],
  phi3: ['qkv_proj'],
  gpt2: ['c_attn'],
};
