"""Files as Hugging Face writes them: safetensors (written by hand: no safetensors package here) and JSON
configs. Used by make_model_folders.py."""

import json
import struct

import numpy as np
import torch

# ---------------------------------------------------------------- files


def write_safetensors(path, weights, dtype):
    """8-byte little-endian header length, a JSON header padded with spaces to a multiple of 8, then the
    tensors' little-endian bytes back to back in header order (names sorted)."""
    header, blobs, offset = {'__metadata__': {'format': 'pt'}}, [], 0
    for name in sorted(weights):
        t = weights[name].to(torch.float32).to(dtype)
        if dtype == torch.float32:
            tag, data = 'F32', t.numpy().astype('<f4').tobytes()
        else:
            tag, data = 'BF16', t.view(torch.int16).numpy().astype('<i2').tobytes()
        header[name] = {'dtype': tag, 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        f.write(b''.join(blobs))


def read_safetensors(path):
    """A second, independent reader: the written file must give back exactly the stored weights."""
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8 : 8 + n])
    header.pop('__metadata__')
    out = {}
    for name, info in header.items():
        begin, end = info['data_offsets']
        chunk = raw[8 + n + begin : 8 + n + end]
        if info['dtype'] == 'F32':
            values = np.frombuffer(chunk, dtype='<f4').astype(np.float64)
        else:  # bf16 is the top half of a float32
            values = (np.frombuffer(chunk, dtype='<u2').astype(np.uint32) << 16).view(np.float32).astype(np.float64)
        out[name] = torch.from_numpy(values.copy()).reshape(info['shape'])
    assert 8 + n + max(i['data_offsets'][1] for i in header.values()) == len(raw), 'trailing bytes'
    return out


def write_json(path, value):
    """json.dumps(indent=2, sort_keys=True) + newline, as PretrainedConfig.to_json_file writes."""
    with open(path, 'w') as f:
        f.write(json.dumps(value, indent=2, sort_keys=True) + '\n')


def short(x):
    """A float32 value as the shortest decimal that reads back to the same float32."""
    return float(np.format_float_scientific(np.float32(x), unique=True))
