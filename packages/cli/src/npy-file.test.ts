import { describe, expect, it } from 'vitest';
import { npyBytes } from './npy-file.js';

describe('npyBytes', () => {
  it("writes NumPy's .npy 1.0 layout: magic, header padded to 64 bytes, little-endian f4 data", () => {
    const bytes = npyBytes([Float32Array.of(1, 2, 3), Float32Array.of(-0.5, 0, 4)], 3);
    expect([...bytes.subarray(0, 8)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const headerLength = new DataView(bytes.buffer).getUint16(8, true);
    expect((10 + headerLength) % 64).toBe(0);
    const header = Buffer.from(bytes.subarray(10, 10 + headerLength)).toString('latin1');
    expect(header).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
    const data = new Float32Array(bytes.slice(10 + headerLength).buffer);
    expect([...data]).toEqual([1, 2, 3, -0.5, 0, 4]);
  });
});
