import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../backend/index.js';
import { UserError } from '../errors/index.js';
import { recordCompiles } from '../testing/index.js';
import { Generator } from './generator.js';
import { TINY_CONFIGS, tinyModel } from './test-utils.js';

const PROMPTS = [
  [1, 2, 3, 4, 5, 6, 7],
  [8, 9],
  [10, 11, 12, 0],
];
const letters = (ids: readonly number[]) => ids.map((i) => String.fromCharCode(97 + i)).join('');

function setup(maxLength = 24, family: keyof typeof TINY_CONFIGS = 'llama') {
  return new Generator(tinyModel(family), new ReferenceBackend(), { maxLength, promptBucket: 4 });
}

describe.each(Object.keys(TINY_CONFIGS) as (keyof typeof TINY_CONFIGS)[])(
  'Generator on a tiny %s',
  (family) => {
    it('gives the tokens of recomputation without a cache, for a left-padded batch (greedy)', async () => {
      const gen = setup(24, family);
      const cached = await gen.generate(PROMPTS, { max_new_tokens: 10 });
      const recomputed = await gen.generate(PROMPTS, { max_new_tokens: 10 }, { useCache: false });
      expect(cached.map((r) => r.tokens)).toEqual(recomputed.map((r) => r.tokens));
      expect(cached.every((r) => r.tokens.length === 10 && r.finishReason === 'length')).toBe(true);
      // a degenerate model would repeat one token everywhere
      expect(new Set(cached.flatMap((r) => r.tokens)).size).toBeGreaterThan(5);
    });

    it('generates each row of a padded batch as it would alone', async () => {
      const model = tinyModel(family);
      const padded = new Generator(model, new ReferenceBackend(), {
        maxLength: 24,
        promptBucket: 4,
      });
      const unpadded = new Generator(model, new ReferenceBackend(), {
        maxLength: 24,
        promptBucket: 1,
      });
      const batched = await padded.generate(PROMPTS, { max_new_tokens: 8 });
      for (const [b, prompt] of PROMPTS.entries()) {
        const [alone] = await unpadded.generate([prompt], { max_new_tokens: 8 });
        expect(alone.tokens).toEqual(batched[b].tokens);
      }
    });
  },
);

describe('Generator', () => {
  it('compiles one prefill and one decode graph, and reuses them', async () => {
    const backend = new ReferenceBackend();
    const compiled = recordCompiles(backend);
    const gen = new Generator(tinyModel('llama'), backend, { maxLength: 24, promptBucket: 4 });
    await gen.generate(PROMPTS, { max_new_tokens: 6 });
    await gen.generate([[1, 2], [5, 6, 7, 8, 9], [3]], {
      max_new_tokens: 6,
    });
    // widths 7 -> 8 and 5 -> 8 share the prefill graph; decode graphs feed one token
    const shapes = compiled.map((g) => String(g.inputs.find((i) => i.name === 'input_ids')?.shape));
    expect(shapes).toEqual(['3,8', '3,1']);
  });

  it('generates from the weights it was last given, with the graphs it compiled', async () => {
    const backend = new ReferenceBackend();
    const compiled = recordCompiles(backend);
    const model = tinyModel('llama', 0);
    const gen = new Generator(model, backend, { maxLength: 24, promptBucket: 4 });
    const before = await gen.generate(PROMPTS, { max_new_tokens: 6 });
    const other = tinyModel('llama', 1);
    const values = new Map([...other.namedParameters()].map(([name, p]) => [name, p.value]));
    for (const [name, p] of model.namedParameters()) p.value = values.get(name) ?? p.value;
    // until reloaded it keeps the weights it uploaded
    expect(await gen.generate(PROMPTS, { max_new_tokens: 6 })).toEqual(before);
    gen.reloadWeights();
    const after = await gen.generate(PROMPTS, { max_new_tokens: 6 });
    const fresh = new Generator(other, new ReferenceBackend(), { maxLength: 24, promptBucket: 4 });
    expect(after).toEqual(await fresh.generate(PROMPTS, { max_new_tokens: 6 }));
    expect(after).not.toEqual(before);
    expect(compiled).toHaveLength(2); // one prefill and one decode graph, for all three calls
  });

  it('stops a row at an eos id and pads it while the others go on', async () => {
    const gen = setup();
    const [free] = await gen.generate([PROMPTS[0]], { max_new_tokens: 8 });
    const eos = free.tokens[2];
    const cut = free.tokens.indexOf(eos) + 1;
    const rows = await gen.generate(PROMPTS, { max_new_tokens: 8, eos_token_id: [eos] });
    expect(rows[0]).toEqual({ tokens: free.tokens.slice(0, cut), finishReason: 'eos' });
    for (const r of rows.slice(1)) {
      const stopped = r.tokens.indexOf(eos);
      if (stopped >= 0) expect(r.tokens.length).toBe(stopped + 1);
      else expect(r.finishReason).toBe('length');
    }
  });

  it('stops at a stop string, trims it from the text and drops eos from the text', async () => {
    const gen = setup();
    const [free] = await gen.generate([PROMPTS[1]], { max_new_tokens: 8 });
    const stop = letters(free.tokens.slice(3, 5));
    const at = letters(free.tokens).indexOf(stop);
    const [row] = await gen.generate(
      [PROMPTS[1]],
      { max_new_tokens: 8, stop_strings: ['never', stop] },
      { decode: letters },
    );
    expect(row.finishReason).toBe('stop_string');
    expect(row.text).toBe(letters(free.tokens).slice(0, at));
    expect(row.tokens).toEqual(free.tokens.slice(0, at + 2));

    const [ended] = await gen.generate(
      [PROMPTS[1]],
      { max_new_tokens: 8, eos_token_id: free.tokens[1] },
      { decode: letters },
    );
    expect(ended.finishReason).toBe('eos');
    expect(ended.text).toBe(letters(free.tokens.slice(0, free.tokens.indexOf(free.tokens[1]))));
  });

  it('streams every token to onToken as it is produced, step by step', async () => {
    const gen = setup();
    const seen: [number, number][] = [];
    const eos = (await gen.generate([PROMPTS[2]], { max_new_tokens: 5 }))[0].tokens[1];
    const rows = await gen.generate(
      PROMPTS,
      { max_new_tokens: 5, eos_token_id: eos },
      { onToken: (row, token) => seen.push([row, token]) },
    );
    const expected: [number, number][] = [];
    for (let step = 0; step < 5; step++)
      rows.forEach((r, b) => {
        if (step < r.tokens.length) expected.push([b, r.tokens[step]]);
      });
    expect(seen).toEqual(expected);
    expect(rows[2].finishReason).toBe('eos');
  });

  it('samples reproducibly from a seed, and differently from another seed', async () => {
    const gen = setup();
    const config = { max_new_tokens: 10, do_sample: true, temperature: 1.5 };
    const a = await gen.generate(PROMPTS, config, { seed: 1 });
    const again = await gen.generate(PROMPTS, config, { seed: 1 });
    const other = await gen.generate(PROMPTS, config, { seed: 2 });
    const greedy = await gen.generate(PROMPTS, { max_new_tokens: 10 });
    expect(again).toEqual(a);
    expect(other.map((r) => r.tokens)).not.toEqual(a.map((r) => r.tokens));
    expect(a.map((r) => r.tokens)).not.toEqual(greedy.map((r) => r.tokens));
  });

  it('equals greedy with top_k 1, a tiny top_p or temperature 0', async () => {
    const gen = setup();
    const greedy = await gen.generate(PROMPTS, { max_new_tokens: 8 });
    const sampled = { max_new_tokens: 8, do_sample: true, temperature: 2 };
    for (const config of [{ top_k: 1 }, { top_k: 0, top_p: 1e-6 }, { temperature: 0 }])
      expect(await gen.generate(PROMPTS, { ...sampled, ...config }, { seed: 3 })).toEqual(greedy);
  });

  it('rejects prompts that do not fit, empty prompts and bad settings', async () => {
    const gen = setup(12);
    const fail = (prompts: number[][], config = {}, opts = {}) =>
      expect(gen.generate(prompts, { max_new_tokens: 4, ...config }, opts)).rejects.toThrow(
        UserError,
      );
    await fail([[1, 2], []]);
    await expect(gen.generate([[1], []], { max_new_tokens: 4 })).rejects.toThrow(
      /prompt 1 is empty/,
    );
    await expect(gen.generate([new Array(9).fill(1)], { max_new_tokens: 4 })).rejects.toThrow(
      /prompt 0 has 9 tokens; with max_new_tokens 4 that is 13, more than the Generator's maxLength 12/,
    );
    const long = new Generator(tinyModel('llama'), new ReferenceBackend(), { maxLength: 64 });
    await expect(long.generate([new Array(45).fill(1)], { max_new_tokens: 4 })).rejects.toThrow(
      /that is 49, more than the model's 48 positions/,
    );
    await fail([]);
    await fail([[32]]);
    await fail([[1]], { stop_strings: 'x' });
    await fail([[1]], { top_p: 0 });
    await fail([[1]], { pad_token_id: 32 });
  });

  it('refuses a second generate() while one runs, as they share the caches', async () => {
    const gen = setup();
    const first = gen.generate(PROMPTS, { max_new_tokens: 3 });
    await expect(gen.generate(PROMPTS, { max_new_tokens: 3 })).rejects.toThrow(/still running/);
    expect((await first).length).toBe(3);
    expect((await gen.generate(PROMPTS, { max_new_tokens: 3 })).length).toBe(3);
  });
});
