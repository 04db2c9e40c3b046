"""Golden values for one Llama decoder block, from PyTorch, for tunekit's compute core.

Writes packages/core/test/fixtures/golden-llama-block.json, which
packages/core/test/golden-llama-block.test.ts compares the reference backend against.

Re-run (from the repository root, with Debian's python3-torch; not part of CI):

    /usr/bin/python3 packages/core/scripts/golden/make_golden.py

The graph, written out by hand the way Hugging Face's modeling_llama.py writes it:
embedding (vocab 11, hidden 16) -> RMSNorm -> causal self-attention with rotary embeddings
(rotate_half, theta 10000, positions 0..T-1) and grouped-query heads (4 query heads, 2 kv
heads, head_dim 4, no biases, scale 1/sqrt(head_dim)) + residual -> RMSNorm -> SwiGLU MLP
(intermediate 24) + residual -> final RMSNorm -> lm_head -> cross-entropy (ignore_index -100,
label_smoothing 0.1, mean over supervised positions). Batch 2, sequence 5.

Weights are drawn with a fixed seed, rounded to float32 (what the fixture stores), and all
maths runs in float64 on those rounded values; results are rounded to float32 when written.
The script checks itself against PyTorch's own scaled-dot-product attention and against a
second, explicit formula for label-smoothed cross-entropy before writing anything.
"""

import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

SEED = 20240611
VOCAB, HIDDEN, HEADS, KV_HEADS, HEAD_DIM, INTERMEDIATE = 11, 16, 4, 2, 4, 24
BATCH, SEQ = 2, 5
EPS, THETA, IGNORE, SMOOTHING = 1e-6, 10000.0, -100, 0.1
STD = 0.2

OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'golden-llama-block.json'
)

# HF checkpoint names, [out, in] for linear weights as nn.Linear stores them.
SHAPES = {
    'model.embed_tokens.weight': [VOCAB, HIDDEN],
    'model.layers.0.input_layernorm.weight': [HIDDEN],
    'model.layers.0.self_attn.q_proj.weight': [HEADS * HEAD_DIM, HIDDEN],
    'model.layers.0.self_attn.k_proj.weight': [KV_HEADS * HEAD_DIM, HIDDEN],
    'model.layers.0.self_attn.v_proj.weight': [KV_HEADS * HEAD_DIM, HIDDEN],
    'model.layers.0.self_attn.o_proj.weight': [HIDDEN, HEADS * HEAD_DIM],
    'model.layers.0.post_attention_layernorm.weight': [HIDDEN],
    'model.layers.0.mlp.gate_proj.weight': [INTERMEDIATE, HIDDEN],
    'model.layers.0.mlp.up_proj.weight': [INTERMEDIATE, HIDDEN],
    'model.layers.0.mlp.down_proj.weight': [HIDDEN, INTERMEDIATE],
    'model.norm.weight': [HIDDEN],
    'lm_head.weight': [VOCAB, HIDDEN],
}


def f32(t):
    """Round to float32 and come back to float64, so both sides start from the same numbers."""
    return t.to(torch.float32).to(torch.float64)


def make_weights(gen):
    weights = {}
    for name, shape in SHAPES.items():
        noise = torch.randn(shape, generator=gen, dtype=torch.float64) * STD
        # norm weights sit around 1, as trained ones do; the rest are centred on 0
        weights[name] = f32(noise + 1.0 if name.endswith('norm.weight') else noise)
    return weights


def rms_norm(x, weight):
    variance = x.pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(variance + EPS))


def rotary_tables(seq):
    inv_freq = 1.0 / (THETA ** (torch.arange(0, HEAD_DIM, 2, dtype=torch.float64) / HEAD_DIM))
    freqs = torch.outer(torch.arange(seq, dtype=torch.float64), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2 :]
    return torch.cat((-x2, x1), dim=-1)


def repeat_kv(x, n_rep):
    b, h, t, d = x.shape
    return x[:, :, None, :, :].expand(b, h, n_rep, t, d).reshape(b, h * n_rep, t, d)


def attention_by_hand(q, k, v):
    scores = q @ k.transpose(-1, -2) / math.sqrt(HEAD_DIM)
    t = q.shape[-2]
    causal = torch.ones(t, t, dtype=torch.bool).tril()
    scores = scores.masked_fill(~causal, float('-inf'))
    return torch.softmax(scores, dim=-1) @ v


def attention_by_torch(q, k, v):
    if hasattr(F, 'scaled_dot_product_attention'):
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)
    # torch 1.13 (Debian bookworm) has it under a private name, returning (out, weights)
    return F._scaled_dot_product_attention(q, k, v, None, 0.0, False, True)[0]


def forward(w, h0, attention=attention_by_hand):
    b, t, _ = h0.shape
    cos, sin = rotary_tables(t)

    x = rms_norm(h0, w['model.layers.0.input_layernorm.weight'])
    q = (x @ w['model.layers.0.self_attn.q_proj.weight'].T).view(b, t, HEADS, HEAD_DIM).transpose(1, 2)
    k = (x @ w['model.layers.0.self_attn.k_proj.weight'].T).view(b, t, KV_HEADS, HEAD_DIM).transpose(1, 2)
    v = (x @ w['model.layers.0.self_attn.v_proj.weight'].T).view(b, t, KV_HEADS, HEAD_DIM).transpose(1, 2)
    q = q * cos + rotate_half(q) * sin
    k = k * cos + rotate_half(k) * sin
    k, v = repeat_kv(k, HEADS // KV_HEADS), repeat_kv(v, HEADS // KV_HEADS)
    attn = attention(q, k, v).transpose(1, 2).reshape(b, t, HEADS * HEAD_DIM)
    h1 = h0 + attn @ w['model.layers.0.self_attn.o_proj.weight'].T

    x = rms_norm(h1, w['model.layers.0.post_attention_layernorm.weight'])
    gate = F.silu(x @ w['model.layers.0.mlp.gate_proj.weight'].T)
    up = x @ w['model.layers.0.mlp.up_proj.weight'].T
    h2 = h1 + (gate * up) @ w['model.layers.0.mlp.down_proj.weight'].T

    return rms_norm(h2, w['model.norm.weight']) @ w['lm_head.weight'].T


def cross_entropy(logits, labels):
    return F.cross_entropy(
        logits.reshape(-1, VOCAB), labels.reshape(-1), ignore_index=IGNORE, label_smoothing=SMOOTHING
    )


def cross_entropy_by_hand(logits, labels):
    """(1-eps) * nll + eps * mean over classes of -log p, averaged over supervised positions."""
    logp = torch.log_softmax(logits.reshape(-1, VOCAB), dim=-1)
    labels = labels.reshape(-1)
    keep = labels != IGNORE
    nll = -logp[keep].gather(1, labels[keep, None]).squeeze(1)
    smooth = -logp[keep].mean(-1)
    return ((1 - SMOOTHING) * nll + SMOOTHING * smooth).mean()


def short(x):
    """A float32 value as the shortest decimal that reads back to the same float32."""
    return float(np.format_float_scientific(np.float32(x), unique=True))


def entry(t):
    return {'shape': list(t.shape), 'data': [short(x) for x in t.detach().reshape(-1).tolist()]}


def main():
    gen = torch.Generator().manual_seed(SEED)
    weights = make_weights(gen)
    input_ids = torch.randint(0, VOCAB, (BATCH, SEQ), generator=gen)
    labels = torch.randint(0, VOCAB, (BATCH, SEQ), generator=gen)
    labels[0, 0] = IGNORE
    labels[1, 3] = IGNORE
    labels[1, 4] = IGNORE

    params = {name: w.clone().requires_grad_(True) for name, w in weights.items()}
    h0 = params['model.embed_tokens.weight'][input_ids]
    h0.retain_grad()
    logits = forward(params, h0)
    loss = cross_entropy(logits, labels)
    loss.backward()

    # self-checks: an independent attention kernel and an explicit smoothed-CE formula
    with torch.no_grad():
        by_torch = forward(params, h0, attention_by_torch)
        assert torch.allclose(by_torch, logits, atol=1e-12), (by_torch - logits).abs().max()
        by_hand = cross_entropy_by_hand(logits, labels)
        assert torch.allclose(by_hand, loss, atol=1e-12), (by_hand, loss)
    assert logits.abs().max() > 0.5 and h0.grad.abs().max() > 1e-3, 'activations are too small to test'

    grads = {name: p.grad for name, p in params.items()}
    grads['embedding_output'] = h0.grad
    fixture = {
        'description': (
            'One Llama decoder block (HF modeling_llama maths, written out by hand) in PyTorch '
            f'{torch.__version__}, float64 on float32-rounded weights, results rounded to float32. '
            f'Embedding (vocab {VOCAB}, hidden {HIDDEN}) -> RMSNorm (eps {EPS}) -> causal self-attention '
            f'with HF rotate_half rotary embeddings (theta {THETA:g}, positions 0..T-1) and grouped-query '
            f'heads ({HEADS} query, {KV_HEADS} kv, head_dim {HEAD_DIM}, no biases, scale 1/sqrt(head_dim)) '
            f'+ residual -> RMSNorm -> SwiGLU MLP (intermediate {INTERMEDIATE}, silu) + residual -> '
            f'final RMSNorm -> lm_head -> F.cross_entropy (ignore_index {IGNORE}, label_smoothing '
            f'{SMOOTHING}, mean over supervised positions). Batch {BATCH}, sequence {SEQ}. Linear weights '
            'are [out, in] (y = x W^T). grads.embedding_output is d loss / d (embedding lookup output). '
            f'Weights: seed {SEED}, normal std {STD} (norm weights 1 + that). Checked against '
            'scaled_dot_product_attention and an explicit smoothed-CE formula. Written by '
            'packages/core/scripts/golden/make_golden.py; re-run with '
            '`/usr/bin/python3 packages/core/scripts/golden/make_golden.py`.'
        ),
        'torch_version': torch.__version__,
        'config': {
            'vocab_size': VOCAB,
            'hidden_size': HIDDEN,
            'num_attention_heads': HEADS,
            'num_key_value_heads': KV_HEADS,
            'head_dim': HEAD_DIM,
            'intermediate_size': INTERMEDIATE,
            'rms_norm_eps': EPS,
            'rope_theta': THETA,
            'ignore_index': IGNORE,
            'label_smoothing': SMOOTHING,
        },
        'inputs': {
            'input_ids': {'shape': [BATCH, SEQ], 'data': input_ids.reshape(-1).tolist()},
            'labels': {'shape': [BATCH, SEQ], 'data': labels.reshape(-1).tolist()},
        },
        'weights': {name: entry(w) for name, w in weights.items()},
        'outputs': {'loss': short(loss.item()), 'logits': entry(logits)},
        'grads': {name: entry(g) for name, g in grads.items()},
    }
    with open(OUT, 'w') as f:
        json.dump(fixture, f, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes), loss {loss.item():.6f}')


if __name__ == '__main__':
    main()
