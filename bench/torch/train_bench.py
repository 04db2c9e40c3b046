"""PyTorch side of `pnpm bench`: the same random-weight Llama workloads, written by hand.

    python3 train_bench.py matmul THREADS [cpu|cuda] -> {"gflops": ..., "blas": ...}
    python3 train_bench.py train '<workload json>'   -> {"step_s": ..., "peak_rss_mb": ...}

On "cuda" (the workload's "device") everything lives on the GPU and each timed step ends with
torch.cuda.synchronize(); fp32 stays fp32 (TF32 off, torch's default for matmuls).

The model is transformers' eager LlamaForCausalLM (RMSNorm, rotary embeddings, grouped-query
attention with an additive causal mask, SiLU-gated MLP, tied embeddings), LoRA is PEFT's lora.Linear
(kaiming-uniform A, zero B, scaling lora_alpha / r), the optimizer torch.optim.AdamW with gradient
clipping, as Hugging Face's Trainer runs them. Prints one JSON line.
"""

import json
import math
import resource
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn


class RMSNorm(nn.Module):
    def __init__(self, hidden, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hidden))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


class LoraLinear(nn.Module):
    """y = x W^T + (x A^T B^T) * scaling, W frozen."""

    def __init__(self, base, r, alpha):
        super().__init__()
        self.base_layer = base
        self.lora_A = nn.Linear(base.in_features, r, bias=False)
        self.lora_B = nn.Linear(r, base.out_features, bias=False)
        nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B.weight)
        self.scaling = alpha / r

    def forward(self, x):
        return self.base_layer(x) + self.lora_B(self.lora_A(x)) * self.scaling


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        h, self.heads, self.kv_heads = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
        self.head_dim = h // self.heads
        self.q_proj = nn.Linear(h, self.heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(h, self.kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(h, self.kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(self.heads * self.head_dim, h, bias=False)

    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        groups = self.heads // self.kv_heads
        k = k.repeat_interleave(groups, dim=1)
        v = v.repeat_interleave(groups, dim=1)
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_dim) + mask
        y = torch.softmax(scores, dim=-1) @ v
        return self.o_proj(y.transpose(1, 2).reshape(b, t, -1))


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        h, i = c["hidden_size"], c["intermediate_size"]
        self.gate_proj = nn.Linear(h, i, bias=False)
        self.up_proj = nn.Linear(h, i, bias=False)
        self.down_proj = nn.Linear(i, h, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self_attn = Attention(c)
        self.mlp = MLP(c)
        self.input_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])

    def forward(self, h, cos, sin, mask):
        h = h + self.self_attn(self.input_layernorm(h), cos, sin, mask)
        return h + self.mlp(self.post_attention_layernorm(h))


class LlamaForCausalLM(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList(DecoderLayer(c) for _ in range(c["num_hidden_layers"]))
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        head_dim = c["hidden_size"] // c["num_attention_heads"]
        inv_freq = 1.0 / c["rope_theta"] ** (torch.arange(0, head_dim, 2).float() / head_dim)
        self.register_buffer("inv_freq", inv_freq, persistent=False)
        assert c["tie_word_embeddings"], "the bench models tie lm_head to embed_tokens"

    def forward(self, ids, positions):
        t = ids.shape[1]
        freqs = positions[:, None, :, None].float() * self.inv_freq
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos(), emb.sin()
        mask = torch.full((t, t), float("-inf"), device=ids.device).triu(1)
        h = self.embed_tokens(ids)
        for layer in self.layers:
            h = layer(h, cos, sin, mask)
        return F.linear(self.norm(h), self.embed_tokens.weight)


def build(w):
    torch.manual_seed(0)
    model = LlamaForCausalLM(w["config"])
    for name, p in model.named_parameters():
        if not name.endswith("norm.weight"):
            nn.init.normal_(p, std=0.02)
    if w["method"] == "lora":
        model.requires_grad_(False)
        lora = w["lora"]
        for module in list(model.modules()):
            for name, child in list(module.named_children()):
                if name in lora["target_modules"]:
                    setattr(module, name, LoraLinear(child, lora["r"], lora["lora_alpha"]))
    return model


def train(w):
    torch.set_num_threads(w["threads"])
    device = torch.device(w.get("device", "cpu"))
    model = build(w).to(device)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = w["optimizer"]
    optimizer = torch.optim.AdamW(params, lr=opt["lr"], weight_decay=opt["weight_decay"], foreach=True)
    g = torch.Generator().manual_seed(1)
    vocab = w["config"]["vocab_size"]
    ids = torch.randint(vocab, (w["batch"], w["seq"]), generator=g).to(device)
    labels = torch.randint(vocab, (w["batch"] * w["seq"],), generator=g).to(device)
    positions = torch.arange(w["seq"], device=device).expand(w["batch"], -1)
    seconds = []
    for i in range(w["warmup"] + w["steps"]):
        start = time.perf_counter()
        logits = model(ids, positions)
        loss = F.cross_entropy(logits.view(-1, vocab), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, opt["max_grad_norm"])
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        final_loss = loss.item()  # on CUDA, .item() waits for the step: the timing fence
        if i >= w["warmup"]:
            seconds.append(time.perf_counter() - start)
    seconds.sort()
    n = len(seconds)
    return {
        "step_s": (seconds[n // 2] + seconds[(n - 1) // 2]) / 2,
        "steps_s": seconds,
        "final_loss": final_loss,
        "trainable_params": sum(p.numel() for p in params),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_gpu_mb": torch.cuda.max_memory_allocated() / 2**20 if device.type == "cuda" else None,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
    }


def loaded_blas():
    """The BLAS shared library this process has mapped (Debian's torch calls the system BLAS)."""
    with open("/proc/self/maps") as maps:
        libs = {line.split()[-1] for line in maps if "blas" in line.lower()}
    return sorted(libs)


def openblas_core():
    """The kernel family OpenBLAS chose (it detects the CPU unless OPENBLAS_CORETYPE forces one)."""
    import ctypes

    for lib in loaded_blas():
        if "openblas" in lib:
            get = ctypes.CDLL(lib).openblas_get_corename
            get.restype = ctypes.c_char_p
            return get().decode()
    return None


def matmul(threads, device="cpu", n=2048, reps=10):
    torch.set_num_threads(threads)
    a, b = torch.randn(n, n, device=device), torch.randn(n, n, device=device)
    sync = torch.cuda.synchronize if device == "cuda" else lambda: None
    for _ in range(3):
        a @ b
    sync()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        a @ b
        sync()
        times.append(time.perf_counter() - start)
    # the best of the repetitions: a peak, as little disturbed by other processes as we can get
    return {
        "gflops": 2 * n**3 / min(times) / 1e9,
        "blas": loaded_blas(),
        "openblas_core": openblas_core(),
        "threads": threads,
    }


if __name__ == "__main__":
    torch.backends.cuda.matmul.allow_tf32 = False  # fp32 as tunekit computes it (the default since 1.12)
    if sys.argv[1] == "matmul":
        print(json.dumps(matmul(int(sys.argv[2]), *sys.argv[3:4])))
    else:
        print(json.dumps(train(json.loads(sys.argv[2]))))
