import {
  buildCausalLM,
  byteLevelBpeJson,
  type CausalLM,
  type CausalLMInputs,
  type CausalLMOutputs,
  type CausalLMShape,
  Embedding,
  HostTensor,
  Module,
  randomNormal,
  seededRandom,
  Tokenizer,
  type TraceContext,
} from '@tunekit/core';

export const CHATML_IDS = { endoftext: 256, im_start: 257, im_end: 258 } as const;
export const BYTE_VOCAB = 259;

/**
 * A byte-level tokenizer without merges (id = byte value) plus ChatML's special tokens, eos
 * `<|im_end|>`: every character of ASCII text is one token, so expected ids are plain char codes.
 * With `wrap`, encoding adds BOS `<|endoftext|>` in front and eos behind, as Llama-style
 * tokenizers with add_bos_token and add_eos_token do.
 */
export function byteTokenizer(opts: { wrap?: boolean } = {}): Tokenizer {
  return Tokenizer.fromFiles({
    tokenizer: byteLevelBpeJson({
      addedTokens: Object.entries(CHATML_IDS).map(([name, id]) => ({ id, content: `<|${name}|>` })),
      ...(opts.wrap ? { postProcessor: wrapping() } : {}),
    }),
    config: {
      eos_token: '<|im_end|>',
      pad_token: '<|im_end|>',
      ...(opts.wrap ? { bos_token: '<|endoftext|>' } : {}),
      clean_up_tokenization_spaces: false,
    },
  });
}

/** A TemplateProcessing post-processor: `<|endoftext|> $A <|im_end|>`. */
function wrapping() {
  const special = (name: keyof typeof CHATML_IDS) => ({
    SpecialToken: { id: `<|${name}|>`, type_id: 0 },
  });
  const sequence = (id: 'A' | 'B') => ({ Sequence: { id, type_id: 0 } });
  const token = (name: keyof typeof CHATML_IDS) => ({
    id: `<|${name}|>`,
    ids: [CHATML_IDS[name]],
    tokens: [`<|${name}|>`],
  });
  return {
    type: 'TemplateProcessing',
    single: [special('endoftext'), sequence('A'), special('im_end')],
    pair: [special('endoftext'), sequence('A'), sequence('B'), special('im_end')],
    special_tokens: { '<|endoftext|>': token('endoftext'), '<|im_end|>': token('im_end') },
  };
}

/** A 2-layer Llama over the byte vocabulary with seeded random weights (norm weights near 1). */
export function tinyLlama(seed = 0): CausalLM {
  const { model } = buildCausalLM({
    model_type: 'llama',
    vocab_size: BYTE_VOCAB,
    hidden_size: 16,
    intermediate_size: 32,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    max_position_embeddings: 128,
  });
  const random = seededRandom(seed);
  for (const [name, p] of model.namedParameters()) {
    const noise = randomNormal(p.value.size, random).map((v) => v * 0.5);
    p.value = HostTensor.from(
      'f32',
      p.shape,
      name.endsWith('norm.weight') ? noise.map((v) => 1 + v / 5) : noise,
    );
  }
  return model;
}

/**
 * A causal LM with a known answer: the next token depends only on the current one, through a
 * table `next` (logits 10 at `next[id]`, 0 elsewhere; ids not in the table predict eos). It has no
 * layers, so it needs no KV cache.
 */
export class LookupLM extends Module implements CausalLM {
  readonly shape: CausalLMShape = {
    vocabSize: BYTE_VOCAB,
    numLayers: 0,
    numKeyValueHeads: 1,
    headDim: 1,
    maxPositions: 256,
  };
  readonly heads = [{ name: 'table', size: BYTE_VOCAB }];

  constructor(next: ReadonlyMap<number, number>) {
    super();
    const table = this.addModule('table', new Embedding(BYTE_VOCAB, BYTE_VOCAB));
    const rows = new Float32Array(BYTE_VOCAB * BYTE_VOCAB);
    for (let id = 0; id < BYTE_VOCAB; id++)
      rows[id * BYTE_VOCAB + (next.get(id) ?? CHATML_IDS.im_end)] = 10;
    table.namedParameters()[0][1].value = new HostTensor('f32', [BYTE_VOCAB, BYTE_VOCAB], rows);
  }

  forward(ctx: TraceContext, inputs: CausalLMInputs): CausalLMOutputs {
    const logits = this.sub<Embedding>('table').forward(ctx, inputs.input_ids);
    return inputs.cache ? { logits, present: [] } : { logits };
  }
}

/** A LookupLM that answers `answer` (ASCII) after any newline, then stops with `<|im_end|>`. */
export function answeringModel(answer: string): LookupLM {
  const ids = [...answer].map((c) => c.charCodeAt(0));
  const next = new Map<number, number>([[10, ids[0]]]);
  for (let i = 0; i < ids.length; i++) next.set(ids[i], ids[i + 1] ?? CHATML_IDS.im_end);
  return new LookupLM(next);
}
