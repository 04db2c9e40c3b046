import { describe, expect, it } from 'vitest';
import type { FusedOpDef } from '../op-def.js';
import { FUSED_OP_NAMES, OPS, PRIMITIVE_OP_NAMES } from './index.js';

describe('the op groups', () => {
  it('split the op set into primitives and fused ops', () => {
    expect([...PRIMITIVE_OP_NAMES, ...FUSED_OP_NAMES].sort()).toEqual(Object.keys(OPS).sort());
    const fused = new Set<string>(FUSED_OP_NAMES);
    expect(PRIMITIVE_OP_NAMES.filter((op) => fused.has(op))).toEqual([]);
    expect(PRIMITIVE_OP_NAMES).toContain('matmul');
    expect(FUSED_OP_NAMES).toContain('flash_attention');
  });

  it('give every fused op a decomposition, so a backend may leave it out', () => {
    expect(FUSED_OP_NAMES.filter((op) => OPS[op].decompose === undefined)).toEqual([]);
    const { decompose: _dropped, ...softmax } = OPS.softmax;
    // @ts-expect-error: a fused op without its decomposition is no FusedOpDef
    const def: FusedOpDef<'softmax'> = softmax;
    expect(def.decompose).toBeUndefined();
  });
});
