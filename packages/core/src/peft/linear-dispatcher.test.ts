import { describe, expect, it } from 'vitest';
import { Embedding, Linear } from '../nn/index.js';
import { dispatchersFor, type LinearDispatcher, pickDispatcher } from './linear-dispatcher.js';
import { toyDispatcher } from './test-utils.js';

const quantized: LinearDispatcher = {
  ...toyDispatcher,
  id: 'quantized',
  priority: 10,
  accepts: (m) => m instanceof Linear && m.inFeatures === 8,
};
const other: LinearDispatcher = { ...toyDispatcher, id: 'other-method', method: 'ia3' };

describe('dispatchers', () => {
  it("orders a method's dispatchers by priority, ignoring other methods'", () => {
    const ordered = dispatchersFor([toyDispatcher, other, quantized], 'toy');
    expect(ordered.map((d) => d.id)).toEqual(['quantized', 'dense']);
  });

  it('picks the first that accepts the module', () => {
    const ordered = dispatchersFor([toyDispatcher, quantized], 'toy');
    expect(pickDispatcher(ordered, new Linear(8, 2), 'a', 'toy').id).toBe('quantized');
    expect(pickDispatcher(ordered, new Linear(4, 2), 'b', 'toy').id).toBe('dense');
  });

  it('explains a module no dispatcher accepts', () => {
    const ordered = dispatchersFor([toyDispatcher, quantized], 'toy');
    expect(() => pickDispatcher(ordered, new Embedding(4, 2), 'model.embed_tokens', 'toy')).toThrow(
      "module 'model.embed_tokens' (Embedding) cannot be adapted by toy: no registered dispatcher accepts it (quantized, dense)",
    );
  });
});
