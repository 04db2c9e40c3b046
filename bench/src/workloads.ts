/**
 * The benchmarked models: random-weight Llamas, as `config.json` objects. `smollm135m` is
 * SmolLM2-135M's config; `tiny` and `small` are scaled-down relatives (tied embeddings, grouped-query
 * attention, intermediate about 3x hidden).
 */
export const MODELS: Readonly<Record<'tiny' | 'small' | 'smollm135m', LlamaConfigJson>> = {
  tiny: llama({ hidden: 64, layers: 2, heads: 4, kvHeads: 2, intermediate: 192, vocab: 1024 }),
  small: llama({ hidden: 256, layers: 4, heads: 8, kvHeads: 4, intermediate: 768, vocab: 8192 }),
  smollm135m: {
    ...llama({ hidden: 576, layers: 30, heads: 9, kvHeads: 3, intermediate: 1536, vocab: 49152 }),
    rope_theta: 100000,
    max_position_embeddings: 8192,
  },
};

export type ModelId = keyof typeof MODELS;

/** What is trained: LoRA adapters (frozen base) or every weight. */
export type Method = 'lora' | 'full';

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
}

/** The LoRA config of every LoRA workload (PEFT's field names). */
export const LORA_CONFIG = {
  r: 8,
  lora_alpha: 16,
  lora_dropout: 0,
  target_modules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
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

const step = { kind: 'step', batch: 4, seq: 256 } as const;

export const WORKLOADS: readonly (Workload | TrainerWorkload)[] = [
  { id: 'tiny-lora', model: 'tiny', method: 'lora', ...step, warmup: 3, steps: 20 },
  { id: 'small-lora', model: 'small', method: 'lora', ...step, warmup: 3, steps: 10 },
  { id: 'small-full', model: 'small', method: 'full', ...step, warmup: 3, steps: 10 },
  { id: 'smollm135m-lora', model: 'smollm135m', method: 'lora', ...step, warmup: 2, steps: 5 },
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
];

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
