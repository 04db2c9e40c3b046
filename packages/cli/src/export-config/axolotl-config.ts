import { UserError } from '@tunekit/core';
import type { ClusterJob, JobSource } from './cluster-job.js';
import { applyKeyRules, COMMON_RULES, isOff, type KeyRules } from './key-rules.js';

const AXOLOTL = 'axolotl';

/** tunekit's config keys as axolotl 0.18 names them (axolotl's config reference). */
const RULES: KeyRules = {
  ...COMMON_RULES,
  output_dir: { to: 'output_dir' },
  learning_rate: { to: 'learning_rate' },
  per_device_train_batch_size: { to: 'micro_batch_size' },
  per_device_eval_batch_size: { to: 'eval_batch_size' },
  gradient_accumulation_steps: { to: 'gradient_accumulation_steps' },
  num_train_epochs: { to: 'num_epochs', omit: (_: number, c) => c.max_steps > 0 },
  max_steps: { to: 'max_steps', omit: (steps: number) => steps <= 0 },
  lr_scheduler_type: { to: 'lr_scheduler' },
  warmup_steps: { to: 'warmup_steps', omit: isOff.zero },
  // tunekit, as transformers: warmup_steps > 0 wins over warmup_ratio
  warmup_ratio: { to: 'warmup_ratio', omit: (r: number, c) => r === 0 || c.warmup_steps > 0 },
  weight_decay: { to: 'weight_decay' },
  adam_beta1: { to: 'adam_beta1' },
  adam_beta2: { to: 'adam_beta2' },
  adam_epsilon: { to: 'adam_epsilon' },
  optim: { to: 'optimizer' },
  max_grad_norm: { to: 'max_grad_norm' },
  label_smoothing_factor: { error: 'no label smoothing option', unless: isOff.zero },
  seed: { to: 'seed' },
  logging_steps: { to: 'logging_steps' },
  eval_strategy: { to: 'eval_strategy' },
  eval_steps: { to: 'eval_steps', omit: isOff.null },
  eval_on_start: {
    warn: "no evaluation before the first step; run `tunekit eval` on the base model for the 'before' numbers",
    unless: isOff.false,
  },
  save_strategy: { to: 'save_strategy' },
  save_steps: { to: 'save_steps' },
  save_total_limit: { to: 'save_total_limit', omit: isOff.null },
  gradient_checkpointing: { to: 'gradient_checkpointing', omit: isOff.false },
  neftune_noise_alpha: { to: 'neftune_noise_alpha', omit: isOff.null },
  metric_for_best_model: { to: 'metric_for_best_model', omit: isOff.null },
  greater_is_better: { to: 'greater_is_better', omit: isOff.null },
  early_stopping_patience: { to: 'early_stopping_patience', omit: isOff.null },
  early_stopping_threshold: { warn: 'no early-stopping threshold (0 is used)', unless: isOff.zero },
  remove_duplicates: { to: 'dataset_exact_deduplication' },
  max_length: { to: 'sequence_len' },
  packing: { to: 'sample_packing' },
  skip_invalid: COMMON_RULES.skip_invalid,
  adapter: { handled: 'LoRA settings' },
  load_in_4bit: { to: 'load_in_4bit', omit: isOff.false },
  bnb_4bit_quant_type: { handled: 'bnb_config_kwargs' },
  bnb_4bit_use_double_quant: { handled: 'bnb_config_kwargs' },
  bnb_4bit_compute_dtype: {
    warn: 'axolotl computes in its own dtype: set bf16: true (or fp16: true) there',
    unless: (dtype: string) => dtype === 'float32',
  },
  bnb_4bit_quant_storage: {
    warn: 'axolotl picks the storage dtype of packed 4-bit weights itself',
    unless: (storage: string) => storage === 'uint8',
  },
  llm_int8_skip_modules: {
    error: 'no setting for modules kept out of quantization',
    unless: isOff.null,
  },
};

/** ShareGPT's speakers under axolotl's roles (tunekit's sharegpt format reads the same tags). */
const SHAREGPT_ROLES = {
  user: ['human', 'user'],
  assistant: ['gpt', 'assistant', 'function_call'],
  system: ['system'],
  tool: ['observation'],
};

/**
 * The axolotl config for the same job: base_model, the chat template as Jinja, datasets with their
 * field mappings and loss masking, the LoRA adapter and the training arguments, so that
 * `axolotl train` (with `deepspeed:` or `fsdp_config:` added for a cluster) runs it and writes a
 * PEFT adapter into output_dir.
 */
export function axolotlConfig(
  job: ClusterJob,
  warn: (line: string) => void,
): Record<string, unknown> {
  const { config } = job;
  const template =
    job.template.jinja === undefined
      ? { chat_template: 'tokenizer_default' }
      : { chat_template: 'jinja', chat_template_jinja: job.template.jinja };
  if (job.system !== undefined)
    warn(
      'system: axolotl adds default_system_message only to conversations without a system message; tunekit also puts it before an existing one',
    );
  return {
    base_model: job.baseModel,
    ...template,
    ...(job.system === undefined ? {} : { default_system_message: job.system }),
    datasets: job.train.flatMap((source) => datasets(source, job, warn)),
    ...(job.eval && { test_datasets: job.eval.flatMap((source) => datasets(source, job, warn)) }),
    ...(config.eval_split === undefined ? {} : { val_set_size: config.eval_split }),
    // instruction-style datasets: the loss on the prompt too under loss_policy all
    train_on_inputs: config.loss_policy === 'all',
    ...(job.lora && lora(job.lora, config.load_in_4bit)),
    ...(config.load_in_4bit && {
      bnb_config_kwargs: {
        bnb_4bit_quant_type: config.bnb_4bit_quant_type,
        bnb_4bit_use_double_quant: config.bnb_4bit_use_double_quant,
      },
    }),
    ...applyKeyRules(config, RULES, AXOLOTL, warn),
    // the adapter (or model) comes back to tunekit as safetensors
    save_safetensors: true,
  };
}

function datasets(source: JobSource, job: ClusterJob, warn: (line: string) => void) {
  const type = datasetType(source.format, job, warn);
  return source.paths.map((path) => {
    if (/[*?[\]{}]/.test(path))
      warn(`${path}: axolotl reads one file or folder per dataset; list the files a glob matches`);
    return { path, ds_type: 'json', ...type };
  });
}

/** The dataset `type` and field mapping for a format, with the loss masking of `loss_policy`. */
function datasetType(format: string, job: ClusterJob, warn: (line: string) => void) {
  const policy = job.config.loss_policy;
  const onAll = policy === 'all';
  if (format === 'text') return { type: 'completion', field: 'text' };
  if (format === 'messages' || format === 'sharegpt') {
    if (policy === 'last_assistant' || policy === 'completion_only')
      throw new UserError(
        `loss_policy: ${policy}: axolotl's chat_template datasets train every assistant turn or every turn; use assistant or all to export`,
      );
    return {
      type: 'chat_template',
      field_messages: format === 'messages' ? 'messages' : 'conversations',
      ...(format === 'sharegpt' && {
        message_property_mappings: { role: 'from', content: 'value' },
        roles: SHAREGPT_ROLES,
      }),
      roles_to_train: onAll ? ['system', 'user', 'assistant'] : ['assistant'],
      train_on_eos: onAll ? 'all' : 'turn',
    };
  }
  if (format === 'alpaca' || format === 'prompt_completion') {
    if (policy === 'last_assistant')
      throw new UserError(
        'loss_policy: last_assistant: axolotl has no such masking; use assistant',
      );
    if (format === 'alpaca' && job.template.id === 'alpaca') return { type: 'alpaca' };
    return { type: promptFormat(format, job, warn) };
  }
  throw new UserError(`format ${format}: no axolotl SFT dataset type; export SFT data only`);
}

/**
 * A user-defined axolotl prompt for instruction-style records under a chat template: the template
 * rendered around `{instruction}` (and `{input}`), as tunekit renders such records as a user turn.
 */
function promptFormat(format: string, job: ClusterJob, warn: (line: string) => void) {
  const render = (user: string) =>
    job.template.render
      .render([{ role: 'user', content: user }], { addGenerationPrompt: true })
      .text.replace(/[{}]/g, (brace) => brace + brace)
      // the placeholders, marked by a private-use character (templates' own are U+E000, U+E001)
      .replace(/\uE100(\w+)\uE100/g, '{$1}');
  warn(
    `${format} records: axolotl ends each answer with the tokenizer's eos_token, where tunekit ends it as template ${job.template.id} does`,
  );
  return {
    field_instruction: format === 'alpaca' ? 'instruction' : 'prompt',
    ...(format === 'alpaca' && { field_input: 'input' }),
    field_output: format === 'alpaca' ? 'output' : 'completion',
    format: render(
      format === 'alpaca'
        ? '\uE100instruction\uE100\n\n\uE100input\uE100'
        : '\uE100instruction\uE100',
    ),
    no_input_format: render('\uE100instruction\uE100'),
  };
}

/** PEFT's LoraConfig fields under axolotl's names; a changed field it lacks is an error. */
const LORA_KEYS: Readonly<Record<string, string>> = {
  r: 'lora_r',
  lora_alpha: 'lora_alpha',
  lora_dropout: 'lora_dropout',
  use_rslora: 'peft_use_rslora',
  use_dora: 'peft_use_dora',
  modules_to_save: 'lora_modules_to_save',
  fan_in_fan_out: 'lora_fan_in_fan_out',
  init_lora_weights: 'peft_init_lora_weights',
  layers_to_transform: 'peft_layers_to_transform',
  layers_pattern: 'peft_layers_pattern',
  rank_pattern: 'lora_rank_pattern',
  alpha_pattern: 'lora_alpha_pattern',
  target_parameters: 'lora_target_parameters',
  layer_replication: 'peft_layer_replication',
  trainable_token_indices: 'peft_trainable_token_indices',
  ensure_weight_tying: 'peft_ensure_weight_tying',
};

function lora(fields: Readonly<Record<string, unknown>>, in4bit: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { adapter: in4bit ? 'qlora' : 'lora' };
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'target_modules') {
      if (value === 'all-linear') out.lora_target_linear = true;
      else if (value !== null) out.lora_target_modules = value;
      continue;
    }
    const to = LORA_KEYS[key];
    if (to === undefined)
      throw new UserError(
        `peft.${key}: ${JSON.stringify(value)} has no axolotl equivalent; remove it (PEFT's default) to export`,
      );
    out[to] = value;
  }
  return out;
}
