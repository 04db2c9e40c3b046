"""Golden values for @tunekit/peft-prefix, from PyTorch: the prompt-learning methods (prompt tuning, P-tuning,
prefix tuning with and without projection) on the tiny Llama (GQA,
tied, llama3 rope), Qwen2 (q/k/v biases, 1 kv head) and GPT-2 of packages/core/test/fixtures/models/, each
with the logits of two rows of tokens (the second right-padded) and the gradients of the mean cross-entropy
loss with respect to every parameter of the method.

Writes, under packages/peft-prefix/test/fixtures/<model>/<case>/:

    adapter_config.json        as PEFT's save_pretrained writes it (less peft_version), inference_mode true
    adapter_model.safetensors  as PEFT saves it: `prompt_embeddings` [num_virtual_tokens, token_dim] (for
                               prefix tuning [num_virtual_tokens, num_layers * 2 * token_dim]), the prompt
                               encoder's output in evaluation mode (get_prompt_embedding_to_save)
    parameters.safetensors     the method's trainable parameters under PEFT's names inside
                               prompt_encoder.default (`embedding.weight`, `mlp_head.0.weight`,
                               `transform.0.weight`, ...)
    golden.json                input_ids, attention_mask, labels [2, 6] (labels: the next tokens, -100 where
                               ignored); logits {shape [2, 6, vocab], data}: the rows of the input tokens
                               (PEFT's output has the N virtual tokens' rows first); loss; grads {name:
                               {shape, data}}: d loss / d each parameter of parameters.safetensors

Re-run (from the repository root, with Debian's python3-torch; not part of CI):

    /usr/bin/python3 packages/peft-prefix/scripts/golden_prompt_learning.py

Nothing here comes from tunekit. The models are core's hand-written references (reference_models.py, from
transformers' modeling code), run as PeftModelForCausalLM.forward runs them for a prompt-learning method:
PROMPT_TUNING and P_TUNING put the prompts before the token embeddings (inputs_embeds = cat(prompts,
embeddings)), position_ids are dropped so positions are 0..N+T-1, and the attention mask gets N ones in
front. The prompt encoders are written from PEFT's tuners/{prompt_tuning,p_tuning}/model.py:
  PROMPT_TUNING  prompts = embedding.weight                                  [N, token_dim]
  P_TUNING MLP   prompts = L2(relu(L1(relu(L0(embedding.weight)))))           (mlp_head 0, 2, 4)
  P_TUNING LSTM  prompts = L2(relu(L0(bilstm(embedding.weight))))             (lstm_head, mlp_head 0, 2)
                 the LSTM written out from its equations (gates i, f, g, o) and checked against torch's.
PREFIX_TUNING (tuners/prefix_tuning/model.py, PeftModel.get_prompt) gives no prompts but past_key_values:
  rows = embedding.weight                          [N, num_layers * 2 * token_dim]    (no projection)
  rows = L2(tanh(L0(embedding.weight)))            (transform 0, 2; prefix_projection)
  viewed [B, N, num_layers * 2, heads, head_dim], permuted to [num_layers * 2, B, heads, N, head_dim] and
  split in twos: layer i's keys are entry 2i, its values 2i + 1. The model runs the input tokens after that
  cache, so the mask gets N ones in front and the tokens' positions start at N (transformers counts them
  from the cache's length; PEFT adds N to position_ids when they are given). On a model whose config has
  num_key_value_heads the prefix is that many heads wide (heads = num_key_value_heads, token_dim =
  head_dim * num_key_value_heads, _prepare_prompt_learning_config), and repeat_kv spreads it as the
  model's own keys.
A method is one function from (generator, config.json) to (config fields, parameters, the rows PEFT saves
as `prompt_embeddings`); get_prompt turns the rows into the forward's `prompts` or `past`. Each case draws
its weights from its own generator (seeded by model and case), so adding a case changes no other fixture;
they are rounded to float32; maths runs in float64 on those values; results are rounded to float32 when
written.
"""

import json
import os
import sys
import zlib

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.join(HERE, '..', '..', '..')
sys.path.insert(0, os.path.join(REPO, 'packages', 'core', 'scripts', 'golden'))

from hf_files import read_safetensors, short, write_json, write_safetensors  # noqa: E402
from reference_models import gpt2_forward, llama_forward  # noqa: E402

torch.set_default_dtype(torch.float64)

MODELS = os.path.join(REPO, 'packages', 'core', 'test', 'fixtures', 'models')
OUT = os.path.join(HERE, '..', 'test', 'fixtures')
FAMILIES = {'tiny-llama': llama_forward, 'tiny-qwen2': llama_forward, 'tiny-gpt2': gpt2_forward}
N, HIDDEN = 3, 8  # virtual tokens; the prompt encoder's (and prefix projection's) encoder_hidden_size
BATCH, SEQ = 2, 6

# PromptLearningConfig.to_dict() of PEFT for a causal LM, less peft_version and the method's own fields
PROMPT_LEARNING = {
    'task_type': 'CAUSAL_LM',
    'auto_mapping': None,
    'base_model_name_or_path': None,
    'revision': None,
    'inference_mode': True,
    'num_virtual_tokens': N,
    'num_transformer_submodules': 1,
    'modules_to_save': None,
}


def f32(t):
    """Rounded to float32, held in float64."""
    return t.to(torch.float32).to(torch.float64)


def as_json(t):
    return {'shape': list(t.shape), 'data': [short(v) for v in t.detach().flatten()]}


def write_compact_json(path, value):
    with open(path, 'w') as f:
        f.write(json.dumps(value, separators=(',', ':')) + '\n')


def normal(gen, *shape, std=1.0):
    return f32(torch.randn(*shape, generator=gen) * std).requires_grad_()


def uniform(gen, fan_in, *shape):
    """torch.nn.Linear's and torch.nn.LSTM's init: uniform(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    return f32((2 * torch.rand(*shape, generator=gen) - 1) / fan_in**0.5).requires_grad_()


def linear(params, name, x):
    return x @ params[name + '.weight'].T + params[name + '.bias']


# ---------------------------------------------------------------- the methods
# Each takes (generator, config.json) and returns (config fields, parameters by PEFT's name, rows) where
# rows(parameters) is what the prompt encoder gives for tokens 0..N-1, and PEFT saves as prompt_embeddings.


def prompt_tuning(gen, c):
    params = {'embedding.weight': normal(gen, N, sizes(c)['token_dim'])}
    config = {'peft_type': 'PROMPT_TUNING', 'prompt_tuning_init': 'RANDOM', 'prompt_tuning_init_text': None,
              'tokenizer_name_or_path': None, 'tokenizer_kwargs': None}
    return config, params, lambda p: p['embedding.weight']


def p_tuning_config(kind):
    return {'peft_type': 'P_TUNING', 'encoder_reparameterization_type': kind, 'encoder_hidden_size': HIDDEN,
            'encoder_num_layers': 2, 'encoder_dropout': 0.0}


def p_tuning_mlp(gen, c):
    dim = sizes(c)['token_dim']
    params = {'embedding.weight': normal(gen, N, dim)}
    for name, (out, inp) in {'0': (HIDDEN, dim), '2': (HIDDEN, HIDDEN), '4': (dim, HIDDEN)}.items():
        params[f'mlp_head.{name}.weight'] = uniform(gen, inp, out, inp)
        params[f'mlp_head.{name}.bias'] = uniform(gen, inp, out)

    def rows(p):
        x = torch.relu(linear(p, 'mlp_head.0', p['embedding.weight']))
        return linear(p, 'mlp_head.4', torch.relu(linear(p, 'mlp_head.2', x)))

    return p_tuning_config('MLP'), params, rows


def lstm_direction(p, x, suffix, reverse):
    """One direction of one torch.nn.LSTM layer over x [N, in]: gates = x W_ih^T + b_ih + h W_hh^T + b_hh
    split as i, f, g, o; c' = sigmoid(f) c + sigmoid(i) tanh(g); h' = sigmoid(o) tanh(c')."""
    h = c = torch.zeros(HIDDEN)
    out = [None] * x.shape[0]
    for t in reversed(range(x.shape[0])) if reverse else range(x.shape[0]):
        gates = x[t] @ p['lstm_head.weight_ih_' + suffix].T + p['lstm_head.bias_ih_' + suffix]
        gates = gates + h @ p['lstm_head.weight_hh_' + suffix].T + p['lstm_head.bias_hh_' + suffix]
        i, f, g, o = gates.split(HIDDEN)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        out[t] = h
    return torch.stack(out)


def bilstm(p, x, layers):
    for l in range(layers):
        x = torch.cat((lstm_direction(p, x, f'l{l}', False), lstm_direction(p, x, f'l{l}_reverse', True)), -1)
    return x


def p_tuning_lstm(gen, c):
    dim = sizes(c)['token_dim']
    params = {'embedding.weight': normal(gen, N, dim)}
    for l in range(2):
        for suffix in ('', '_reverse'):
            inp = dim if l == 0 else 2 * HIDDEN
            params[f'lstm_head.weight_ih_l{l}{suffix}'] = uniform(gen, HIDDEN, 4 * HIDDEN, inp)
            params[f'lstm_head.weight_hh_l{l}{suffix}'] = uniform(gen, HIDDEN, 4 * HIDDEN, HIDDEN)
            params[f'lstm_head.bias_ih_l{l}{suffix}'] = uniform(gen, HIDDEN, 4 * HIDDEN)
            params[f'lstm_head.bias_hh_l{l}{suffix}'] = uniform(gen, HIDDEN, 4 * HIDDEN)
    for name, (out, inp) in {'0': (2 * HIDDEN, 2 * HIDDEN), '2': (dim, 2 * HIDDEN)}.items():
        params[f'mlp_head.{name}.weight'] = uniform(gen, inp, out, inp)
        params[f'mlp_head.{name}.bias'] = uniform(gen, inp, out)
    check_lstm_against_torch(params, dim)

    def rows(p):
        x = torch.relu(linear(p, 'mlp_head.0', bilstm(p, p['embedding.weight'], 2)))
        return linear(p, 'mlp_head.2', x)

    return p_tuning_config('LSTM'), params, rows


def check_lstm_against_torch(params, dim):
    lstm = torch.nn.LSTM(dim, HIDDEN, num_layers=2, bidirectional=True, batch_first=True)
    lstm.load_state_dict({k.removeprefix('lstm_head.'): v.detach() for k, v in params.items() if 'lstm' in k})
    x = params['embedding.weight'].detach()
    assert (lstm(x[None])[0][0] - bilstm(params, x, 2)).abs().max() < 1e-12, 'the LSTM differs from torch'


def prefix_sizes(c):
    """_prepare_prompt_learning_config for PREFIX_TUNING: with num_key_value_heads in the model's config, the
    prefix has the key/value heads (head_dim from `head_dim`, or token_dim // num_attention_heads)."""
    s = sizes(c)
    if 'num_key_value_heads' in c:
        head_dim = c.get('head_dim') or s['token_dim'] // s['num_attention_heads']
        s['token_dim'], s['num_attention_heads'] = head_dim * c['num_key_value_heads'], c['num_key_value_heads']
    return s


def prefix_tuning(gen, c, projection):
    """PrefixEncoder: without projection `embedding.weight` is the rows (P-Tuning v2); with it, an
    embedding [N, token_dim] through transform = Sequential(Linear(token_dim, hidden), Tanh, Linear(hidden,
    num_layers * 2 * token_dim)), whose output PEFT saves (and uses as the table when loaded for inference)."""
    s = prefix_sizes(c)
    dim, width = s['token_dim'], s['num_layers'] * 2 * s['token_dim']
    hidden = HIDDEN if projection else dim  # PEFT fills encoder_hidden_size with token_dim when unset
    config = {'peft_type': 'PREFIX_TUNING', 'token_dim': dim, 'num_attention_heads': s['num_attention_heads'],
              'init_weights': None, 'encoder_hidden_size': hidden, 'prefix_projection': projection}
    if not projection:
        return config, {'embedding.weight': normal(gen, N, width)}, lambda p: p['embedding.weight']
    params = {'embedding.weight': normal(gen, N, dim)}
    for name, (out, inp) in {'0': (hidden, dim), '2': (width, hidden)}.items():
        params[f'transform.{name}.weight'] = uniform(gen, inp, out, inp)
        params[f'transform.{name}.bias'] = uniform(gen, inp, out)
    return config, params, lambda p: linear(p, 'transform.2', torch.tanh(linear(p, 'transform.0', p['embedding.weight'])))


CASES = {'prompt_tuning': prompt_tuning, 'p_tuning': p_tuning_mlp,
         'prefix_tuning': lambda gen, c: prefix_tuning(gen, c, False),
         'prefix_tuning_projection': lambda gen, c: prefix_tuning(gen, c, True)}
EXTRA = {('tiny-llama', 'p_tuning_lstm'): p_tuning_lstm}

# ---------------------------------------------------------------- running PEFT's forward


def sizes(c):
    """PEFT's _prepare_prompt_learning_config: num_layers, token_dim, num_attention_heads from config.json."""
    pick = lambda *keys: next(c[k] for k in keys if k in c)
    return {'num_layers': pick('num_hidden_layers', 'num_layers', 'n_layer'),
            'token_dim': pick('hidden_size', 'n_embd', 'd_model'),
            'num_attention_heads': pick('num_attention_heads', 'n_head', 'num_heads')}


def get_prompt(config, rows, batch):
    """PeftModel.get_prompt: the keyword argument of the reference forward, the same for every row:
    `prompts` [B, N, token_dim], or for PREFIX_TUNING `past`, layer i's (keys, values) [B, heads, N, head_dim]
    from the rows viewed [B, N, num_layers * 2, heads, head_dim], permuted [2, 0, 3, 1, 4], split in twos."""
    rows = rows[None].expand(batch, -1, -1)
    if config['peft_type'] != 'PREFIX_TUNING':
        return {'prompts': rows}
    heads, layers = config['num_attention_heads'], config['num_layers']
    table = rows.reshape(batch, N, layers * 2, heads, config['token_dim'] // heads).permute(2, 0, 3, 1, 4)
    return {'past': [(table[2 * i], table[2 * i + 1]) for i in range(layers)]}


def peft_forward(forward, c, w, ids, attention_mask, prompt):
    """PeftModelForCausalLM.forward of a prompt-learning method: the mask gets N ones in front, for the
    virtual tokens (prompts) or the prefix (past)."""
    key_mask = torch.cat((torch.ones(ids.shape[0], N), attention_mask), 1)
    logits = forward(c, w, ids, key_mask=key_mask, **prompt)
    return logits[:, -ids.shape[1] :]  # the input tokens' rows


def check_prompts_are_inputs_embeds(forward, c, w, ids):
    """Prompts equal to some tokens' embeddings give the logits of those tokens put before the input."""
    words = w['transformer.wte.weight' if 'transformer.wte.weight' in w else 'model.embed_tokens.weight']
    head = torch.tensor([[7, 8, 9]] * ids.shape[0])
    via_prompts = forward(c, w, ids, prompts=words[head])
    assert (via_prompts - forward(c, w, torch.cat((head, ids), 1))).abs().max() < 1e-12


def main():
    gen = torch.Generator().manual_seed(20261203)  # the inputs; each case's weights have their own
    ids = torch.randint(0, 290, (BATCH, SEQ), generator=gen)
    attention_mask = torch.ones(BATCH, SEQ)
    attention_mask[1, -1] = 0  # the second row is right-padded by one token
    labels = torch.cat((ids[:, 1:], torch.full((BATCH, 1), -100)), 1)
    labels[1, -2:] = -100
    for model, forward in FAMILIES.items():
        folder = os.path.join(MODELS, model)
        with open(os.path.join(folder, 'config.json')) as f:
            c = json.load(f)
        w = read_safetensors(os.path.join(folder, 'model.safetensors'))
        check_prompts_are_inputs_embeds(forward, c, w, ids)
        base = forward(c, w, ids, key_mask=attention_mask)
        cases = {**CASES, **{case: fn for (m, case), fn in EXTRA.items() if m == model}}
        for case, method in cases.items():
            case_gen = torch.Generator().manual_seed(zlib.crc32(f'{model}/{case}'.encode()))
            fields, params, rows = method(case_gen, c)
            config = {**PROMPT_LEARNING, **sizes(c), **fields}
            logits = peft_forward(forward, c, w, ids, attention_mask, get_prompt(config, rows(params), BATCH))
            assert (logits - base).abs().max() > 1e-2, f'{model} {case}: the prompts must change the logits'
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1))
            loss.backward()
            grads = {name: as_json(p.grad) for name, p in params.items()}
            assert all(max(abs(v) for v in g['data']) > 1e-6 for g in grads.values()), f'{case}: a gradient is ~0'
            with torch.no_grad():
                saved = {'prompt_embeddings': rows(params).detach()}
            out = os.path.join(OUT, model, case)
            os.makedirs(out, exist_ok=True)
            write_json(os.path.join(out, 'adapter_config.json'), config)
            write_safetensors(os.path.join(out, 'adapter_model.safetensors'), saved, torch.float32)
            write_safetensors(os.path.join(out, 'parameters.safetensors'), {k: p.detach() for k, p in params.items()}, torch.float32)
            write_compact_json(os.path.join(out, 'golden.json'), {
                'input_ids': ids.tolist(),
                'attention_mask': attention_mask.int().tolist(),
                'labels': labels.tolist(),
                'logits': as_json(logits),
                'loss': float(loss),
                'grads': grads,
            })
            print(f'{model} {case}: loss {float(loss):.6f}, {len(params)} parameters')


if __name__ == '__main__':
    main()
