/**
 * A float32 matrix as NumPy's `.npy` format, version 1.0 (numpy/lib/format.py): the magic
 * `\x93NUMPY`, the version bytes, a little-endian u16 header length, the header (a Python dict
 * literal padded with spaces and ending in a newline so the data starts at a multiple of 64), then
 * the values in C order.
 */
export function npyBytes(rows: readonly Float32Array[], columns: number): Uint8Array {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows.length}, ${columns}), }`;
  const prefix = 10; // magic (6) + version (2) + header length (2)
  const padded = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  const header = `${dict}${' '.repeat(padded - prefix - dict.length - 1)}\n`;
  const bytes = new Uint8Array(padded + rows.length * columns * 4);
  bytes.set([0x93, ...Buffer.from('NUMPY', 'latin1'), 1, 0]);
  new DataView(bytes.buffer).setUint16(8, header.length, true);
  bytes.set(Buffer.from(header, 'latin1'), prefix);
  const data = new DataView(bytes.buffer, padded);
  rows.forEach((row, r) => {
    for (let c = 0; c < columns; c++) data.setFloat32((r * columns + c) * 4, row[c], true);
  });
  return bytes;
}
