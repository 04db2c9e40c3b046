"""Golden rotary inverse frequencies, from PyTorch, for tunekit's rope scaling types.

Writes packages/core/test/fixtures/golden-rope.json, which
packages/core/src/models/rope-inv-freq.test.ts compares tunekit's inv_freq against.

Re-run (from the repository root, with Debian's python3-torch; not part of CI):

    /usr/bin/python3 packages/core/scripts/golden/make_rope_golden.py

Each function below is written out by hand from transformers' modeling_rope_utils.py
(`_compute_default_rope_parameters`, `_compute_linear_scaling_rope_parameters`,
`_compute_dynamic_ntk_parameters`, `_compute_llama3_parameters`), in the same float32 tensor
arithmetic: an int64 arange made float32, python-float scalars mixed into float32 tensors. For
`dynamic`, seq_len is an int64 tensor, max(position_ids) + 1, as transformers' dynamic_rope_update
passes it. Values are written as float32 numbers (exact in JSON as decimal float64).
"""

import json
import math
import os

import torch

OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'golden-rope.json'
)


def default_inv_freq(base, dim):
    return 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).to(dtype=torch.float) / dim))


def linear_inv_freq(base, dim, factor):
    inv_freq = default_inv_freq(base, dim)
    inv_freq /= factor
    return inv_freq


def dynamic_inv_freq(base, dim, factor, max_position_embeddings, seq_len):
    seq_len = torch.maximum(seq_len, torch.tensor(max_position_embeddings, dtype=seq_len.dtype))
    base = base * ((factor * seq_len / max_position_embeddings) - (factor - 1)) ** (dim / (dim - 2))
    return 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).to(dtype=torch.float) / dim))


def llama3_inv_freq(base, dim, factor, low_freq_factor, high_freq_factor, old_context_len):
    inv_freq = default_inv_freq(base, dim)
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    wavelen = 2 * math.pi / inv_freq
    inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    smooth_factor = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
    smoothed_inv_freq = (1 - smooth_factor) * inv_freq_llama / factor + smooth_factor * inv_freq_llama
    is_medium_freq = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
    return torch.where(is_medium_freq, smoothed_inv_freq, inv_freq_llama)


def case(name, rope, dim, inv_freq, max_position_embeddings=None, seq_len=None):
    assert inv_freq.dtype == torch.float32 and inv_freq.shape == (dim // 2,)
    out = {'name': name, 'rope': rope, 'dim': dim, 'inv_freq': [float(x) for x in inv_freq]}
    if max_position_embeddings is not None:
        out['max_position_embeddings'] = max_position_embeddings
        out['seq_len'] = seq_len
    return out


def main():
    cases = []
    for base, dim in [(10000.0, 8), (10000.0, 64), (500000.0, 64), (1000000.0, 128)]:
        cases.append(case(f'default theta {base:g} dim {dim}', {'rope_type': 'default', 'rope_theta': base},
                          dim, default_inv_freq(base, dim)))
    cases.append(case('linear factor 4', {'rope_type': 'linear', 'rope_theta': 10000.0, 'factor': 4.0},
                      64, linear_inv_freq(10000.0, 64, 4.0)))
    # within max_position_embeddings the default frequencies; beyond it, a growing base
    for seq_len in [16, 32, 33, 100]:
        rope = {'rope_type': 'dynamic', 'rope_theta': 10000.0, 'factor': 2.0}
        positions = torch.arange(seq_len, dtype=torch.int64)
        inv_freq = dynamic_inv_freq(10000.0, 64, 2.0, 32, torch.max(positions) + 1)
        cases.append(case(f'dynamic seq {seq_len}', rope, 64, inv_freq, 32, seq_len))
    llama3 = [
        # Llama 3.2 1B and Llama 3.1 8B
        ('llama3 3.2-1B', 500000.0, 64, 32.0, 1.0, 4.0, 8192),
        ('llama3 3.1-8B', 500000.0, 128, 8.0, 1.0, 4.0, 8192),
        # small enough that its 4 frequencies fall in all three bands (kept, smoothed, scaled)
        ('llama3 tiny', 10000.0, 8, 4.0, 1.0, 4.0, 64),
    ]
    for name, base, dim, factor, low, high, old in llama3:
        rope = {'rope_type': 'llama3', 'rope_theta': base, 'factor': factor, 'low_freq_factor': low,
                'high_freq_factor': high, 'original_max_position_embeddings': old}
        cases.append(case(name, rope, dim, llama3_inv_freq(base, dim, factor, low, high, old)))

    # the tiny llama3 case must exercise every band, or the test could not catch a wrong band
    tiny = default_inv_freq(10000.0, 8)
    wavelen = 2 * math.pi / tiny
    assert (wavelen < 16).any() and ((wavelen >= 16) & (wavelen <= 64)).any() and (wavelen > 64).any()

    with open(OUT, 'w') as f:
        json.dump({'cases': cases}, f, separators=(',', ':'))
    print(f'wrote {os.path.normpath(OUT)} ({len(cases)} cases)')


if __name__ == '__main__':
    main()
