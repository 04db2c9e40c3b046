import { LORA_CONFIG, MODELS, type Workload } from './workloads.js';

export interface ModelFlops {
  /** Weights used in a matmul: every projection, and lm_head (the tied embedding) once; LoRA's too. */
  readonly matmulParams: number;
  /** Of those, the trained ones: LoRA's A and B, or all of them in full fine-tuning. */
  readonly trainableMatmulParams: number;
  /** Model FLOPs of one training step (forward, backward; the optimizer's are negligible). */
  readonly perStep: number;
}

/**
 * Model FLOPs of one training step of a Llama, counted as PaLM's MFU does (Chowdhery et al. 2022,
 * appendix B), extended to frozen weights. Per token:
 *
 *   4 * N + 2 * N_trainable + 12 * L * T * H_q * d_head
 *
 * A matmul weight costs 2 FLOPs per token forward and 2 more for the gradient of its input, which
 * backpropagation needs below every adapter; only a trained weight costs 2 more for its own
 * gradient. So full fine-tuning is the usual 6 * N, and LoRA 4 * N + 6 * N_lora with N counting the
 * adapters. The last term is attention's q k^T and p v over all T keys (forward 4 L T H_q d_head,
 * backward twice that), not halved for the causal mask. The embedding lookup counts no FLOPs.
 */
export function modelFlops(w: Workload): ModelFlops {
  const c = MODELS[w.model];
  const h = c.hidden_size;
  const q = c.num_attention_heads * (h / c.num_attention_heads);
  const kv = c.num_key_value_heads * (h / c.num_attention_heads);
  const i = c.intermediate_size;
  // [in, out] of each projection of one layer
  const projections = {
    q_proj: [h, q],
    k_proj: [h, kv],
    v_proj: [h, kv],
    o_proj: [q, h],
    gate_proj: [h, i],
    up_proj: [h, i],
    down_proj: [i, h],
  } as const;
  const layers = c.num_hidden_layers;
  const base =
    layers * Object.values(projections).reduce((n, [a, b]) => n + a * b, 0) + c.vocab_size * h;
  const lora =
    w.method !== 'full'
      ? layers *
        LORA_CONFIG.target_modules.reduce((n, m) => {
          const [a, b] = projections[m];
          return n + LORA_CONFIG.r * (a + b);
        }, 0)
      : 0;
  const matmulParams = base + lora;
  const trainableMatmulParams = w.method === 'full' ? base : lora;
  const perToken = 4 * matmulParams + 2 * trainableMatmulParams + 12 * layers * w.seq * q;
  return { matmulParams, trainableMatmulParams, perStep: perToken * w.batch * w.seq };
}
