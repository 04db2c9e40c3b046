"""Tiny random Hugging Face model folders and their golden outputs, from PyTorch, for tunekit's loader.

Writes, under packages/core/test/fixtures/models/:

    tiny-llama/       LlamaForCausalLM: GQA (4 query heads, 2 kv heads, head_dim 8), tied embeddings
                      (no lm_head.weight in the file), rope_scaling llama3, float32 weights
    tiny-llama-bf16/  the same model with its weights stored as bfloat16
    tiny-qwen2/       Qwen2ForCausalLM: q/k/v biases, untied lm_head, 4 query heads sharing 1 kv head
    tiny-gpt2/        GPT2LMHeadModel: learned positions, LayerNorm, gelu_new, Conv1D weights [in, out],
                      tied lm_head (only transformer.* keys in the file, as save_pretrained writes them)

each with config.json, generation_config.json and model.safetensors written the way transformers'
save_pretrained writes them (config keys sorted, indent 2; safetensors written here by hand), and a
golden.json that packages/core/test/model-folders.test.ts compares the public loader against:

    input_ids  {shape [2, 7], data}       two rows of different tokens, positions 0..6
    logits     {shape [2, 7, vocab], data}
    greedy     {prompt, tokens}           20 tokens, argmax of the last position, each step recomputed
                                          from the whole sequence (no cache, no eos stopping)

Re-run (from the repository root, with Debian's python3-torch; not part of CI):

    /usr/bin/python3 packages/core/scripts/golden/make_model_folders.py

The models (reference_models.py) are written out by hand from transformers' modeling_llama.py, modeling_qwen2.py,
modeling_gpt2.py and modeling_rope_utils.py (Qwen2 is Llama with q/k/v biases). Weights are drawn with
a fixed seed (std 0.2, norm weights 1 + that), rounded to the stored dtype, and all maths runs in
float64 on those rounded values; logits are rounded to float32 when written. Before writing, the script
checks its llama3 rotary frequencies against Meta's per-frequency loop, its attention against PyTorch's
own scaled-dot-product attention, the safetensors files against a second reader, that llama3 scaling
and the bf16 rounding change the logits (so a loader that skips them fails), and that every greedy
step wins by a margin far above float32 error (so the continuation is the same in float32).
"""

import json
import math
import os

import torch

from hf_files import read_safetensors, short, write_json, write_safetensors
from reference_models import (
    attention_by_torch,
    default_inv_freq,
    gpt2_forward,
    llama3_inv_freq,
    llama3_inv_freq_by_loop,
    llama_forward,
)

STD = 0.2
BATCH, SEQ, NEW_TOKENS = 2, 7, 20
MIN_GREEDY_MARGIN = 1e-3
TRANSFORMERS_VERSION = '4.46.3'  # the save_pretrained output these files imitate

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'models')

# config.json as LlamaConfig / Qwen2Config / GPT2Config.save_pretrained write it (to_diff_dict: every
# key the class defines, plus inherited keys whose value differs from the class default).
LLAMA = {
    'architectures': ['LlamaForCausalLM'],
    'attention_bias': False,
    'attention_dropout': 0.0,
    'bos_token_id': 256,
    'eos_token_id': [257, 258],
    'head_dim': 8,
    'hidden_act': 'silu',
    'hidden_size': 32,
    'initializer_range': 0.02,
    'intermediate_size': 64,
    # llama3 scaling ignores this; it is original_max_position_embeddings x factor, as in Llama 3.1
    'max_position_embeddings': 2048,
    'mlp_bias': False,
    'model_type': 'llama',
    'num_attention_heads': 4,
    'num_hidden_layers': 2,
    'num_key_value_heads': 2,
    'pretraining_tp': 1,
    'rms_norm_eps': 1e-05,
    # With head_dim 8 the wavelengths 2 pi / inv_freq are 6.3, 94, 1404 and 21000: theta 50000 and an
    # original context of 256 put one below high_freq_wavelen (64, kept), one between (smoothed) and
    # two above low_freq_wavelen (256, divided by factor), so every branch of the rule is used.
    'rope_scaling': {
        'factor': 8.0,
        'high_freq_factor': 4.0,
        'low_freq_factor': 1.0,
        'original_max_position_embeddings': 256,
        'rope_type': 'llama3',
    },
    'rope_theta': 50000.0,
    'tie_word_embeddings': True,
    'torch_dtype': 'float32',
    'transformers_version': TRANSFORMERS_VERSION,
    'use_cache': True,
    'vocab_size': 300,
}

QWEN2 = {
    'architectures': ['Qwen2ForCausalLM'],
    'attention_dropout': 0.0,
    'bos_token_id': 290,
    'eos_token_id': 291,
    'hidden_act': 'silu',
    'hidden_size': 32,
    'initializer_range': 0.02,
    'intermediate_size': 48,
    'max_position_embeddings': 128,
    'max_window_layers': 2,
    'model_type': 'qwen2',
    'num_attention_heads': 4,
    'num_hidden_layers': 2,
    'num_key_value_heads': 1,
    'rms_norm_eps': 1e-06,
    'rope_scaling': None,
    'rope_theta': 1000000.0,
    'sliding_window': 128,
    'tie_word_embeddings': False,
    'torch_dtype': 'float32',
    'transformers_version': TRANSFORMERS_VERSION,
    'use_cache': True,
    'use_sliding_window': False,
    'vocab_size': 300,
}

# GPT2Config's tie_word_embeddings default (true) equals PretrainedConfig's, so it is not written.
GPT2 = {
    'activation_function': 'gelu_new',
    'architectures': ['GPT2LMHeadModel'],
    'attn_pdrop': 0.1,
    'bos_token_id': 299,
    'embd_pdrop': 0.1,
    'eos_token_id': 299,
    'initializer_range': 0.02,
    'layer_norm_epsilon': 1e-05,
    'model_type': 'gpt2',
    'n_embd': 32,
    'n_head': 4,
    'n_inner': None,
    'n_layer': 2,
    'n_positions': 64,
    'reorder_and_upcast_attn': False,
    'resid_pdrop': 0.1,
    'scale_attn_by_inverse_layer_idx': False,
    'scale_attn_weights': True,
    'summary_activation': None,
    'summary_first_dropout': 0.1,
    'summary_proj_to_labels': True,
    'summary_type': 'cls_index',
    'summary_use_proj': True,
    'torch_dtype': 'float32',
    'transformers_version': TRANSFORMERS_VERSION,
    'use_cache': True,
    'vocab_size': 300,
}


# ---------------------------------------------------------------- weights, in checkpoint names and shapes


def llama_shapes(c, biases):
    """LlamaForCausalLM / Qwen2ForCausalLM state dict; Linear weights [out, in]."""
    hidden, inter = c['hidden_size'], c['intermediate_size']
    head_dim = c.get('head_dim') or hidden // c['num_attention_heads']
    q_out, kv_out = c['num_attention_heads'] * head_dim, c['num_key_value_heads'] * head_dim
    shapes = {'model.embed_tokens.weight': [c['vocab_size'], hidden], 'model.norm.weight': [hidden]}
    for i in range(c['num_hidden_layers']):
        p = f'model.layers.{i}.'
        shapes.update({
            p + 'input_layernorm.weight': [hidden],
            p + 'self_attn.q_proj.weight': [q_out, hidden],
            p + 'self_attn.k_proj.weight': [kv_out, hidden],
            p + 'self_attn.v_proj.weight': [kv_out, hidden],
            p + 'self_attn.o_proj.weight': [hidden, q_out],
            p + 'post_attention_layernorm.weight': [hidden],
            p + 'mlp.gate_proj.weight': [inter, hidden],
            p + 'mlp.up_proj.weight': [inter, hidden],
            p + 'mlp.down_proj.weight': [hidden, inter],
        })
        if biases:
            shapes.update({
                p + 'self_attn.q_proj.bias': [q_out],
                p + 'self_attn.k_proj.bias': [kv_out],
                p + 'self_attn.v_proj.bias': [kv_out],
            })
    if not c['tie_word_embeddings']:
        shapes['lm_head.weight'] = [c['vocab_size'], hidden]
    return shapes


def gpt2_shapes(c):
    """GPT2LMHeadModel state dict as save_pretrained writes it: tied lm_head and the causal-mask buffers
    (non-persistent) left out. Conv1D weights are [in, out] (y = x W + b)."""
    n, inner = c['n_embd'], c['n_inner'] or 4 * c['n_embd']
    shapes = {
        'transformer.wte.weight': [c['vocab_size'], n],
        'transformer.wpe.weight': [c['n_positions'], n],
        'transformer.ln_f.weight': [n],
        'transformer.ln_f.bias': [n],
    }
    for i in range(c['n_layer']):
        p = f'transformer.h.{i}.'
        shapes.update({
            p + 'ln_1.weight': [n],
            p + 'ln_1.bias': [n],
            p + 'attn.c_attn.weight': [n, 3 * n],
            p + 'attn.c_attn.bias': [3 * n],
            p + 'attn.c_proj.weight': [n, n],
            p + 'attn.c_proj.bias': [n],
            p + 'ln_2.weight': [n],
            p + 'ln_2.bias': [n],
            p + 'mlp.c_fc.weight': [n, inner],
            p + 'mlp.c_fc.bias': [inner],
            p + 'mlp.c_proj.weight': [inner, n],
            p + 'mlp.c_proj.bias': [n],
        })
    return shapes


def random_weights(shapes, seed):
    """float32-rounded normal(0, STD) weights, norm (and LayerNorm) scales centred on 1 as trained ones are."""
    gen = torch.Generator().manual_seed(seed)
    weights = {}
    for name, shape in shapes.items():
        noise = torch.randn(shape, generator=gen, dtype=torch.float64) * STD
        is_scale = name.endswith('norm.weight') or '.ln_' in name and name.endswith('.weight')
        weights[name] = round_to(noise + 1.0 if is_scale else noise, torch.float32)
    return weights


def round_to(t, dtype):
    """Round to a storage dtype and come back to float64, so every computation starts from stored values."""
    return t.to(torch.float32).to(dtype).to(torch.float64)

# ---------------------------------------------------------------- goldens


def greedy(forward, prompt):
    """argmax of the last position, recomputing the whole sequence each step; returns the new tokens and
    the smallest gap between the best and second-best logit over the steps."""
    ids, margin = list(prompt), math.inf
    for _ in range(NEW_TOKENS):
        last = forward(torch.tensor([ids]))[0, -1]
        top = last.topk(2).values
        margin = min(margin, (top[0] - top[1]).item())
        ids.append(int(last.argmax()))
    return ids[len(prompt) :], margin


def make_folder(name, config, weights, forward, dtype, seed, checks=()):
    vocab = config['vocab_size']
    gen = torch.Generator().manual_seed(seed + 1)
    input_ids = torch.randint(0, vocab, (BATCH, SEQ), generator=gen)
    prompt = torch.randint(0, vocab, (5,), generator=gen).tolist()
    stored = {k: round_to(v, dtype) for k, v in weights.items()}

    with torch.no_grad():
        logits = forward(config, stored, input_ids)
        by_torch = forward(config, stored, input_ids, attention=attention_by_torch)
        assert (by_torch - logits).abs().max() < 1e-6, f'{name}: attention paths disagree'
        assert logits.abs().max() > 0.5, f'{name}: logits are too small to test'
        for check in checks:
            check(stored, input_ids, logits)
        tokens, margin = greedy(lambda ids: forward(config, stored, ids), prompt)
    eos = config['eos_token_id']
    eos = set(eos if isinstance(eos, list) else [eos])
    assert margin > MIN_GREEDY_MARGIN, f'{name}: a greedy step is a near tie ({margin:.2e})'
    assert len(set(tokens)) >= 4, f'{name}: the greedy continuation is degenerate: {tokens}'
    assert not eos & set(tokens), f'{name}: the continuation hits an eos id, so generation would stop early'

    folder = os.path.join(ROOT, name)
    os.makedirs(folder, exist_ok=True)
    write_json(os.path.join(folder, 'config.json'), {**config, 'torch_dtype': str(dtype).removeprefix('torch.')})
    generation = {'_from_model_config': True, 'transformers_version': TRANSFORMERS_VERSION}
    generation.update({k: config[k] for k in ('bos_token_id', 'eos_token_id')})
    write_json(os.path.join(folder, 'generation_config.json'), generation)
    st = os.path.join(folder, 'model.safetensors')
    write_safetensors(st, weights, dtype)
    back = read_safetensors(st)
    assert back.keys() == stored.keys() and all(torch.equal(back[k], stored[k]) for k in stored), f'{name}: safetensors round trip'

    golden = {
        'description': (
            f'{config["architectures"][0]} written out by hand in PyTorch {torch.__version__} (float64 maths on '
            f'the {dtype} weights of model.safetensors; logits rounded to float32). Logits of input_ids at '
            f'positions 0..{SEQ - 1}; greedy: {NEW_TOKENS} argmax tokens after the prompt, each step recomputed '
            f'from the whole sequence, no eos stopping (smallest top-1/top-2 gap {margin:.3g}). Written by '
            'packages/core/scripts/golden/make_model_folders.py; re-run with '
            '`/usr/bin/python3 packages/core/scripts/golden/make_model_folders.py`.'
        ),
        'input_ids': {'shape': [BATCH, SEQ], 'data': input_ids.reshape(-1).tolist()},
        'logits': {'shape': list(logits.shape), 'data': [short(x) for x in logits.reshape(-1).tolist()]},
        'greedy': {'prompt': prompt, 'tokens': tokens},
    }
    with open(os.path.join(folder, 'golden.json'), 'w') as f:
        json.dump(golden, f, separators=(',', ':'))
        f.write('\n')
    sizes = {f: os.path.getsize(os.path.join(folder, f)) for f in sorted(os.listdir(folder))}
    print(f'{name}: {sizes}, greedy margin {margin:.3g}, tokens {tokens}')


def check_llama3_rope(stored, input_ids, logits):
    """The vectorised llama3 rule equals Meta's loop, uses all three branches, and matters for the logits."""
    c, head_dim = LLAMA, LLAMA['head_dim']
    by_loop, branches = llama3_inv_freq_by_loop(c, head_dim)
    assert torch.allclose(llama3_inv_freq(c, head_dim), by_loop, rtol=1e-15, atol=0), 'llama3 rules disagree'
    assert set(branches) == {'kept', 'smoothed', 'divided'}, branches
    unscaled = llama_forward(c, stored, input_ids, inv_freq=default_inv_freq(c, head_dim))
    assert (unscaled - logits).abs().max() > 1e-2, 'llama3 scaling does not change the logits'


def check_bf16_matters(weights):
    def check(stored, input_ids, logits):
        from_f32 = llama_forward(LLAMA, weights, input_ids)
        assert (from_f32 - logits).abs().max() > 1e-3, 'bf16 rounding does not change the logits'

    return check


def main():
    llama = random_weights(llama_shapes(LLAMA, biases=False), seed=31)
    make_folder('tiny-llama', LLAMA, llama, llama_forward, torch.float32, 31, [check_llama3_rope])
    make_folder('tiny-llama-bf16', LLAMA, llama, llama_forward, torch.bfloat16, 31, [check_bf16_matters(llama)])
    qwen2 = random_weights(llama_shapes(QWEN2, biases=True), seed=32)
    make_folder('tiny-qwen2', QWEN2, qwen2, llama_forward, torch.float32, 32)
    gpt2 = random_weights(gpt2_shapes(GPT2), seed=33)
    make_folder('tiny-gpt2', GPT2, gpt2, gpt2_forward, torch.float32, 33)


if __name__ == '__main__':
    main()
