"""Golden state-dict entries of 4-bit weights as bitsandbytes saves them, for @tunekit/peft-qlora's folder IO.

Writes packages/peft-qlora/test/golden/bnb-state-dict.json. Re-run (from the repository root, with Debian's
python3-torch and python3-numpy; not part of CI):

    /usr/bin/python3 packages/peft-qlora/scripts/golden-bnb-state-dict.py

bitsandbytes cannot be installed here. The quantization itself is golden-quantization.py's reproduction of
its CPU path (imported from beside this file); what this script adds is the serialization, copied from
bitsandbytes-foundation/bitsandbytes at commit 95f9af309d4d5793847169c39288dcd3fcbdf564:

  nn/modules.py Linear4bit._save_to_state_dict   `weight` (the packed uint8 [n/2, 1]), then every item of
                                                 QuantState.as_dict(packed=True) under `weight.`
  functional.py QuantState.as_dict               the dict's keys and their order, dtype names by
                                                 str(dtype).strip("torch."), shape as a tuple, nested_offset
                                                 by .item(); tensors kept, the rest packed
  utils.py pack_dict_to_tensor                   json.dumps(...).encode("utf-8") as a uint8 tensor

For each case the JSON records the input (f32 bytes of the values in the weight's dtype), and for every key
in the order bitsandbytes writes it: torch dtype, shape, base64 bytes, and the quant_state's JSON text.
"""

import importlib.util
import json
import os

import torch

HERE = os.path.dirname(__file__)
spec = importlib.util.spec_from_file_location("golden_quantization", os.path.join(HERE, "golden-quantization.py"))
gq = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gq)
torch.set_num_threads(1)

OUT = os.path.join(HERE, "..", "test", "golden", "bnb-state-dict.json")


def as_dict_packed(A, blocksize, quant_type, compress_statistics):
    """QuantState.as_dict(packed=True) of quantize_4bit(A, ...), plus the weight itself, as _save_to_state_dict."""
    st = gq.quantize_4bit(A, blocksize, quant_type, compress_statistics)
    qs_dict = {
        "quant_type": quant_type,
        "absmax": st["absmax"],
        "blocksize": blocksize,
        "quant_map": gq.get_4bit_type(quant_type),
        "dtype": str(A.dtype).strip("torch."),
        "shape": tuple(A.shape),
    }
    if compress_statistics:
        qs_dict.update({
            "nested_absmax": st["nested_absmax"],
            "nested_blocksize": 256,
            "nested_quant_map": gq.create_dynamic_map(True).clone(),
            "nested_dtype": str(torch.float32).strip("torch."),
            "nested_offset": st["offset"].item(),
        })
    packed = {k: v for k, v in qs_dict.items() if isinstance(v, torch.Tensor)}
    non_tensor = {k: v for k, v in qs_dict.items() if not isinstance(v, torch.Tensor)}
    text = json.dumps(non_tensor)
    packed["quant_state.bitsandbytes__" + quant_type] = torch.tensor(list(text.encode("utf-8")), dtype=torch.uint8)
    return {"weight": st["packed"], **{"weight." + k: v for k, v in packed.items()}}, text


CASES = [
    # name, shape, dtype, quant_type, blocksize, double quantization
    ("nf4_dq_f32", (128, 160), torch.float32, "nf4", 64, True),  # 320 blocks: two nested blocks
    ("fp4_f32_odd", (7, 9), torch.float32, "fp4", 32, False),  # 63 values: a padded last nibble
    ("nf4_dq_bf16", (16, 48), torch.bfloat16, "nf4", 128, True),
    ("fp4_dq_f16", (20, 30), torch.float16, "fp4", 64, True),
    ("nf4_bf16", (12, 64), torch.bfloat16, "nf4", 64, False),
]


def main():
    cases = []
    for i, (name, shape, dtype, quant_type, blocksize, dq) in enumerate(CASES):
        n = shape[0] * shape[1]
        A = (gq.normal(200 + i, n) * 0.05 + 0.01).reshape(shape).to(dtype)
        entries, text = as_dict_packed(A, blocksize, quant_type, dq)
        cases.append({
            "name": name,
            "input": gq.b64(A.float().reshape(-1)),
            "shape": list(shape),
            "dtype": str(dtype).strip("torch."),
            "quant_type": quant_type,
            "blocksize": blocksize,
            "compress_statistics": dq,
            "quant_state_json": text,
            "tensors": [
                {"key": k, "dtype": str(v.dtype), "shape": list(v.shape), "bytes": gq.b64(v.contiguous())}
                for k, v in entries.items()
            ],
        })
    golden = {
        "source": f"bitsandbytes-foundation/bitsandbytes@{gq.BNB_COMMIT}, serialization; torch {torch.__version__}",
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.normpath(OUT)}: {len(cases)} cases")


if __name__ == "__main__":
    main()
