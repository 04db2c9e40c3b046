import { describe, expect, it } from 'vitest';
import { HostTensor } from '../tensor/index.js';
import { ParameterDict } from './parameter-dict.js';

describe('ParameterDict', () => {
  it('names each parameter by its key, and copies itself without one', () => {
    const dict = new ParameterDict();
    const a = dict.set('default', HostTensor.from('f32', [2], [1, 2]));
    dict.set('other', HostTensor.zeros('f32', [2]));
    expect(dict.namedParameters('ia3_l').map(([path]) => path)).toEqual([
      'ia3_l.default',
      'ia3_l.other',
    ]);
    const rest = dict.without('other');
    expect(rest.keys()).toEqual(['default']);
    expect(rest.get('default')).toBe(a);
    expect(dict.has('other')).toBe(true);
  });
});
