"""Causal LMs written out by hand from transformers' modeling_llama.py, modeling_qwen2.py, modeling_gpt2.py
and modeling_rope_utils.py, in float64, on state dicts with checkpoint names. Used by make_model_folders.py."""

import math

import torch
import torch.nn.functional as F

# ---------------------------------------------------------------- shared pieces


def attention_by_hand(q, k, v, key_mask=None):
    """softmax(q k^T / sqrt(d) + causal mask) v, the eager path of modeling_llama / modeling_gpt2. With
    more keys than queries (a cached prefix), query i sits at key position (keys - queries) + i; key_mask
    [B, keys] (True: attend) is the 2-D attention_mask, as HF combines it with the causal mask."""
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    tq, tk = q.shape[-2], k.shape[-2]
    allowed = torch.ones(tq, tk, dtype=torch.bool).tril(tk - tq)
    if key_mask is not None:
        allowed = allowed & key_mask[:, None, None, :].bool()
    return torch.softmax(scores.masked_fill(~allowed, float('-inf')), dim=-1) @ v


def attention_by_torch(q, k, v):
    if hasattr(F, 'scaled_dot_product_attention'):
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)
    # torch 1.13 (Debian bookworm) has it under a private name, returning (out, weights)
    return F._scaled_dot_product_attention(q, k, v, None, 0.0, False, True)[0]


def split_heads(x, n, d):
    b, t, _ = x.shape
    return x.view(b, t, n, d).transpose(1, 2)


def merge_heads(x):
    b, n, t, d = x.shape
    return x.transpose(1, 2).reshape(b, t, n * d)


# ---------------------------------------------------------------- Llama / Qwen2


def default_inv_freq(c, head_dim):
    """_compute_default_rope_parameters: 1 / theta^(2i/d)."""
    return 1.0 / (c['rope_theta'] ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))


def llama3_inv_freq(c, head_dim):
    """_compute_llama3_parameters: long wavelengths divided by `factor`, short ones kept, a smooth blend between."""
    s = c['rope_scaling']
    inv_freq = default_inv_freq(c, head_dim)
    low_freq_wavelen = s['original_max_position_embeddings'] / s['low_freq_factor']
    high_freq_wavelen = s['original_max_position_embeddings'] / s['high_freq_factor']
    wavelen = 2 * math.pi / inv_freq
    scaled = torch.where(wavelen > low_freq_wavelen, inv_freq / s['factor'], inv_freq)
    smooth = (s['original_max_position_embeddings'] / wavelen - s['low_freq_factor']) / (
        s['high_freq_factor'] - s['low_freq_factor']
    )
    smoothed = (1 - smooth) * scaled / s['factor'] + smooth * scaled
    is_medium = ~(wavelen < high_freq_wavelen) & ~(wavelen > low_freq_wavelen)
    return torch.where(is_medium, smoothed, scaled)


def llama3_inv_freq_by_loop(c, head_dim):
    """The same rule as Meta's llama3 reference code writes it (apply_scaling), one frequency at a time;
    also returns which branch each frequency took."""
    s = c['rope_scaling']
    low_freq_wavelen = s['original_max_position_embeddings'] / s['low_freq_factor']
    high_freq_wavelen = s['original_max_position_embeddings'] / s['high_freq_factor']
    out, branches = [], []
    for freq in default_inv_freq(c, head_dim).tolist():
        wavelen = 2 * math.pi / freq
        if wavelen < high_freq_wavelen:
            out.append(freq)
            branches.append('kept')
        elif wavelen > low_freq_wavelen:
            out.append(freq / s['factor'])
            branches.append('divided')
        else:
            smooth = (s['original_max_position_embeddings'] / wavelen - s['low_freq_factor']) / (
                s['high_freq_factor'] - s['low_freq_factor']
            )
            out.append((1 - smooth) * freq / s['factor'] + smooth * freq)
            branches.append('smoothed')
    return torch.tensor(out, dtype=torch.float64), branches


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2 :]
    return torch.cat((-x2, x1), dim=-1)


def rms_norm(x, weight, eps):
    return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def linear(w, name, x):
    """nn.Linear: x W^T (+ b when the checkpoint has one)."""
    y = x @ w[name + '.weight'].T
    return y + w[name + '.bias'] if name + '.bias' in w else y


def run_attention(attention, q, k, v, key_mask):
    return attention(q, k, v) if key_mask is None else attention(q, k, v, key_mask)


def llama_forward(c, w, ids, attention=attention_by_hand, inv_freq=None, prompts=None, past=None, key_mask=None):
    """LlamaForCausalLM (and Qwen2ForCausalLM) logits for ids [B, T] at positions 0..T-1.

    For the prompt-learning methods, as PEFT runs the model: `prompts` [B, N, H] go before the token
    embeddings (inputs_embeds = cat(prompts, embed(ids)), positions 0..N+T-1, logits for all N+T); `past`
    holds each layer's (keys, values) [B, kv_heads, P, head_dim] put before that layer's own (a
    past_key_values prefix: positions start at P); key_mask [B, P + N + T] is the 2-D attention_mask."""
    heads, kv_heads = c['num_attention_heads'], c['num_key_value_heads']
    head_dim = c.get('head_dim') or c['hidden_size'] // heads
    eps = c['rms_norm_eps']
    if inv_freq is None:
        rope = c.get('rope_scaling')
        inv_freq = llama3_inv_freq(c, head_dim) if rope and rope['rope_type'] == 'llama3' else default_inv_freq(c, head_dim)
    h = w['model.embed_tokens.weight'][ids]
    if prompts is not None:
        h = torch.cat((prompts, h), dim=1)
    start = 0 if past is None else past[0][0].shape[2]
    freqs = torch.outer(torch.arange(start, start + h.shape[1], dtype=torch.float64), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()

    for i in range(c['num_hidden_layers']):
        p = f'model.layers.{i}.'
        x = rms_norm(h, w[p + 'input_layernorm.weight'], eps)
        q = split_heads(linear(w, p + 'self_attn.q_proj', x), heads, head_dim)
        k = split_heads(linear(w, p + 'self_attn.k_proj', x), kv_heads, head_dim)
        v = split_heads(linear(w, p + 'self_attn.v_proj', x), kv_heads, head_dim)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        if past is not None:
            k, v = torch.cat((past[i][0], k), dim=2), torch.cat((past[i][1], v), dim=2)
        # repeat_kv: each kv head serves heads / kv_heads consecutive query heads
        k = k.repeat_interleave(heads // kv_heads, dim=1)
        v = v.repeat_interleave(heads // kv_heads, dim=1)
        h = h + linear(w, p + 'self_attn.o_proj', merge_heads(run_attention(attention, q, k, v, key_mask)))
        x = rms_norm(h, w[p + 'post_attention_layernorm.weight'], eps)
        gate = F.silu(linear(w, p + 'mlp.gate_proj', x))
        h = h + linear(w, p + 'mlp.down_proj', gate * linear(w, p + 'mlp.up_proj', x))
    lm_head = w['model.embed_tokens.weight'] if c['tie_word_embeddings'] else w['lm_head.weight']
    return rms_norm(h, w['model.norm.weight'], eps) @ lm_head.T


# ---------------------------------------------------------------- GPT-2


def gelu_new(x):
    """NewGELUActivation: the tanh approximation."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))


def conv1d(w, name, x):
    """transformers' Conv1D: x W + b with W stored [in, out]."""
    return x @ w[name + '.weight'] + w[name + '.bias']


def layer_norm(w, name, x, eps):
    return F.layer_norm(x, x.shape[-1:], w[name + '.weight'], w[name + '.bias'], eps)


def gpt2_forward(c, w, ids, attention=attention_by_hand, prompts=None, past=None, key_mask=None):
    """GPT2LMHeadModel logits for ids [B, T] at positions 0..T-1; lm_head is wte. `prompts`, `past` and
    key_mask as in llama_forward (the learned positions of the inputs embeddings start after `past`)."""
    n, heads, eps = c['n_embd'], c['n_head'], c['layer_norm_epsilon']
    h = w['transformer.wte.weight'][ids]
    if prompts is not None:
        h = torch.cat((prompts, h), dim=1)
    start = 0 if past is None else past[0][0].shape[2]
    h = h + w['transformer.wpe.weight'][start : start + h.shape[1]]
    for i in range(c['n_layer']):
        p = f'transformer.h.{i}.'
        q, k, v = conv1d(w, p + 'attn.c_attn', layer_norm(w, p + 'ln_1', h, eps)).split(n, dim=-1)
        q, k, v = (split_heads(z, heads, n // heads) for z in (q, k, v))
        if past is not None:
            k, v = torch.cat((past[i][0], k), dim=2), torch.cat((past[i][1], v), dim=2)
        h = h + conv1d(w, p + 'attn.c_proj', merge_heads(run_attention(attention, q, k, v, key_mask)))
        x = layer_norm(w, p + 'ln_2', h, eps)
        h = h + conv1d(w, p + 'mlp.c_proj', gelu_new(conv1d(w, p + 'mlp.c_fc', x)))
    return layer_norm(w, 'transformer.ln_f', h, eps) @ w['transformer.wte.weight'].T
