/**
 * The benchmarked models: random-weight Llamas, as `config.json` objects. `smollm135m` is
 * SmolLM2-135M's config; `tiny` and `small` are scaled-down relatives (tied embeddings, grouped-query
 * attention, intermediate about 3x hidden); `llama7b` is Llama-2-7B's (untied lm_head).
 */
export const MODELS: Readonly<
  Record<'tiny' | 'small' | 'smollm135m' | 'llama7b', LlamaConfigJson>
> = {
  tiny: llama({ hidden: 64, layers: 2, heads: 4, kvHeads: 2, intermediate: 192, vocab: 1024 }),
  small: llama({ hidden: 256, layers: 4, heads: 8, kvHeads: 4, intermediate: 768, vocab: 8192 }),
  smollm135m: {
    ...llama({ hidden: 576, layers: 30, heads: 9, kvHeads: 3, intermediate: 1536, vocab: 49152 }),
    rope_theta: 100000,
    max_position_embeddings: 8192,
  },
  llama7b: {
    ...llama({
      hidden: 4096,
      layers: 32,
      heads: 32,
      kvHeads: 32,
      intermediate: 11008,
      vocab: 32000,
    }),
    max_position_embeddings: 4096,
    tie_word_embeddings: false,
  },
};

export type ModelId = keyof typeof MODELS;

/**
 * What is trained: LoRA adapters (frozen base), LoRA on a base whose decoder Linears are NF4 with
 * double quantization (QLORA_CONFIG), or every weight.
 */
export type Method = 'lora' | 'qlora' | 'full';

/** A training step timed alone, on tunekit's TrainStepRunner and in PyTorch. */
export interface Workload {
  readonly kind: 'step';
  readonly id: string;
  readonly model: ModelId;
  readonly method: Method;
  readonly batch: number;
  readonly seq: number;
  /** Steps run and discarded before timing (session creation, allocator warm-up). */
  readonly warmup: number;
  /** Timed steps; the median is reported. */
  readonly steps: number;
  /** transformers' gradient_checkpointing: each decoder layer recomputed in the backward. */
  readonly gradientCheckpointing?: boolean;
}

/** The LoRA config of every LoRA workload (PEFT's field names). */
export const LORA_CONFIG = {
  r: 8,
  lora_alpha: 16,
  lora_dropout: 0,
  target_modules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
} as const;

/** The 4-bit base of the qlora workloads, as transformers' BitsAndBytesConfig spells it. */
export const QLORA_CONFIG = {
  load_in_4bit: true,
  bnb_4bit_quant_type: 'nf4',
  bnb_4bit_use_double_quant: true,
  bnb_4bit_compute_dtype: 'float32',
  bnb_4bit_quant_storage: 'uint8',
  llm_int8_skip_modules: null,
} as const;

/** AdamW as Hugging Face's Trainer defaults it, with gradient clipping at 1. */
export const OPTIMIZER = { lr: 1e-4, weight_decay: 0.01, max_grad_norm: 1 } as const;

/**
 * Whole `Trainer` steps on chat data: the data pipeline, the loop and the built-in callbacks around
 * the same kind of step, to time what the trainer adds to it.
 */
export interface TrainerWorkload extends Omit<Workload, 'kind'> {
  readonly kind: 'trainer';
  /** Chat records generated for the run; enough that the timed steps stay in the first epoch. */
  readonly examples: number;
}

/**
 * Session creation of a step workload's graph, in two fresh processes that share an empty session
 * cache: the first start optimizes the graph and writes the cache, the second loads it.
 */
export interface SessionWorkload extends Omit<Workload, 'kind'> {
  readonly kind: 'session';
}

const step = { kind: 'step', batch: 4, seq: 256 } as const;

export const WORKLOADS: readonly (Workload | TrainerWorkload | SessionWorkload)[] = [
  { id: 'tiny-lora', model: 'tiny', method: 'lora', ...step, warmup: 3, steps: 20 },
  // sized for a software WebGPU adapter (SwiftShader, about 1 GFLOP/s): well under a second a step
  {
    id: 'tiny-lora-s64',
    model: 'tiny',
    method: 'lora',
    kind: 'step',
    batch: 1,
    seq: 64,
    warmup: 1,
    steps: 3,
  },
  { id: 'small-lora', model: 'small', method: 'lora', ...step, warmup: 3, steps: 10 },
  { id: 'small-full', model: 'small', method: 'full', ...step, warmup: 3, steps: 10 },
  { id: 'smollm135m-lora', model: 'smollm135m', method: 'lora', ...step, warmup: 2, steps: 5 },
  // QLoRA's recipe: PEFT's prepare_model_for_kbit_training turns gradient checkpointing on
  {
    id: 'smollm135m-qlora',
    model: 'smollm135m',
    method: 'qlora',
    ...step,
    warmup: 2,
    steps: 5,
    gradientCheckpointing: true,
  },
  // three steps on one batch, each timed: its losses must fall
  {
    id: 'llama7b-qlora-step',
    model: 'llama7b',
    method: 'qlora',
    kind: 'step',
    batch: 1,
    seq: 256,
    warmup: 0,
    steps: 3,
    gradientCheckpointing: true,
  },
  // long context, batch 1: flash attention and the chunked LM head keep memory linear in seq
  ...[2048, 4096].map((seq) => ({
    id: `smollm135m-lora-s${seq}`,
    model: 'smollm135m' as const,
    method: 'lora' as const,
    kind: 'step' as const,
    batch: 1,
    seq,
    warmup: 1,
    steps: 2,
  })),
  // the same at 4096 with each decoder layer recomputed in the backward (PyTorch side skipped)
  {
    id: 'smollm135m-lora-s4096-gc',
    model: 'smollm135m',
    method: 'lora',
    kind: 'step',
    batch: 1,
    seq: 4096,
    warmup: 1,
    steps: 2,
    gradientCheckpointing: true,
  },
  {
    id: 'trainer-tiny-lora',
    kind: 'trainer',
    model: 'tiny',
    method: 'lora',
    batch: 4,
    seq: 256,
    warmup: 3,
    steps: 40,
    examples: 400,
  },
  {
    id: 'trainer-small-lora',
    kind: 'trainer',
    model: 'small',
    method: 'lora',
    batch: 4,
    seq: 256,
    warmup: 3,
    steps: 20,
    examples: 400,
  },
  {
    id: 'session-smollm135m-lora',
    kind: 'session',
    model: 'smollm135m',
    method: 'lora',
    batch: 4,
    seq: 256,
    warmup: 1,
    steps: 2,
  },
];

/**
 * `--backend webgpu` without `--workload`: the tiny model only, since the adapter CI and this
 * machine have is a software one; a GPU machine names its workloads (bench/device/run.sh).
 */
export const WEBGPU_WORKLOADS: readonly string[] = ['tiny-lora-s64', 'tiny-lora'];

/** The `config.json` fields the bench sets (transformers' LlamaConfig names). */
export interface LlamaConfigJson {
  readonly model_type: 'llama';
  readonly hidden_size: number;
  readonly num_hidden_layers: number;
  readonly num_attention_heads: number;
  readonly num_key_value_heads: number;
  readonly intermediate_size: number;
  readonly vocab_size: number;
  readonly hidden_act: 'silu';
  readonly rms_norm_eps: number;
  readonly rope_theta: number;
  readonly max_position_embeddings: number;
  readonly tie_word_embeddings: boolean;
}

function llama(s: {
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  intermediate: number;
  vocab: number;
}): LlamaConfigJson {
  return {
    model_type: 'llama',
    hidden_size: s.hidden,
    num_hidden_layers: s.layers,
    num_attention_heads: s.heads,
    num_key_value_heads: s.kvHeads,
    intermediate_size: s.intermediate,
    vocab_size: s.vocab,
    hidden_act: 'silu',
    rms_norm_eps: 1e-5,
    rope_theta: 10000,
    max_position_embeddings: 2048,
    tie_word_embeddings: true,
  };
}
