"""Golden values for @tunekit/peft-lora, from PyTorch: a tiny Llama with fixed weights and three PEFT
adapter folders (LoRA; rsLoRA with rank_pattern and alpha_pattern; DoRA), each with the logits of two
rows of tokens and the gradients of the mean cross-entropy loss with respect to every adapter tensor.

Writes, under packages/peft-lora/test/fixtures/:

    tiny-llama/     config.json, model.safetensors (float32), tokenizer_config.json: the base model, a
                    Hugging Face LlamaForCausalLM folder (GQA: 4 query heads, 2 kv heads, untied lm_head)
    lora/           adapter_config.json + adapter_model.safetensors, as PEFT's save_pretrained writes them
    rslora/           (keys base_model.model.<module>.lora_A.weight [r, in], .lora_B.weight [out, r],
    dora/              DoRA's .lora_magnitude_vector [out]), and golden.json:
                        input_ids, labels  [2, 6]; labels are the next tokens, -100 where ignored
                        logits             {shape [2, 6, 32], data}
                        loss               mean cross-entropy over the labels that are not -100
                        grads              {saved key: {shape, data}}: d loss / d each adapter tensor

Re-run (from the repository root, with Debian's python3-torch; not part of CI):

    /usr/bin/python3 packages/peft-lora/scripts/golden/make_lora_golden.py

Nothing here comes from tunekit. The Llama forward is transformers' modeling_llama.py written out by hand
(RMSNorm, rotate-half rotary embedding, grouped-query causal attention, SiLU-gated MLP). LoRA and DoRA are
written from their papers and PEFT's documentation:
  LoRA  (Hu et al. 2021, eq. 3):  h = W0 x + B A x * scaling, scaling = lora_alpha / r
  rsLoRA (Kalajdzievski 2023):    scaling = lora_alpha / sqrt(r); PEFT's rank_pattern / alpha_pattern give
                                  some modules their own r and lora_alpha
  DoRA  (Liu et al. 2024, eq. 5): W' = m * (W0 + B A scaling) / ||W0 + B A scaling||_c, the norm taken per
                                  output feature and, as section 4.3 suggests and PEFT does, treated as a
                                  constant (detached) in backpropagation
Weights are drawn with a fixed seed and rounded to float32; all maths runs in float64 on those values and
results are rounded to float32 when written. B is not zero and DoRA's magnitude is not the initial norm,
so every adapter changes the logits.
"""

import json
import math
import os
import struct

import numpy as np
import torch

torch.set_default_dtype(torch.float64)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures')

CONFIG = {
    'architectures': ['LlamaForCausalLM'],
    'attention_bias': False,
    'attention_dropout': 0.0,
    'bos_token_id': 1,
    'eos_token_id': 2,
    'head_dim': 4,
    'hidden_act': 'silu',
    'hidden_size': 16,
    'initializer_range': 0.02,
    'intermediate_size': 32,
    'max_position_embeddings': 64,
    'mlp_bias': False,
    'model_type': 'llama',
    'num_attention_heads': 4,
    'num_hidden_layers': 2,
    'num_key_value_heads': 2,
    'pretraining_tp': 1,
    'rms_norm_eps': 1e-06,
    'rope_scaling': None,
    'rope_theta': 10000.0,
    'tie_word_embeddings': False,
    'torch_dtype': 'float32',
    'transformers_version': '4.46.3',
    'use_cache': True,
    'vocab_size': 32,
}
H, I, V = CONFIG['hidden_size'], CONFIG['intermediate_size'], CONFIG['vocab_size']
HEADS, KV_HEADS, D = CONFIG['num_attention_heads'], CONFIG['num_key_value_heads'], CONFIG['head_dim']
LAYERS, EPS, THETA = CONFIG['num_hidden_layers'], CONFIG['rms_norm_eps'], CONFIG['rope_theta']

# adapter_config.json as PEFT 0.13+ save_pretrained writes it for a LoraConfig (inference_mode true)
PEFT_DEFAULTS = {
    'alpha_pattern': {},
    'auto_mapping': None,
    'base_model_name_or_path': 'tiny-llama',
    'bias': 'none',
    'eva_config': None,
    'exclude_modules': None,
    'fan_in_fan_out': False,
    'inference_mode': True,
    'init_lora_weights': True,
    'layer_replication': None,
    'layers_pattern': None,
    'layers_to_transform': None,
    'loftq_config': {},
    'lora_alpha': 8,
    'lora_bias': False,
    'lora_dropout': 0.0,
    'megatron_config': None,
    'megatron_core': 'megatron.core',
    'modules_to_save': None,
    'peft_type': 'LORA',
    'r': 4,
    'rank_pattern': {},
    'revision': None,
    'target_modules': [],
    'task_type': 'CAUSAL_LM',
    'use_dora': False,
    'use_rslora': False,
}

CASES = {
    'lora': {'target_modules': ['q_proj', 'v_proj', 'down_proj']},
    'rslora': {
        'target_modules': ['k_proj', 'up_proj', 'o_proj'],
        'use_rslora': True,
        'rank_pattern': {'up_proj': 2},
        'alpha_pattern': {'layers.1.self_attn.o_proj': 2},
    },
    'dora': {'target_modules': ['q_proj', 'o_proj', 'gate_proj'], 'use_dora': True},
}

SHAPES = {  # [out, in] of each linear module of a decoder layer
    'self_attn.q_proj': (HEADS * D, H),
    'self_attn.k_proj': (KV_HEADS * D, H),
    'self_attn.v_proj': (KV_HEADS * D, H),
    'self_attn.o_proj': (H, HEADS * D),
    'mlp.gate_proj': (I, H),
    'mlp.up_proj': (I, H),
    'mlp.down_proj': (H, I),
}

# ---------------------------------------------------------------- files


def f32(t):
    """Rounded to float32, held in float64."""
    return t.to(torch.float32).to(torch.float64)


def write_safetensors(path, tensors):
    """8-byte little-endian header length, JSON header padded with spaces to 8 bytes, then the float32
    tensors back to back in name order; metadata {"format": "pt"} as PEFT and transformers write it."""
    header, blobs, offset = {'__metadata__': {'format': 'pt'}}, [], 0
    for name in sorted(tensors):
        data = tensors[name].detach().numpy().astype('<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(tensors[name].shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        f.write(b''.join(blobs))


def write_json(path, value):
    with open(path, 'w') as f:
        f.write(json.dumps(value, indent=2, sort_keys=True) + '\n')


def as_json(t):
    return {'shape': list(t.shape), 'data': [float(v) for v in t.detach().to(torch.float32).flatten()]}


# ---------------------------------------------------------------- the model


def base_weights(gen):
    w = {'model.embed_tokens.weight': torch.randn(V, H, generator=gen), 'lm_head.weight': torch.randn(V, H, generator=gen) * 0.3}
    for l in range(LAYERS):
        for name, shape in SHAPES.items():
            w[f'model.layers.{l}.{name}.weight'] = torch.randn(*shape, generator=gen) * 0.3
        w[f'model.layers.{l}.input_layernorm.weight'] = 1 + 0.1 * torch.randn(H, generator=gen)
        w[f'model.layers.{l}.post_attention_layernorm.weight'] = 1 + 0.1 * torch.randn(H, generator=gen)
    w['model.norm.weight'] = 1 + 0.1 * torch.randn(H, generator=gen)
    return {k: f32(v) for k, v in w.items()}


def rms_norm(x, w):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS))


def rotary(seq):
    inv_freq = 1.0 / THETA ** (torch.arange(0, D, 2) / D)
    freqs = torch.arange(seq)[:, None] * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), -1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    return torch.cat((-x[..., D // 2 :], x[..., : D // 2]), -1)


def linear(x, weight, adapter):
    """The base layer plus its adapter, from the papers (see the module docstring)."""
    if adapter is None:
        return x @ weight.T
    A, B, s = adapter['A'], adapter['B'], adapter['scaling']
    if 'm' not in adapter:
        return x @ weight.T + (x @ A.T @ B.T) * s
    direction = weight + s * (B @ A)
    norm = direction.norm(dim=1).detach()
    return x @ (adapter['m'][:, None] * direction / norm[:, None]).T


def forward(w, adapters, ids):
    b, t = ids.shape
    cos, sin = rotary(t)
    causal = torch.full((t, t), float('-inf')).triu(1)
    h = w['model.embed_tokens.weight'][ids]
    for l in range(LAYERS):
        p = f'model.layers.{l}'
        lin = lambda name, x: linear(x, w[f'{p}.{name}.weight'], adapters.get(f'{p}.{name}'))
        x = rms_norm(h, w[f'{p}.input_layernorm.weight'])
        q = lin('self_attn.q_proj', x).view(b, t, HEADS, D).transpose(1, 2)
        k = lin('self_attn.k_proj', x).view(b, t, KV_HEADS, D).transpose(1, 2)
        v = lin('self_attn.v_proj', x).view(b, t, KV_HEADS, D).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        # grouped-query attention: each kv head serves HEADS / KV_HEADS consecutive query heads (repeat_kv)
        k, v = k.repeat_interleave(HEADS // KV_HEADS, 1), v.repeat_interleave(HEADS // KV_HEADS, 1)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(D) + causal, -1) @ v
        h = h + lin('self_attn.o_proj', att.transpose(1, 2).reshape(b, t, HEADS * D))
        x = rms_norm(h, w[f'{p}.post_attention_layernorm.weight'])
        h = h + lin('mlp.down_proj', torch.nn.functional.silu(lin('mlp.gate_proj', x)) * lin('mlp.up_proj', x))
    return rms_norm(h, w['model.norm.weight']) @ w['lm_head.weight'].T


# ---------------------------------------------------------------- adapters


def pattern_value(patterns, path, default):
    """PEFT's get_pattern_key: the first key k with re.match(rf"(.*\\.)?({k})$", path)."""
    import re

    for key, value in patterns.items():
        if re.match(rf'(.*\.)?({key})$', path):
            return value
    return default


def make_adapters(case, weights, gen):
    config = {**PEFT_DEFAULTS, **CASES[case]}
    adapters = {}
    for l in range(LAYERS):
        for name, (out, inp) in SHAPES.items():
            path = f'model.layers.{l}.{name}'
            if not any(path.endswith('.' + t) for t in config['target_modules']):
                continue
            r = pattern_value(config['rank_pattern'], path, config['r'])
            alpha = pattern_value(config['alpha_pattern'], path, config['lora_alpha'])
            scaling = alpha / math.sqrt(r) if config['use_rslora'] else alpha / r
            ad = {
                'A': f32(torch.randn(r, inp, generator=gen) * 0.3).requires_grad_(),
                'B': f32(torch.randn(out, r, generator=gen) * 0.3).requires_grad_(),
                'scaling': scaling,
            }
            if config['use_dora']:
                norm = (weights[f'{path}.weight'] + scaling * ad['B'] @ ad['A']).norm(dim=1)
                ad['m'] = f32(norm * (1 + 0.2 * torch.randn(out, generator=gen))).detach().requires_grad_()
            adapters[path] = ad
    return config, adapters


def saved(adapters):
    """Tensors by the key PEFT saves them under: 'base_model.model.' + module path, adapter name removed."""
    out = {}
    for path, ad in adapters.items():
        out[f'base_model.model.{path}.lora_A.weight'] = ad['A']
        out[f'base_model.model.{path}.lora_B.weight'] = ad['B']
        if 'm' in ad:
            out[f'base_model.model.{path}.lora_magnitude_vector'] = ad['m']
    return out


def main():
    gen = torch.Generator().manual_seed(20240611)
    weights = base_weights(gen)
    ids = torch.randint(0, V, (2, 6), generator=gen)
    labels = torch.cat((ids[:, 1:], torch.full((2, 1), -100)), 1)
    labels[1, 2] = -100

    base_dir = os.path.join(ROOT, 'tiny-llama')
    os.makedirs(base_dir, exist_ok=True)
    write_json(os.path.join(base_dir, 'config.json'), CONFIG)
    write_safetensors(os.path.join(base_dir, 'model.safetensors'), weights)
    write_json(os.path.join(base_dir, 'tokenizer_config.json'), {'model_max_length': 64, 'tokenizer_class': 'PreTrainedTokenizerFast'})

    base_logits = forward(weights, {}, ids)
    for case in CASES:
        config, adapters = make_adapters(case, weights, gen)
        logits = forward(weights, adapters, ids)
        assert (logits - base_logits).abs().max() > 1e-2, f'{case}: the adapter must change the logits'
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V), labels.reshape(-1), ignore_index=-100)
        loss.backward()
        tensors = saved(adapters)
        grads = {key: as_json(t.grad) for key, t in tensors.items()}
        assert all(max(abs(v) for v in g['data']) > 1e-4 for g in grads.values()), f'{case}: a gradient is ~0'
        out_dir = os.path.join(ROOT, case)
        os.makedirs(out_dir, exist_ok=True)
        write_json(os.path.join(out_dir, 'adapter_config.json'), config)
        write_safetensors(os.path.join(out_dir, 'adapter_model.safetensors'), tensors)
        write_json(
            os.path.join(out_dir, 'golden.json'),
            {
                'input_ids': ids.tolist(),
                'labels': labels.tolist(),
                'logits': as_json(logits),
                'loss': float(loss),
                'grads': grads,
            },
        )
        print(f'{case}: loss {float(loss):.6f}, {len(tensors)} adapter tensors')


if __name__ == '__main__':
    main()
