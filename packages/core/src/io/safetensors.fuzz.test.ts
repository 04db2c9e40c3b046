import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectFinite, FUZZ_CASE_MS, FUZZ_SEED, fuzzOutcome } from '../testing/fuzz-outcome.js';
import { SAFETENSORS_DTYPES } from './safetensors-dtype.js';
import { readSafetensorsBuffer, SafetensorsFile } from './safetensors-read.js';
import { craftSafetensors, useTempDirs } from './test-utils.js';

const tempDir = useTempDirs();
const DTYPES = Object.keys(SAFETENSORS_DTYPES);

/** A dimension: mostly small counts, sometimes what a corrupt or hostile header holds. */
const dimension = fc.oneof(
  { weight: 40, arbitrary: fc.nat(6) },
  fc.constantFrom(-1, 0.5, 2 ** 31, 2 ** 53, 2 ** 60, Number.MAX_VALUE, 1e308 * 10),
  fc.jsonValue(),
);

/** A tensor entry: a dtype (known or not) and a shape; offsets are laid out after. */
const entry = fc.record({
  dtype: fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom('F32', 'F16', 'BF16', 'I64', 'U8') },
    { weight: 4, arbitrary: fc.constantFrom(...DTYPES) },
    fc.jsonValue(),
  ),
  shape: fc.oneof({ weight: 12, arbitrary: fc.array(dimension, { maxLength: 4 }) }, fc.jsonValue()),
});

/** How a laid-out file is damaged: its length prefix (any, or off by a few), a byte, its end. */
const damage = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ kind: 'none' as const }) },
  fc.record({
    kind: fc.constant('prefix' as const),
    length: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  }),
  fc.record({ kind: fc.constant('shift' as const), by: fc.integer({ min: -8, max: 8 }) }),
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), byte: fc.nat(255) }),
  fc.record({ kind: fc.constant('cut' as const), bytes: fc.nat(40) }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ maxLength: 16 }) }),
  fc.record({ kind: fc.constant('offsets' as const), offsets: fc.jsonValue() }),
);

/**
 * A safetensors file: tensor entries laid out one after another (with the byte count dtype x
 * shape gives, where it gives one), optional metadata, random data, then one kind of damage.
 */
const safetensorsFile = fc
  .record({
    entries: fc.dictionary(fc.string({ maxLength: 12 }), entry, { maxKeys: 4 }),
    metadata: fc.option(
      fc.oneof({ weight: 6, arbitrary: fc.dictionary(fc.string(), fc.string()) }, fc.jsonValue()),
    ),
    damage,
  })
  .map(({ entries, metadata, damage }) => {
    const header: Record<string, unknown> = {};
    if (metadata !== null) header.__metadata__ = metadata;
    let offset = 0;
    for (const [name, { dtype, shape }] of Object.entries(entries)) {
      const bytes = SAFETENSORS_DTYPES[dtype as keyof typeof SAFETENSORS_DTYPES]?.bytes ?? 1;
      const count = Array.isArray(shape) ? shape.reduce<number>((n, d) => n * Number(d), 1) : 1;
      const size = Number.isSafeInteger(count * bytes) && count * bytes <= 256 ? count * bytes : 4;
      header[name] = { dtype, shape, data_offsets: [offset, offset + size] };
      offset += size;
    }
    const first = Object.values(header).find((e) => (e as { dtype?: unknown }).dtype);
    if (damage.kind === 'offsets' && first)
      (first as { data_offsets: unknown }).data_offsets = damage.offsets;
    const data = Uint8Array.from({ length: offset }, (_, i) => (i * 37) & 255);
    const json = JSON.stringify(header);
    const length =
      damage.kind === 'prefix'
        ? damage.length
        : damage.kind === 'shift'
          ? BigInt(Math.max(0, Buffer.byteLength(json) + damage.by))
          : undefined;
    let bytes = craftSafetensors(json, data, length);
    if (damage.kind === 'byte' && bytes.length > 0) {
      bytes = Uint8Array.from(bytes);
      bytes[damage.at % bytes.length] = damage.byte;
    }
    if (damage.kind === 'cut') bytes = bytes.subarray(0, Math.max(0, bytes.length - damage.bytes));
    if (damage.kind === 'append') bytes = Buffer.concat([bytes, damage.bytes]);
    return bytes;
  });

/** A loaded tensor: integer dimensions, as many elements as they multiply to. */
function expectWellFormed(shape: readonly number[], size: number): void {
  expectFinite(shape, 'shape');
  for (const d of shape) expect(Number.isSafeInteger(d) && d >= 0).toBe(true);
  expect(size).toBe(shape.reduce((n, d) => n * d, 1));
}

describe('safetensors headers (fuzz): a tensor or a UserError naming the file, never another error', () => {
  it('reads files from memory', async () => {
    let loaded = 0;
    await fc.assert(
      fc.asyncProperty(safetensorsFile, async (bytes) => {
        const read = await fuzzOutcome(
          () => readSafetensorsBuffer(bytes, 'fuzz.safetensors'),
          /^fuzz\.safetensors: /,
        );
        if (read !== undefined && read.tensors.size > 0) loaded++;
        for (const tensor of read?.tensors.values() ?? [])
          expectWellFormed(tensor.shape, tensor.size);
      }),
      { seed: FUZZ_SEED, numRuns: 3000, timeout: FUZZ_CASE_MS },
    );
    // The generator reaches both ends: files that load and files that are refused.
    expect(loaded).toBeGreaterThan(300);
    expect(loaded).toBeLessThan(2700);
  });

  it('opens files on disk and reads each tensor', async () => {
    const dir = await tempDir();
    await fc.assert(
      fc.asyncProperty(safetensorsFile, async (bytes) => {
        const path = join(dir, 'fuzz.safetensors');
        await writeFile(path, bytes);
        await fuzzOutcome(
          async () => {
            const file = await SafetensorsFile.open(path);
            try {
              for (const name of file.keys()) {
                const tensor = await file.read(name);
                expectWellFormed(tensor.shape, tensor.size);
              }
            } finally {
              await file.close();
            }
          },
          new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `),
        );
      }),
      { seed: FUZZ_SEED, numRuns: 300, timeout: FUZZ_CASE_MS },
    );
  });
});
