import { describe, expect, it } from 'vitest';
import { buildCausalLM } from '../build-causal-lm.js';
import {
  additiveMask,
  cachedVersusRecomputed,
  maxAbsDiff,
  parameterShapes,
  randomModel,
  runModel,
  tinyLlamaConfig,
} from '../test-utils.js';

const tiny = tinyLlamaConfig('mistral', { sliding_window: 3 });

describe('mistral family', () => {
  it('builds the Llama module tree without biases', () => {
    const { model, family } = buildCausalLM({ ...tiny, num_hidden_layers: 1 });
    expect(family.id).toBe('mistral');
    const names = parameterShapes(model).map(([n]) => n);
    expect(names).toHaveLength(12);
    expect(names.filter((n) => n.endsWith('.bias'))).toEqual([]);
    expect(names).toContain('lm_head.weight');
  });

  it('hides keys sliding_window or more positions behind, as an explicit mask would', async () => {
    const mistral = randomModel(tiny, 4);
    const llama = buildCausalLM({ ...tiny, model_type: 'llama', sliding_window: undefined }).model;
    llama.loadStateDict(mistral.stateDict());
    const ids = [[1, 2, 3, 4, 5, 6]];
    const windowed = await runModel(mistral, { ids });
    const masked = await runModel(llama, {
      ids,
      mask: additiveMask(1, 6, 6, (_, q, k) => k <= q && q - k < tiny.sliding_window),
    });
    const full = await runModel(llama, { ids });
    expect(maxAbsDiff(windowed.logits.toFloat64(), masked.logits.toFloat64())).toBeLessThan(1e-6);
    expect(maxAbsDiff(windowed.logits.toFloat64(), full.logits.toFloat64())).toBeGreaterThan(1e-3);
  });

  it('with a sliding window, the cache gives the logits of a full recompute', async () => {
    const model = randomModel(tiny);
    expect(await cachedVersusRecomputed(model, [[9, 8, 7, 6, 5, 4]], 2, 8)).toBeLessThan(1e-5);
  });
});
