"""Golden vectors for @tunekit/peft-qlora's quantization: bitsandbytes' CPU path, reproduced in torch.

Writes packages/peft-qlora/test/golden/quantization.json and test/golden/adam-8bit.json. Re-run (from the repository root, with Debian's
python3-torch and python3-numpy; not part of CI):

    /usr/bin/python3 packages/peft-qlora/scripts/golden-quantization.py

bitsandbytes cannot be installed here, so this script copies its CPU path from the published source,
bitsandbytes-foundation/bitsandbytes at commit 95f9af309d4d5793847169c39288dcd3fcbdf564:

  quantize_4bit    bitsandbytes/functional.py quantize_4bit, then the 'default' kernel in
                   bitsandbytes/backends/default/ops.py (the CPU backend registers none of its own):
                   absmax per block in f32; full blocks scaled by x * (1 / absmax), the tail block by
                   x / absmax; clamp to [-1, 1]; torch.bucketize against the midpoints of the sorted code
                   (a value on a midpoint goes to the lower code); FP4's sorted positions mapped back with
                   argsort; first value of a pair in the high nibble; an odd count padded with a 0.
  double quant     functional.py quantize_4bit(compress_statistics=True): offset = absmax.mean() (f32),
                   (absmax - offset) quantized by quantize_blockwise with blocksize 256 and
                   create_dynamic_map(signed=True).
  quantize_blockwise  on CPU with the native library: csrc/cpu_ops.cpp quantize_cpu_impl, which rounds
                   through a 65536-entry lookup table (build_quantize_lut, norm_to_lut_index), not a
                   nearest search; an all-zero block gives absmax 0 and codes 0. norm_to_lut_index is
                   compiled with `#pragma GCC target("avx2,fma")` and GCC's default -ffp-contract=fast,
                   so (v + 1) * 0.5 * 65535 + 0.5 is taken as one fused multiply-add (exact in f64 here).
  dequantize       code[q] * absmax[block] in f32 (default ops' _dequantize_4bit_compute and
                   _dequantize_blockwise_compute, cpu_ops.cpp dequantizeBlockwise{4,8}bitCpu); nested:
                   absmax = code[q] * nested_absmax + offset.

  8-bit Adam       bitsandbytes/optim/optimizer.py Optimizer2State (init_state, update_step) with the
                   CPU kernels of bitsandbytes/backends/cpu/ops.py: a parameter below min_8bit_size (4096)
                   values keeps f32 states (_optimizer_update_32bit_cpu), a larger one uint8 states in
                   blocks of 256, exp_avg in the signed and exp_avg_sq in the unsigned dynamic map
                   (_optimizer_update_8bit_blockwise_cpu: dequantize, update in f32, quantize_blockwise).
                   The CUDA kernel (csrc/kernels.cu kOptimizerStatic8bit2StateBlockwise) rounds codes by
                   its own search and applies weight decay after the update; this is the CPU path.

torch runs on one thread: torch.mean's f32 sum (aten/src/ATen/native/cpu/SumKernel.cpp cascade_sum) is
split across threads above 32768 values. Nothing here comes from tunekit.
"""

import base64
import json
import math
import os

import numpy as np
import torch

torch.set_num_threads(1)

BNB_COMMIT = "95f9af309d4d5793847169c39288dcd3fcbdf564"
OUT = os.path.join(os.path.dirname(__file__), "..", "test", "golden", "quantization.json")


# ---- code tables (functional.py get_4bit_type, create_dynamic_map) ------------------------------------


def get_4bit_type(typename):
    if typename == "nf4":
        data = [
            -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
            -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
            0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
            0.7229568362236023, 1.0,
        ]
    else:
        data = [0, 0.0625, 8.0, 12.0, 4.0, 6.0, 2.0, 3.0, -0, -0.0625, -8.0, -12.0, -4.0, -6.0, -2.0, -3.0]
    data = torch.tensor(data)
    data.div_(data.abs().max())
    return data


def create_dynamic_map(signed=True, max_exponent_bits=7, total_bits=8):
    data = []
    non_sign_bits = total_bits - 1
    additional_items = 2 ** (non_sign_bits - max_exponent_bits) - 1
    for i in range(max_exponent_bits):
        fraction_items = int(
            2 ** (i + non_sign_bits - max_exponent_bits) + 1
            if signed
            else 2 ** (i + non_sign_bits - max_exponent_bits + 1) + 1,
        )
        boundaries = torch.linspace(0.1, 1, fraction_items, dtype=torch.float32)
        means = (boundaries[:-1] + boundaries[1:]) / 2.0
        data += ((10 ** (-(max_exponent_bits - 1) + i)) * means).tolist()
        if signed:
            data += (-(10 ** (-(max_exponent_bits - 1) + i)) * means).tolist()
    if additional_items > 0:
        boundaries = torch.linspace(0.1, 1, additional_items + 1, dtype=torch.float32)
        means = (boundaries[:-1] + boundaries[1:]) / 2.0
        data += ((10 ** (-(max_exponent_bits - 1) + i)) * means).tolist()
        if signed:
            data += (-(10 ** (-(max_exponent_bits - 1) + i)) * means).tolist()
    data.append(0)
    data.append(1.0)
    assert len(data) == 2**total_bits
    for _ in range(256 - len(data)):
        data.append(0)
    data.sort()
    return torch.tensor(data, dtype=torch.float32)


# ---- 4-bit (backends/default/ops.py) ------------------------------------------------------------------


def quantize_4bit_kernel(A, blocksize, quant_type):
    code = get_4bit_type(quant_type)
    order = torch.argsort(code)
    # FP4 has two zeros; bitsandbytes relies on torch's order for the tie. Fail loudly if it changes.
    assert order.tolist() == sorted(range(16), key=lambda i: (code[i].item(), i)), order.tolist()
    bounds = (code[order[:-1]] + code[order[1:]]) / 2
    A_flat = A.reshape(-1).float()
    n = A_flat.numel()
    rem = n % blocksize
    full = n - rem
    blocks = full // blocksize
    A_com = A_flat[:full].reshape(blocks, blocksize)
    absmax = A_com.abs().max(dim=-1)[0]
    scaled = torch.clamp(A_com * (1.0 / absmax.clamp(min=1e-38).view(-1, 1)), -1, 1).reshape(-1)
    if rem:
        am = A_flat[full:].abs().max().clamp(min=1e-38)
        absmax = torch.cat([absmax, am.unsqueeze(0)])
        scaled = torch.cat([scaled, torch.clamp(A_flat[full:] / am, -1, 1)])
    if scaled.numel() % 2:
        scaled = torch.nn.functional.pad(scaled, (0, 1))
    q = torch.bucketize(scaled, bounds, out_int32=True)
    if quant_type != "nf4":
        q = order[q.long()]  # bitsandbytes indexes with the int32 q; torch 1.13 wants int64
    q8 = q.to(torch.uint8)
    packed = ((q8[::2] << 4) | q8[1::2]).unsqueeze(1)
    return packed, absmax


def dequantize_4bit_kernel(packed, absmax, blocksize, quant_type, n):
    code = get_4bit_type(quant_type)
    A_flat = packed.reshape(-1)
    out_dq = torch.empty(A_flat.size(0) * 2, dtype=torch.int64)
    out_dq[1::2] = (A_flat & 0xF).long()
    out_dq[::2] = (A_flat >> 4).long()
    out_dq = code[out_dq][:n]
    rem = n % blocksize
    if rem:
        full = n - rem
        blocks = full // blocksize
        out = torch.empty(n, dtype=torch.float32)
        out[:full] = (out_dq[:full].view(-1, blocksize) * absmax[:blocks].view(-1, 1)).reshape(full)
        out[full:] = out_dq[full:] * absmax[blocks]
    else:
        out = (out_dq.view(-1, blocksize) * absmax.view(-1, 1)).reshape(n)
    return out


# ---- 8-bit blockwise (csrc/cpu_ops.cpp) -----------------------------------------------------------------

F32 = np.float32


def build_quantize_lut(code):
    code = code.numpy()
    midpoints = F32(0.5) * (code[:-1] + code[1:])
    i = np.arange(65536, dtype=F32)
    val = F32(-1.0) + (F32(2.0) * i) / F32(65535)
    # the C++ loop advances while midpoints[idx] < val: the count of midpoints strictly below val
    return np.searchsorted(midpoints, val, side="left").astype(np.uint8)


def norm_to_lut_index(val):
    val = np.clip(val, F32(-1.0), F32(1.0))
    t = (val + F32(1.0)) * F32(0.5)
    fused = (t.astype(np.float64) * 65535.0 + 0.5).astype(F32)  # fma(t, 65535, 0.5), rounded once
    return fused.astype(np.uint16)


def quantize_blockwise_cpu(A, code, blocksize):
    lut = build_quantize_lut(code)
    a = A.reshape(-1).numpy().astype(F32)
    n = a.size
    blocks = -(n // -blocksize)
    absmax = np.zeros(blocks, dtype=F32)
    out = np.zeros(n, dtype=np.uint8)
    for b in range(blocks):
        x = a[b * blocksize : (b + 1) * blocksize]
        absmax[b] = np.abs(x).max()
        if absmax[b] == 0:
            continue
        inv = F32(1.0) / absmax[b]
        out[b * blocksize : b * blocksize + x.size] = lut[norm_to_lut_index(x * inv)]
    return torch.from_numpy(out), torch.from_numpy(absmax)


def dequantize_blockwise(q, absmax, code, blocksize):
    n = q.numel()
    scale = absmax.repeat_interleave(blocksize)[:n]
    return code[q.long()] * scale


# ---- functional.py quantize_4bit / dequantize_4bit ----------------------------------------------------


def quantize_4bit(A, blocksize, quant_type, compress_statistics):
    packed, absmax = quantize_4bit_kernel(A, blocksize, quant_type)
    if not compress_statistics:
        return {"packed": packed, "absmax": absmax}
    offset = absmax.mean()
    qabsmax, nested_absmax = quantize_blockwise_cpu(absmax - offset, create_dynamic_map(True), 256)
    return {"packed": packed, "absmax": qabsmax, "nested_absmax": nested_absmax, "offset": offset}


def dequantize_4bit(state, blocksize, quant_type, n):
    absmax = state["absmax"]
    if "offset" in state:
        absmax = dequantize_blockwise(absmax, state["nested_absmax"], create_dynamic_map(True), 256)
        absmax += state["offset"]
    return dequantize_4bit_kernel(state["packed"], absmax, blocksize, quant_type, n)


# ---- inputs --------------------------------------------------------------------------------------------


def b64(t):
    a = t.numpy() if isinstance(t, torch.Tensor) else t
    return base64.b64encode(np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<")).tobytes()).decode()


def normal(seed, n):
    return torch.randn(n, generator=torch.Generator().manual_seed(seed), dtype=torch.float32)


def make_inputs():
    inputs = {}
    n = 64 * 5 + 37  # five full blocks of 64 and a tail of 37
    inputs["normal"] = normal(1, n)
    inputs["uniform"] = torch.rand(n, generator=torch.Generator().manual_seed(2)) * 2 - 1
    outliers = normal(3, n) * 0.02
    outliers[[5, 70, 200, 340]] = torch.tensor([40.0, -75.0, 12.5, -0.9])
    inputs["outliers"] = outliers
    zero_block = normal(4, n)
    zero_block[64:128] = 0.0
    zero_block[-37:] = 0.0  # the tail block too
    inputs["zero_block"] = zero_block
    # values on the midpoints of each code (absmax 1, so they are scaled by exactly 1): ties
    ties = [1.0, 0.0, -0.0]
    for code in (get_4bit_type("nf4"), get_4bit_type("fp4"), create_dynamic_map(True)):
        s = torch.sort(code).values
        ties += ((s[:-1] + s[1:]) / 2).tolist()
    ties += [1e-3, 2.6e-3, -2.6e-3, 1e-7, -1e-7, 1e-30]
    inputs["ties"] = torch.tensor(ties, dtype=torch.float32)
    for bs in (32, 64, 128, 256, 512, 1024, 2048, 4096):
        inputs[f"normal_{bs}"] = normal(100 + bs, 2 * bs + bs // 2 + 1)
    inputs["many_blocks"] = normal(5, 32 * 520 + 5) * torch.linspace(0.1, 3.0, 32 * 520 + 5)
    inputs["adam_v"] = normal(6, 256 * 3 + 100) ** 2 * 1e-4
    return inputs


def main():
    inputs = make_inputs()
    four_bit = []

    def add4(name, blocksize):
        for quant_type in ("nf4", "fp4"):
            for dq in (False, True):
                A = inputs[name]
                st = quantize_4bit(A, blocksize, quant_type, dq)
                case = {
                    "input": name,
                    "quant_type": quant_type,
                    "blocksize": blocksize,
                    "compress_statistics": dq,
                    "packed": b64(st["packed"].reshape(-1)),
                    "absmax": b64(st["absmax"]),
                    "dequantized": b64(dequantize_4bit(st, blocksize, quant_type, A.numel())),
                }
                if dq:
                    case["nested_absmax"] = b64(st["nested_absmax"])
                    case["offset"] = b64(st["offset"].reshape(1))
                four_bit.append(case)

    for name in ("normal", "uniform", "outliers", "zero_block", "ties"):
        add4(name, 64)
    for bs in (32, 64, 128, 256, 512, 1024, 2048, 4096):
        add4(f"normal_{bs}", bs)
    add4("many_blocks", 32)

    eight_bit = []

    def add8(name, signed, blocksize):
        code = create_dynamic_map(signed)
        q, absmax = quantize_blockwise_cpu(inputs[name], code, blocksize)
        eight_bit.append({
            "input": name,
            "signed": signed,
            "blocksize": blocksize,
            "quantized": b64(q),
            "absmax": b64(absmax),
            "dequantized": b64(dequantize_blockwise(q, absmax, code, blocksize)),
        })

    for name in ("normal", "outliers", "zero_block", "ties"):
        add8(name, True, 64)
    add8("normal_256", True, 256)
    add8("normal_4096", True, 4096)
    add8("many_blocks", True, 256)
    add8("adam_v", False, 256)

    # torch.mean's f32 sum on lengths around its vector (8), unroll (4) and cascade (16) steps
    means = []
    for n in (1, 3, 7, 8, 9, 31, 32, 33, 63, 100, 513, 1029, 4099, 20000, 70001):
        i = np.arange(n, dtype=np.int64)
        x = torch.from_numpy(((i * 7919 % 10007) / 10007 - 0.3).astype(F32))  # same formula in the test
        means.append({"n": n, "mean": b64(x.mean().reshape(1))})

    golden = {
        "source": f"bitsandbytes-foundation/bitsandbytes@{BNB_COMMIT}, CPU path; torch {torch.__version__}",
        "dynamic_map_signed": b64(create_dynamic_map(True)),
        "dynamic_map_unsigned": b64(create_dynamic_map(False)),
        "inputs": {k: b64(v) for k, v in inputs.items()},
        "four_bit": four_bit,
        "eight_bit": eight_bit,
        "means": means,
    }
    with open(OUT, "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.normpath(OUT)}: {len(four_bit)} 4-bit, {len(eight_bit)} 8-bit, {len(means)} means")


# ---- 8-bit Adam (optim/optimizer.py Optimizer2State, backends/cpu/ops.py) -----------------------------

ADAM_OUT = os.path.join(os.path.dirname(__file__), "..", "test", "golden", "adam-8bit.json")


@torch.no_grad()
def adam_update_32bit(g, p, state1, state2, beta1, beta2, eps, weight_decay, step, lr):
    """_optimizer_update_32bit_cpu for 'adam' (gnorm_scale 1, max_unorm 0); p is f32, so p.float() is p."""
    state1.mul_(beta1).add_(g, alpha=1.0 - beta1)
    state2.mul_(beta2).addcmul_(g, g, value=1.0 - beta2)
    correction1 = 1.0 - beta1**step
    correction2 = math.sqrt(1.0 - beta2**step)
    step_size = -lr * correction2 / correction1
    if weight_decay > 0.0:
        p.mul_(1.0 - lr * weight_decay)
    update = state1 / (state2.sqrt() + eps * correction2)
    p.add_(update, alpha=step_size * 1.0)


@torch.no_grad()
def adam_update_8bit_blockwise(g, p, st, beta1, beta2, eps, weight_decay, step, lr):
    """_optimizer_update_8bit_blockwise_cpu for 'adam'; st holds state1/2 (uint8), absmax1/2, qmap1/2."""
    blocksize = 256
    s1 = dequantize_blockwise(st["state1"], st["absmax1"], st["qmap1"], blocksize)
    s2 = dequantize_blockwise(st["state2"], st["absmax2"], st["qmap2"], blocksize)
    s1.mul_(beta1).add_(g, alpha=1.0 - beta1)
    s2.mul_(beta2).addcmul_(g, g, value=1.0 - beta2)
    correction1 = 1.0 - beta1**step
    correction2 = math.sqrt(1.0 - beta2**step)
    denom = (s2.sqrt() / correction2).add_(eps)
    if weight_decay > 0.0:
        p.mul_(1.0 - lr * weight_decay)
    p.addcdiv_(s1, denom, value=-lr / correction1)
    st["state1"], st["absmax1"] = quantize_blockwise_cpu(s1, st["qmap1"], blocksize)
    st["state2"], st["absmax2"] = quantize_blockwise_cpu(s2, st["qmap2"], blocksize)


def adam_cases():
    """Several steps of bitsandbytes' AdamW8bit (optim_bits=8) and PagedAdamW32bit (optim_bits=32)."""
    cases = []
    specs = [
        # name, numel, optim_bits, lr, weight_decay, betas, eps
        ("big_8bit", 4096 + 256 * 2 + 77, 8, 1e-3, 1e-2, (0.9, 0.999), 1e-8),
        ("exact_min_8bit", 4096, 8, 2e-2, 0.0, (0.8, 0.99), 1e-6),
        ("small_below_min", 1000, 8, 1e-3, 1e-2, (0.9, 0.999), 1e-8),
        ("big_32bit", 1500, 32, 1e-3, 1e-2, (0.9, 0.999), 1e-8),
    ]
    steps = 4
    for k, (name, n, bits, lr, wd, (beta1, beta2), eps) in enumerate(specs):
        p0 = normal(1000 + k, n) * 0.1
        grads = [normal(2000 + 10 * k + s, n) * (1.0 + s) * 1e-2 for s in range(steps)]
        grads[2][:300] = 0.0  # a zero block, and zero gradients
        p = p0.clone()
        eight = bits == 8 and n >= 4096  # init_state: below min_8bit_size the states are f32
        if eight:
            blocks = -(n // -256)
            st = {
                "state1": torch.zeros(n, dtype=torch.uint8), "state2": torch.zeros(n, dtype=torch.uint8),
                "absmax1": torch.zeros(blocks), "absmax2": torch.zeros(blocks),
                "qmap1": create_dynamic_map(True), "qmap2": create_dynamic_map(False),
            }
        else:
            st = {"state1": torch.zeros(n), "state2": torch.zeros(n)}
        after = []
        for s in range(steps):
            if eight:
                adam_update_8bit_blockwise(grads[s], p, st, beta1, beta2, eps, wd, s + 1, lr)
                after.append({"param": b64(p), **{key: b64(st[key]) for key in ("state1", "state2", "absmax1", "absmax2")}})
            else:
                adam_update_32bit(grads[s], p, st["state1"], st["state2"], beta1, beta2, eps, wd, s + 1, lr)
                after.append({"param": b64(p), "state1": b64(st["state1"]), "state2": b64(st["state2"])})
        cases.append({
            "name": name, "optim_bits": bits, "lr": lr, "weight_decay": wd, "betas": [beta1, beta2], "eps": eps,
            "state_bits": 8 if eight else 32, "param": b64(p0), "grads": [b64(g) for g in grads], "steps": after,
        })
    return cases


def write_adam():
    golden = {
        "source": f"bitsandbytes-foundation/bitsandbytes@{BNB_COMMIT}, CPU path; torch {torch.__version__}",
        "cases": adam_cases(),
    }
    with open(ADAM_OUT, "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.normpath(ADAM_OUT)}: {len(golden['cases'])} cases")


if __name__ == "__main__":
    main()
    write_adam()
