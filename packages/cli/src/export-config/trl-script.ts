import { UserError } from '@tunekit/core';
import { hasGenerationBlocks } from '@tunekit/templates';
import type { ClusterJob, JobSource } from './cluster-job.js';
import { applyKeyRules, COMMON_RULES, isOff, type KeyRules } from './key-rules.js';
import { pythonLiteral } from './python-literal.js';

const TRL = 'TRL';

/** tunekit's keys are transformers' TrainingArguments and TRL's SFTConfig names already. */
const RULES: KeyRules = {
  ...COMMON_RULES,
  output_dir: { to: 'output_dir' },
  learning_rate: { to: 'learning_rate' },
  per_device_train_batch_size: { to: 'per_device_train_batch_size' },
  per_device_eval_batch_size: { to: 'per_device_eval_batch_size' },
  gradient_accumulation_steps: { to: 'gradient_accumulation_steps' },
  num_train_epochs: { to: 'num_train_epochs', omit: (_: number, c) => c.max_steps > 0 },
  max_steps: { to: 'max_steps', omit: (steps: number) => steps <= 0 },
  lr_scheduler_type: { to: 'lr_scheduler_type' },
  warmup_steps: { to: 'warmup_steps', omit: isOff.zero },
  // transformers 5 dropped warmup_ratio: the steps it means (rounded up, as tunekit does)
  warmup_ratio: {
    to: 'warmup_steps',
    omit: (ratio: number, c) => ratio === 0 || c.warmup_steps > 0,
    value: (ratio: number, c) => (c.max_steps > 0 ? Math.ceil(ratio * c.max_steps) : ratio),
  },
  weight_decay: { to: 'weight_decay' },
  adam_beta1: { to: 'adam_beta1' },
  adam_beta2: { to: 'adam_beta2' },
  adam_epsilon: { to: 'adam_epsilon' },
  optim: { to: 'optim' },
  max_grad_norm: { to: 'max_grad_norm' },
  label_smoothing_factor: { to: 'label_smoothing_factor', omit: isOff.zero },
  seed: { to: 'seed' },
  logging_steps: { to: 'logging_steps' },
  eval_strategy: { to: 'eval_strategy' },
  eval_steps: { to: 'eval_steps', omit: isOff.null },
  // transformers stops when asked to evaluate with no eval data; tunekit warns and goes on
  eval_on_start: {
    to: 'eval_on_start',
    omit: (on: boolean, c) => !on || (c.eval === undefined && c.eval_split === undefined),
  },
  save_strategy: { to: 'save_strategy' },
  save_steps: { to: 'save_steps' },
  save_total_limit: { to: 'save_total_limit', omit: isOff.null },
  gradient_checkpointing: { to: 'gradient_checkpointing', omit: isOff.false },
  neftune_noise_alpha: { to: 'neftune_noise_alpha', omit: isOff.null },
  metric_for_best_model: { to: 'metric_for_best_model', omit: isOff.null },
  greater_is_better: { to: 'greater_is_better', omit: isOff.null },
  early_stopping_patience: {
    warn: "add transformers' EarlyStoppingCallback (it needs load_best_model_at_end)",
    unless: isOff.null,
  },
  early_stopping_threshold: {
    warn: "add transformers' EarlyStoppingCallback (it needs load_best_model_at_end)",
    unless: isOff.zero,
  },
  adapter: { handled: 'LoRA settings' },
  // from_pretrained takes BitsAndBytesConfig's fields as a dict
  load_in_4bit: {
    to: 'model_init_kwargs',
    omit: isOff.false,
    value: (_: boolean, c) => ({
      quantization_config: {
        load_in_4bit: true,
        bnb_4bit_quant_type: c.bnb_4bit_quant_type,
        bnb_4bit_use_double_quant: c.bnb_4bit_use_double_quant,
        bnb_4bit_compute_dtype: c.bnb_4bit_compute_dtype,
        bnb_4bit_quant_storage: c.bnb_4bit_quant_storage,
        llm_int8_skip_modules: c.llm_int8_skip_modules,
      },
    }),
  },
  bnb_4bit_quant_type: { handled: 'model_init_kwargs' },
  bnb_4bit_use_double_quant: { handled: 'model_init_kwargs' },
  bnb_4bit_compute_dtype: { handled: 'model_init_kwargs' },
  bnb_4bit_quant_storage: { handled: 'model_init_kwargs' },
  llm_int8_skip_modules: { handled: 'model_init_kwargs' },
  remove_duplicates: {
    warn: 'SFTTrainer keeps duplicate examples; deduplicate the data first',
    unless: isOff.false,
  },
  max_length: { to: 'max_length' },
  packing: { to: 'packing' },
};

/** How each format's records become TRL's dataset types: Python that maps one record. */
const CONVERSIONS: Readonly<Record<string, { kind: Kind; python?: string }>> = {
  messages: { kind: 'messages' },
  sharegpt: {
    kind: 'messages',
    python: `ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant", "system": "system", "function_call": "assistant", "observation": "tool"}
    system = [{"role": "system", "content": record["system"]}] if record.get("system") else []
    return {"messages": system + [{"role": ROLES[turn["from"]], "content": turn["value"]} for turn in record["conversations"]]}`,
  },
  alpaca: {
    kind: 'prompt_completion',
    python: `user = record["instruction"] + ("\\n\\n" + record["input"] if record.get("input") else "")
    return {"prompt": [{"role": "user", "content": user}], "completion": [{"role": "assistant", "content": record["output"]}]}`,
  },
  prompt_completion: {
    kind: 'prompt_completion',
    python: `return {"prompt": [{"role": "user", "content": record["prompt"]}], "completion": [{"role": "assistant", "content": record["completion"]}]}`,
  },
  text: { kind: 'text' },
};
type Kind = 'messages' | 'prompt_completion' | 'text';

/**
 * A TRL SFT script for the same job: the tokenizer's chat template set to tunekit's, the data
 * loaded with `datasets` and mapped to TRL's conversational types, a peft LoraConfig and an
 * SFTConfig with the training arguments. `accelerate launch` runs it with DeepSpeed or FSDP; the
 * adapter it saves into output_dir is PEFT's format.
 */
export function trlScript(job: ClusterJob, source: string, warn: (line: string) => void): string {
  const { config } = job;
  const formats = [...job.train, ...(job.eval ?? [])].map((s) => s.format);
  const kinds = new Set(formats.map((format) => conversion(format).kind));
  if (kinds.size > 1)
    throw new UserError(
      `train/eval: formats ${[...new Set(formats)].join(', ')} make different TRL dataset types; export sources of one kind`,
    );
  const kind = [...kinds][0];
  if (job.template.id === 'alpaca' && formats.includes('alpaca'))
    throw new UserError(
      "template: alpaca reads the records' input as a template variable, which SFTTrainer does not pass; export to axolotl (type: alpaca) or train with another template",
    );
  if (config.loss_policy === 'last_assistant')
    throw new UserError('loss_policy: last_assistant: TRL has no such masking; use assistant');
  if (job.system !== undefined && kind === 'text')
    throw new UserError('system: plain-text records have no turns to put a system message in');
  const loss =
    kind === 'text'
      ? { dataset_text_field: 'text' }
      : kind === 'messages'
        ? { assistant_only_loss: config.loss_policy !== 'all' }
        : { completion_only_loss: config.loss_policy !== 'all' };
  if (kind === 'messages' && config.loss_policy !== 'all' && !generationBlocks(job))
    warn(
      `loss_policy: TRL's assistant_only_loss needs {% generation %} blocks in the chat template, and template ${job.template.id} has none; add them around the assistant turns or the run stops`,
    );
  const args = { ...applyKeyRules(config, RULES, TRL, warn), ...loss };
  const toTrl = recordFunction(formats, job.system);
  const lines = [
    `"""TRL SFT script written by \`tunekit export-config --to trl\` from ${source}.`,
    '',
    'For trl 1.9, peft 0.20 and transformers 4.57 or 5. One GPU: python <this file>; a cluster:',
    'accelerate launch --config_file <DeepSpeed or FSDP accelerate config> <this file>.',
    "Run it from this file's folder: the model and data paths are relative to it.",
    "The adapter saved in output_dir is PEFT's format: tunekit eval, chat and export read it.",
    '"""',
    'from datasets import concatenate_datasets, load_dataset',
    ...(job.lora ? ['from peft import LoraConfig'] : []),
    'from transformers import AutoTokenizer',
    'from trl import SFTConfig, SFTTrainer',
    '',
    `BASE_MODEL = ${pythonLiteral(job.baseModel)}`,
    'tokenizer = AutoTokenizer.from_pretrained(BASE_MODEL)',
    ...(job.template.jinja === undefined
      ? ["# the model's own chat_template, as tunekit trained with"]
      : [
          `tokenizer.chat_template = ${pythonLiteral(job.template.jinja)}  # template ${job.template.id}`,
        ]),
    '',
    ...toTrl,
    '',
    'def load(paths):',
    '    dataset = load_dataset("json", data_files=paths, split="train")',
    toTrl.length === 0
      ? '    return dataset'
      : '    return dataset.map(to_trl, remove_columns=dataset.column_names)',
    '',
    '',
    `train_dataset = ${datasets(job.train)}`,
    `eval_dataset = ${evalDataset(job)}`,
    '',
    'args = SFTConfig(',
    ...Object.entries(args).map(([key, value]) => `    ${key}=${pythonLiteral(value)},`),
    ')',
    ...(job.lora
      ? [
          'peft_config = LoraConfig(',
          '    task_type="CAUSAL_LM",',
          ...Object.entries(job.lora).map(([key, value]) => `    ${key}=${pythonLiteral(value)},`),
          ')',
        ]
      : []),
    'trainer = SFTTrainer(',
    '    model=BASE_MODEL,',
    '    args=args,',
    '    train_dataset=train_dataset,',
    '    eval_dataset=eval_dataset,',
    '    processing_class=tokenizer,',
    ...(job.lora ? ['    peft_config=peft_config,'] : []),
    ')',
    'trainer.train()',
    'trainer.save_model(args.output_dir)',
    '',
  ];
  return lines.join('\n');
}

/** Whether the template marks assistant turns for TRL (the model's own: unknown, assumed). */
function generationBlocks(job: ClusterJob): boolean {
  return job.template.jinja === undefined || hasGenerationBlocks(job.template.jinja);
}

function conversion(format: string) {
  const found = CONVERSIONS[format];
  if (found === undefined)
    throw new UserError(`format ${format}: no TRL SFT dataset type; export SFT data only`);
  return found;
}

/** `to_trl(record)`: one format's conversion (the sources share a kind), then the system message. */
function recordFunction(formats: readonly string[], system: string | undefined): string[] {
  const python = [...new Set(formats.map((f) => conversion(f).python))];
  if (python.length > 1)
    throw new UserError(
      `train/eval: formats ${[...new Set(formats)].join(', ')}: export sources of one format`,
    );
  const body = python[0];
  if (body === undefined && system === undefined) return [];
  const lines = [
    'def convert(record):',
    `    ${body ?? 'return record'}`,
    '',
    '',
    'def to_trl(record):',
    '    record = convert(record)',
  ];
  if (system !== undefined)
    lines.push(
      `    system = ${pythonLiteral(system)}  # tunekit's system:, before an existing system message`,
      '    turns = record["messages"] if "messages" in record else record["prompt"]',
      '    if turns[0]["role"] == "system":',
      '        turns[0] = {"role": "system", "content": system + "\\n\\n" + turns[0]["content"]}',
      '    else:',
      '        turns.insert(0, {"role": "system", "content": system})',
    );
  lines.push('    return record');
  return lines;
}

function datasets(sources: readonly JobSource[]): string {
  const loads = sources.map((s) => `load(${pythonLiteral(s.paths)})`);
  return loads.length === 1 ? loads[0] : `concatenate_datasets([${loads.join(', ')}])`;
}

function evalDataset(job: ClusterJob): string {
  if (job.eval) return datasets(job.eval);
  if (job.config.eval_split === undefined) return 'None';
  return `None\nsplit = train_dataset.train_test_split(test_size=${job.config.eval_split}, seed=${job.config.seed})\ntrain_dataset, eval_dataset = split["train"], split["test"]`;
}
