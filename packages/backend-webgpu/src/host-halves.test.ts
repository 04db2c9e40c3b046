import { roundToF16 } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { packHalves, unpackHalves } from './host-halves.js';

describe('device halves on the host', () => {
  it('packs two halves per word, element 2i in the low 16 bits, rounded to nearest even', () => {
    const words = packHalves([1, -2, 0.5]);
    expect([...words]).toEqual([0xc000_3c00, 0x0000_3800]); // 1 = 0x3c00, -2 = 0xc000, 0.5 = 0x3800
    expect([...packHalves([1 + 2 ** -11])]).toEqual([0x3c00]); // a tie rounds to even
  });

  it('unpacks what it packed as the values rounded to f16, odd lengths too', () => {
    const values = [0.1, -3.25001, 65504, 1e-7, 7];
    const back = unpackHalves(packHalves(values).buffer as ArrayBuffer, values.length);
    expect([...back]).toEqual(values.map(roundToF16));
  });
});
