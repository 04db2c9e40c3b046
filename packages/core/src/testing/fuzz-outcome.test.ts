import { describe, expect, it } from 'vitest';
import { UserError } from '../errors/index.js';
import { expectFinite, fuzzOutcome } from './fuzz-outcome.js';

describe('fuzzOutcome', () => {
  it('passes a result or a UserError naming the place, and fails anything else', async () => {
    expect(await fuzzOutcome(() => 3, /x/)).toBe(3);
    expect(
      await fuzzOutcome(() => {
        throw new UserError('d.jsonl:2: bad');
      }, /^d\.jsonl:2: /),
    ).toBeUndefined();
    await expect(
      fuzzOutcome(() => {
        throw new UserError('bad, somewhere');
      }, /^d\.jsonl:\d+: /),
    ).rejects.toThrow(/bad, somewhere/);
    await expect(
      fuzzOutcome(() => {
        throw new TypeError('x is undefined');
      }, /./),
    ).rejects.toThrow(TypeError);
  });
});

describe('expectFinite', () => {
  it('finds a non-finite number anywhere in a value', () => {
    expectFinite({ a: [1, { b: new Float32Array([0, 2]) }], c: new Map([['d', 4]]) });
    expect(() => expectFinite({ a: [1, { b: Number.NaN }] })).toThrow('output.a.1.b is NaN');
    expect(() => expectFinite({ t: new Float32Array([0, -Infinity]) }, 'batch')).toThrow(
      'batch.t[1] is -Infinity',
    );
    expect(() => expectFinite(new Map([['m', Infinity]]))).toThrow('output.get(m) is Infinity');
  });
});
