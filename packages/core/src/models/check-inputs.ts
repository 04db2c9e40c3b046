import { ShapeError } from '../errors/index.js';
import { formatShape, type Shape, sameShape } from '../graph/shape.js';
import type { Tensor } from '../graph/tensor.js';
import type { CausalLMInputs, CausalLMShape } from './causal-lm.js';

/**
 * Checks the inputs of a causal LM's forward against the contract of causal-lm.ts, so a mistake
 * fails at trace time naming the input, not deep inside an op.
 */
export function checkCausalLMInputs(
  model: string,
  shape: CausalLMShape,
  inputs: CausalLMInputs,
): void {
  const { input_ids: ids, position_ids: positions, attention_mask: mask, cache } = inputs;
  const fail = (what: string) => new ShapeError(`${model}: ${what}`);
  const describe = (t: Tensor) => `${t.dtype}${formatShape(t.shape)}`;
  if (ids.rank !== 2 || ids.dtype !== 'i32')
    throw fail(`input_ids must be i32 [B, T], got ${describe(ids)}`);
  const [batch, seq] = ids.shape;
  if (!sameShape(positions.shape, ids.shape) || positions.dtype !== 'i32')
    throw fail(
      `position_ids must be i32 ${formatShape(ids.shape)} like input_ids, got ${describe(positions)}`,
    );
  const past = inputs.past_key_values;
  const segments = inputs.segment_ids;
  if (segments) {
    if (mask || cache || past)
      throw fail('segment_ids (packed rows) go without attention_mask, cache and past_key_values');
    check('segment_ids', segments, [batch, seq], 'i32');
  }
  if (past) {
    if (cache) throw fail('give a fixed-size cache or past_key_values, not both');
    checkLayers('past_key_values', past, seq);
    return;
  }
  if (!cache) {
    if (mask) check('attention_mask', mask, [batch, 1, seq, seq], 'f32');
    return;
  }
  check('cache positions', cache.positions, [seq], 'i32');
  checkLayers('the cache', cache.layers, 0);

  /** Each layer's keys and values [B, Hkv, L, D]; the mask covers L + `appended` keys. */
  function checkLayers(
    what: string,
    layers: readonly { key: Tensor; value: Tensor }[],
    appended: number,
  ): void {
    if (layers.length !== shape.numLayers)
      throw fail(`${what} has ${layers.length} layers, the model ${shape.numLayers}`);
    const length = layers[0].key.dim(2);
    const cacheShape = [batch, shape.numKeyValueHeads, length, shape.headDim];
    layers.forEach((layer, i) => {
      check(`${what} layer ${i} key`, layer.key, cacheShape, 'f32');
      check(`${what} layer ${i} value`, layer.value, cacheShape, 'f32');
    });
    if (mask) check('attention_mask', mask, [batch, 1, seq, length + appended], 'f32');
  }

  function check(name: string, t: Tensor, want: Shape, dtype: string): void {
    if (!sameShape(t.shape, want) || t.dtype !== dtype)
      throw fail(`${name} must be ${dtype}${formatShape(want)}, got ${describe(t)}`);
  }
}
