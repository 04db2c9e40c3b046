import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { invalidUtf8Offset } from './utf8.js';

const fatal = new TextDecoder('utf-8', { fatal: true });
const decodes = (bytes: Uint8Array) => {
  try {
    fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
};

/** UTF-8 text with a few bytes overwritten, cut or inserted: mostly valid, often not. */
const mutatedUtf8 = fc
  .tuple(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
    fc.nat(),
  )
  .map(([text, edits, cut]) => {
    const bytes = Buffer.from(text);
    for (const [at, byte] of edits) if (bytes.length > 0) bytes[at % bytes.length] = byte;
    return bytes.subarray(0, bytes.length === 0 ? 0 : bytes.length - (cut % 3));
  });

describe('invalidUtf8Offset', () => {
  it('agrees with a fatal TextDecoder, and the bytes before the offset are valid', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedUtf8, fc.uint8Array({ maxLength: 12 })), (bytes) => {
        const offset = invalidUtf8Offset(bytes);
        expect(offset === undefined).toBe(decodes(bytes));
        if (offset !== undefined) {
          expect(decodes(bytes.subarray(0, offset))).toBe(true);
          // The decoder replaces from the offset on: what comes before it decodes unchanged.
          const lenient = new TextDecoder().decode(bytes);
          const before = new TextDecoder().decode(bytes.subarray(0, offset));
          expect(lenient.startsWith(`${before}\uFFFD`)).toBe(true);
        }
      }),
      { seed: 11, numRuns: 2000 },
    );
  });
});
