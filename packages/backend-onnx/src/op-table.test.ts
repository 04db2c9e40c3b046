import { PRIMITIVE_OP_NAMES } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { LOWERINGS, type Lowerings } from './op-table.js';

describe('the ONNX lowering table', () => {
  it('lowers every primitive', () => {
    expect(PRIMITIVE_OP_NAMES.filter((op) => LOWERINGS[op] === undefined)).toEqual([]);
  });

  it('does not compile when a primitive has no lowering', () => {
    const { matmul: _dropped, ...withoutMatmul } = LOWERINGS;
    // @ts-expect-error: matmul is a primitive, so a table without it is no `Lowerings`
    const table: Lowerings = withoutMatmul;
    expect(table.matmul).toBeUndefined();
  });
});
