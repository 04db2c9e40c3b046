import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../backend/index.js';
import { GraphBuilder } from '../graph/builder.js';
import { HostTensor } from '../tensor/index.js';
import { ropeInvFreq } from './rope-inv-freq.js';
import { type RopeParameters, ropeParametersOf, ropeParametersSchema } from './rope-parameters.js';

interface GoldenCase {
  name: string;
  rope: Record<string, unknown>;
  dim: number;
  inv_freq: number[];
  max_position_embeddings?: number;
  seq_len?: number;
}

// written by scripts/golden/make_rope_golden.py (transformers' formulas in torch float32)
const golden: { cases: GoldenCase[] } = JSON.parse(
  readFileSync(new URL('../../test/fixtures/golden-rope.json', import.meta.url), 'utf8'),
);

/** inv_freq as the model traces it, for positions 0..seq-1 (only `dynamic` reads them). */
async function traced(rope: RopeParameters, dim: number, maxPositions: number, seq: number) {
  const b = new GraphBuilder();
  const positions = b.input('position_ids', [1, seq], 'i32');
  const graph = b.build({ inv_freq: ropeInvFreq(rope, dim, maxPositions)(positions) });
  const out = await evaluate(graph, {
    position_ids: HostTensor.from(
      'i32',
      [1, seq],
      Array.from({ length: seq }, (_, t) => t),
    ),
  });
  return out.inv_freq.toArray();
}

describe('ropeInvFreq', () => {
  it.each(golden.cases.map((c) => [c.name, c] as const))(
    '%s matches transformers',
    async (_, c) => {
      const rope = ropeParametersSchema.parse(c.rope) as RopeParameters;
      const got = await traced(rope, c.dim, c.max_position_embeddings ?? 2048, c.seq_len ?? 1);
      expect(got).toHaveLength(c.dim / 2);
      // float32 pow may differ from PyTorch's by an ulp; everything else is exact
      got.forEach((v, i) => {
        expect(Math.abs(v - c.inv_freq[i])).toBeLessThanOrEqual(2 ** -23 * Math.abs(c.inv_freq[i]));
      });
    },
  );

  it('llama3 and linear scaling change the frequencies, dynamic only beyond max_position_embeddings', () => {
    const by = (name: string) => golden.cases.find((c) => c.name === name)?.inv_freq;
    expect(by('linear factor 4')).not.toEqual(by('default theta 10000 dim 64'));
    expect(by('dynamic seq 32')).toEqual(by('default theta 10000 dim 64'));
    expect(by('dynamic seq 33')).not.toEqual(by('default theta 10000 dim 64'));
  });
});

describe('rope config', () => {
  it('reads the legacy `type` key as rope_type, and v5 rope_parameters before rope_scaling', () => {
    const legacy = ropeParametersSchema.parse({ type: 'linear', factor: 2 });
    expect(legacy).toMatchObject({ rope_type: 'linear', factor: 2 });
    expect(
      ropeParametersOf({
        rope_theta: 10000,
        rope_scaling: legacy,
        rope_parameters: ropeParametersSchema.parse({ rope_type: 'default', rope_theta: 5e5 }),
      }),
    ).toEqual({ rope_type: 'default', rope_theta: 5e5 });
    expect(ropeParametersOf({ rope_theta: 1e4, rope_scaling: null })).toEqual({
      rope_type: 'default',
      rope_theta: 1e4,
    });
  });

  it('rejects an unsupported rope_type and inconsistent llama3 fields, naming the field', () => {
    const yarn = ropeParametersSchema.safeParse({ rope_type: 'yarn', factor: 4 });
    expect(yarn.error?.issues[0]).toMatchObject({ path: ['rope_type'] });
    expect(yarn.error?.issues[0].message).toMatch(/default, linear, dynamic, llama3/);
    const llama3 = ropeParametersSchema.safeParse({
      rope_type: 'llama3',
      factor: 8,
      low_freq_factor: 4,
      high_freq_factor: 1,
      original_max_position_embeddings: 8192,
    });
    expect(llama3.error?.issues[0]).toMatchObject({ path: ['high_freq_factor'] });
    const noFactor = ropeParametersSchema.safeParse({ rope_type: 'linear' });
    expect(noFactor.error?.issues[0]).toMatchObject({ path: ['factor'] });
  });
});
