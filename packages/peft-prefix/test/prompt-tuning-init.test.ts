import { byteLevelBpeJson, PeftModel, Tokenizer } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { promptTuningMethod } from '../src/index.js';
import { TINY_LLAMA, tinyModel } from './helpers.js';

// a byte-level tokenizer: each byte of an ASCII text is one token, id = the byte's value
const TOKENIZER = Tokenizer.fromFiles({ tokenizer: byteLevelBpeJson({}), config: {} });
const CONFIG = { ...TINY_LLAMA, vocab_size: 256 };
const DIM = CONFIG.hidden_size;

function initialRows(config: Record<string, unknown>): number[][] {
  const peft = PeftModel.create(tinyModel(CONFIG), promptTuningMethod, config, {
    modelConfig: CONFIG,
    tokenizer: TOKENIZER,
  });
  const values = [...(peft.stateDict().get('prompt_embeddings')?.toFloat64() ?? [])];
  return Array.from({ length: values.length / DIM }, (_, r) =>
    values.slice(r * DIM, (r + 1) * DIM),
  );
}

/** Rows of the model's `model.embed_tokens.weight`. */
function embeddingRows(ids: readonly number[]): number[][] {
  const weights = new Map(tinyModel(CONFIG).namedParameters());
  const table = weights.get('model.embed_tokens.weight')?.value.toFloat64() ?? [];
  return ids.map((id) => [...table.slice(id * DIM, (id + 1) * DIM)]);
}

const TEXT = { prompt_tuning_init: 'TEXT', tokenizer_name_or_path: 'tiny' };
const [h, e, y] = [104, 101, 121];

describe('prompt tuning initialisation', () => {
  it("TEXT: the embedding rows of the text's tokens, repeated to num_virtual_tokens", () => {
    const rows = initialRows({ ...TEXT, prompt_tuning_init_text: 'hey', num_virtual_tokens: 7 });
    expect(rows).toEqual(embeddingRows([h, e, y, h, e, y, h]));
  });

  it('TEXT: cut to num_virtual_tokens when the text is longer', () => {
    const rows = initialRows({ ...TEXT, prompt_tuning_init_text: 'hey', num_virtual_tokens: 2 });
    expect(rows).toEqual(embeddingRows([h, e]));
  });

  it('SAMPLE_VOCAB: embedding rows of vocabulary tokens', () => {
    const rows = initialRows({ prompt_tuning_init: 'SAMPLE_VOCAB', num_virtual_tokens: 4 });
    const table = embeddingRows([...Array(256).keys()]).map((row) => row.join());
    for (const row of rows) expect(table).toContain(row.join());
  });

  it('RANDOM: standard normal values, as torch.nn.Embedding starts', () => {
    const values = initialRows({ num_virtual_tokens: 64 }).flat();
    const mean = values.reduce((a, v) => a + v, 0) / values.length;
    const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(Math.abs(variance - 1)).toBeLessThan(0.15);
  });
});
