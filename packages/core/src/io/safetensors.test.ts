import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors/index.js';
import { HostTensor } from '../tensor/index.js';
import { atomicWrite } from './atomic-write.js';
import {
  readSafetensorsBuffer,
  readSafetensorsHeader,
  SafetensorsFile,
} from './safetensors-read.js';
import { encodeSafetensors, writeSafetensors } from './safetensors-write.js';
import { craftSafetensors, useTempDirs } from './test-utils.js';

const tempDir = useTempDirs();

/** One tensor of every host dtype, with values that exercise each storage. */
function everyDtype(): Map<string, HostTensor> {
  return new Map<string, HostTensor>([
    ['f32', HostTensor.from('f32', [2, 3], [1.5, -2, 3.25, 0, 1e-3, -7e8])],
    ['f16', HostTensor.from('f16', [4], [0.5, -65504, 6e-8, 1 / 3])],
    ['bf16', HostTensor.from('bf16', [2, 2], [1, -3.5e38, 1e-38, 0.1])],
    ['i32', HostTensor.from('i32', [3], [-2147483648, 0, 2147483647])],
    ['i64', new HostTensor('i64', [2], BigInt64Array.of(-(2n ** 62n), 2n ** 53n + 1n))],
    ['u8', HostTensor.from('u8', [3], [0, 128, 255])],
    ['bool', HostTensor.from('bool', [3], [1, 0, 1])],
    ['scalar', HostTensor.scalar('f32', 42)],
    ['empty', HostTensor.zeros('f32', [0, 5])],
  ]);
}

function expectSameTensors(actual: Map<string, HostTensor>, expected: Map<string, HostTensor>) {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [name, t] of expected) {
    const got = actual.get(name) as HostTensor;
    expect(got.dtype, name).toBe(t.dtype);
    expect(got.shape, name).toEqual(t.shape);
    expect(got.data, name).toEqual(t.data);
  }
}

describe('safetensors round trip', () => {
  it('writes and reads back every dtype, through a file and a buffer', async () => {
    const path = join(await tempDir(), 'all.safetensors');
    const tensors = everyDtype();
    await writeSafetensors(path, tensors, { format: 'pt', note: 'x' });

    const file = await SafetensorsFile.open(path);
    expect(file.metadata).toEqual({ format: 'pt', note: 'x' });
    const read = new Map<string, HostTensor>();
    for (const name of file.keys()) read.set(name, await file.read(name));
    await file.close();
    expectSameTensors(read, tensors);

    const bytes = await readFile(path);
    expect(bytes).toEqual(Buffer.from(encodeSafetensors(tensors, { format: 'pt', note: 'x' })));
    const fromBuffer = readSafetensorsBuffer(bytes);
    expectSameTensors(fromBuffer.tensors, tensors);
    expect(fromBuffer.metadata).toEqual({ format: 'pt', note: 'x' });
  });

  it('writes deferred tensors as if given, loading each only when its turn comes', async () => {
    const path = join(await tempDir(), 'deferred.safetensors');
    const tensors = everyDtype();
    const loaded: string[] = [];
    const deferred = new Map(
      [...tensors].map(([name, t]) => [
        name,
        {
          dtype: t.dtype,
          shape: t.shape,
          load: async () => {
            loaded.push(name);
            return t;
          },
        },
      ]),
    );
    await writeSafetensors(path, deferred, { format: 'pt' });
    expect(loaded).toEqual([...tensors.keys()].sort());
    expect(await readFile(path)).toEqual(Buffer.from(encodeSafetensors(tensors, { format: 'pt' })));
    const wrong = new Map([
      ['x', { dtype: 'f32' as const, shape: [3], load: async () => HostTensor.zeros('f32', [2]) }],
    ]);
    await expect(writeSafetensors(path, wrong)).rejects.toThrow(
      'tensor "x" was declared f32[3] but loaded as f32[2]',
    );
  });

  it('lays the file out as the reference writer does: padded header, tensors in name order', () => {
    const bytes = encodeSafetensors({
      b: HostTensor.from('f32', [1], [2]),
      a: HostTensor.from('u8', [3], [7, 8, 9]),
    });
    const n = Number(Buffer.from(bytes).readBigUInt64LE(0));
    const json = Buffer.from(bytes.subarray(8, 8 + n)).toString();
    expect(n % 8).toBe(0);
    expect(json).toBe(
      `${'{"a":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},"b":{"dtype":"F32","shape":[1],"data_offsets":[3,7]}}'.padEnd(n, ' ')}`,
    );
    expect([...bytes.subarray(8 + n, 8 + n + 3)]).toEqual([7, 8, 9]);
    expect(new Float32Array(new Uint8Array(bytes.subarray(8 + n + 3)).buffer)).toEqual(
      Float32Array.of(2),
    );
  });

  it('narrows f32 tensors held in float64 when writing', () => {
    const t = new HostTensor('f32', [2], Float64Array.of(0.1, 2));
    const back = readSafetensorsBuffer(encodeSafetensors({ t })).tensors.get('t') as HostTensor;
    expect(back.data).toEqual(Float32Array.of(0.1, 2));
  });

  it('reads F64 tensors as f32', () => {
    const bytes = craftSafetensors(
      { x: { dtype: 'F64', shape: [2], data_offsets: [0, 16] } },
      new Uint8Array(Float64Array.of(0.1, -3).buffer),
    );
    const x = readSafetensorsBuffer(bytes).tensors.get('x') as HostTensor;
    expect(x.dtype).toBe('f32');
    expect(x.data).toEqual(Float32Array.of(0.1, -3));
  });

  it('reads the header alone, and single tensors lazily', async () => {
    const path = join(await tempDir(), 'm.safetensors');
    await writeSafetensors(path, everyDtype());
    const header = await readSafetensorsHeader(path);
    expect(header.dataStart % 8).toBe(0);
    expect(header.tensors.get('i32')).toMatchObject({ dtype: 'I32', shape: [3] });

    const file = await SafetensorsFile.open(path);
    expect(file.info('bf16')).toMatchObject({ dtype: 'BF16', shape: [2, 2] });
    expect((await file.read('u8')).toArray()).toEqual([0, 128, 255]);
    expect(() => file.info('nope')).toThrow(`${path}: no tensor "nope"`);
    await file.close();
  });

  it('refuses a tensor named __metadata__', () => {
    expect(() => encodeSafetensors({ __metadata__: HostTensor.scalar('f32', 1) })).toThrow(
      UserError,
    );
  });
});

describe('atomicWrite', () => {
  it('leaves neither the file nor a temporary file when writing fails', async () => {
    const dir = await tempDir();
    const write = atomicWrite(join(dir, 'out.bin'), async (handle) => {
      await handle.write(Buffer.from('partial'));
      throw new Error('disk full');
    });
    await expect(write).rejects.toThrow('disk full');
    expect(await readdir(dir)).toEqual([]);
  });

  it('replaces an existing file whole', async () => {
    const path = join(await tempDir(), 'out.txt');
    await atomicWrite(path, 'first version');
    await atomicWrite(path, 'second');
    expect(await readFile(path, 'utf8')).toBe('second');
  });
});
