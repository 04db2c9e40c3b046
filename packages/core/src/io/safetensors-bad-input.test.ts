import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors/index.js';
import { HostTensor } from '../tensor/index.js';
import { readSafetensorsBuffer, SafetensorsFile } from './safetensors-read.js';
import { encodeSafetensors } from './safetensors-write.js';
import { craftSafetensors, useTempDirs } from './test-utils.js';

const tempDir = useTempDirs();

/** Writes `bytes` to a file and returns what opening it throws. */
async function openError(bytes: Uint8Array): Promise<{ path: string; error: unknown }> {
  const path = join(await tempDir(), 'bad.safetensors');
  await writeFile(path, bytes);
  try {
    const file = await SafetensorsFile.open(path);
    await file.close();
  } catch (error) {
    return { path, error };
  }
  throw new Error('expected opening the file to fail');
}

/** Opening fails with a UserError naming the file and each of `mentions`. */
async function expectRejected(bytes: Uint8Array, ...mentions: string[]) {
  const { path, error } = await openError(bytes);
  expect(error).toBeInstanceOf(UserError);
  const message = (error as Error).message;
  expect(message).toContain(path);
  for (const m of mentions) expect(message).toContain(m);
  // The in-memory reader applies the same checks.
  expect(() => readSafetensorsBuffer(bytes, 'buf')).toThrow(UserError);
}

const f32 = (shape: number[], begin: number, end: number) => ({
  dtype: 'F32',
  shape,
  data_offsets: [begin, end],
});

const valid = encodeSafetensors({
  a: HostTensor.from('f32', [4], [1, 2, 3, 4]),
  b: HostTensor.from('f32', [2], [5, 6]),
});

describe('safetensors: untrusted files', () => {
  it('a truncated file', async () => {
    await expectRejected(valid.subarray(0, valid.length - 3), '"b"', 'run past the end');
  });

  it('a file shorter than the length prefix', async () => {
    await expectRejected(valid.subarray(0, 5), 'too short');
  });

  it('a header length beyond the file', async () => {
    await expectRejected(craftSafetensors('{}', new Uint8Array(), 1000n), 'header length 1000');
  });

  it('a header length over the 100 MB limit', async () => {
    await expectRejected(craftSafetensors('{}', new Uint8Array(), 2n ** 63n), 'limit');
  });

  it('a header that is not JSON, or not UTF-8, or not an object', async () => {
    await expectRejected(craftSafetensors('{"a": [1,'), 'not valid UTF-8 JSON');
    const invalidUtf8 = craftSafetensors('{}');
    invalidUtf8[8] = 0xff;
    await expectRejected(invalidUtf8, 'not valid UTF-8 JSON');
    await expectRejected(craftSafetensors('[1, 2]'), 'must be a JSON object');
  });

  it('tensor offsets outside the data', async () => {
    await expectRejected(
      craftSafetensors({ w: f32([2], 0, 8), x: f32([2], 8, 16) }, new Uint8Array(12)),
      '"x"',
      'data_offsets [8, 16] run past the end of the data area (12 bytes)',
    );
  });

  it('offsets that are not a [begin, end] pair', async () => {
    await expectRejected(craftSafetensors({ w: f32([0], 4, 0) }), '"w"', 'begin <= end');
    await expectRejected(
      craftSafetensors({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4, 8] } }),
      '"w"',
    );
    await expectRejected(craftSafetensors({ w: f32([1], -4, 0) }), '"w"', 'data_offsets');
  });

  it('dtype x shape disagreeing with the byte size', async () => {
    await expectRejected(
      craftSafetensors({ w: f32([3], 0, 8) }, new Uint8Array(8)),
      '"w"',
      'hold 8 bytes but dtype F32 x shape [3] needs 12',
    );
    await expectRejected(
      craftSafetensors(
        { w: { dtype: 'BF16', shape: [2, 2], data_offsets: [0, 16] } },
        new Uint8Array(16),
      ),
      'needs 8',
    );
  });

  it('a shape so large it overflows', async () => {
    await expectRejected(
      craftSafetensors({ w: f32([2 ** 40, 2 ** 40], 0, 4) }, new Uint8Array(4)),
      '"w"',
      'needs',
    );
  });

  it('bad shapes', async () => {
    await expectRejected(craftSafetensors({ w: f32([-1], 0, 0) }), '"w"', 'shape [-1]');
    await expectRejected(craftSafetensors({ w: f32([1.5], 0, 0) }), '"w"', 'non-negative integers');
    await expectRejected(
      craftSafetensors({ w: { dtype: 'F32', data_offsets: [0, 0] } }),
      '"w"',
      'shape undefined',
    );
  });

  it('overlapping tensors', async () => {
    await expectRejected(
      craftSafetensors({ w: f32([2], 0, 8), v: f32([2], 4, 12) }, new Uint8Array(12)),
      'tensor "v" (bytes 4-12) overlaps tensor "w" (bytes 0-8)',
    );
  });

  it('two names for the same bytes', async () => {
    await expectRejected(
      craftSafetensors({ w: f32([2], 0, 8), alias: f32([2], 0, 8) }, new Uint8Array(8)),
      'overlaps',
    );
  });

  it('holes and trailing bytes in the data area', async () => {
    await expectRejected(
      craftSafetensors({ w: f32([1], 0, 4), v: f32([1], 8, 12) }, new Uint8Array(12)),
      'bytes 4-8 of the data area, before tensor "v", belong to no tensor',
    );
    await expectRejected(
      craftSafetensors({ w: f32([1], 0, 4) }, new Uint8Array(9)),
      'the last 5 bytes of the data area belong to no tensor',
    );
  });

  it('an unknown dtype', async () => {
    await expectRejected(
      craftSafetensors(
        { w: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } },
        new Uint8Array(16),
      ),
      '"w"',
      'unknown dtype "F128" (known: BOOL, U8',
    );
  });

  it('an entry that is not an object, and metadata that is not strings', async () => {
    await expectRejected(craftSafetensors({ w: [1, 2] }), '"w"', 'expected an object');
    await expectRejected(craftSafetensors({ __metadata__: { format: 1 } }), '__metadata__');
  });

  it('a valid file whose dtype tunekit cannot load fails on read, naming the tensor', async () => {
    const path = join(await tempDir(), 'i16.safetensors');
    await writeFile(
      path,
      craftSafetensors(
        { ok: f32([1], 0, 4), s: { dtype: 'I16', shape: [2], data_offsets: [4, 8] } },
        new Uint8Array(8),
      ),
    );
    const file = await SafetensorsFile.open(path);
    expect(file.info('s').dtype).toBe('I16');
    await expect(file.read('s')).rejects.toThrow(
      `${path}: tensor "s" has dtype I16, which tunekit cannot load (it reads BOOL, U8, F16, BF16, I32, F32, F64, I64)`,
    );
    expect((await file.read('ok')).size).toBe(1);
    await file.close();
  });

  it('a missing file', async () => {
    const path = join(await tempDir(), 'absent.safetensors');
    await expect(SafetensorsFile.open(path)).rejects.toThrow(`${path}: no such safetensors file`);
  });
});
