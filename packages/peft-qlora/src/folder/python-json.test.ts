import { describe, expect, it } from 'vitest';
import { pythonFloatRepr, pythonJsonDumps } from './python-json.js';

// [value, repr(value)] as CPython 3 prints them (the last four: f32 values held as Python floats).
const REPRS: [number, string][] = [
  [0.0, '0.0'],
  [-0.0, '-0.0'],
  [1.0, '1.0'],
  [-2.0, '-2.0'],
  [0.5, '0.5'],
  [0.1, '0.1'],
  [1e-5, '1e-05'],
  [0.0001, '0.0001'],
  [0.00012345, '0.00012345'],
  [1e16, '1e+16'],
  [1e15, '1000000000000000.0'],
  [123456789012345.6, '123456789012345.6'],
  [1.5e-7, '1.5e-07'],
  [-2.5e-5, '-2.5e-05'],
  [3.4028234663852886e38, '3.4028234663852886e+38'],
  [1e22, '1e+22'],
  [5e-324, '5e-324'],
  [0.13483528792858124, '0.13483528792858124'],
  [100.0, '100.0'],
  [1234.5, '1234.5'],
  [0.10000000149011612, '0.10000000149011612'],
  [9.999999747378752e-6, '9.999999747378752e-06'],
  [0.30000001192092896, '0.30000001192092896'],
  [7.099999904632568, '7.099999904632568'],
];

describe('pythonFloatRepr', () => {
  it.each(REPRS)('writes %d as Python writes it: %s', (value, repr) => {
    expect(pythonFloatRepr(value)).toBe(repr);
  });
});

describe('pythonJsonDumps', () => {
  it('writes a dict as json.dumps does: separators, key order, floats, ints, lists, null', () => {
    const text = pythonJsonDumps(
      { quant_type: 'nf4', blocksize: 64, shape: [3, 4], off: 2, none: null, ok: true },
      new Set(['off']),
    );
    expect(text).toBe(
      '{"quant_type": "nf4", "blocksize": 64, "shape": [3, 4], "off": 2.0, "none": null, "ok": true}',
    );
  });

  it('escapes strings as json.dumps does with ensure_ascii', () => {
    expect(pythonJsonDumps({ 'a"b': 'é\n\\' })).toBe('{"a\\"b": "\\u00e9\\n\\\\"}');
  });
});
