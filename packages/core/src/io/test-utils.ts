import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/** A fresh temporary folder per call, removed after the test. */
export function useTempDirs(): () => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tunekit-io-'));
    made.push(dir);
    return dir;
  };
}

/**
 * The bytes of a hand-made safetensors file: `header` (an object, serialised, or raw
 * text) after its 8-byte length (or `headerLength` when given), then `data`.
 */
export function craftSafetensors(
  header: unknown,
  data: Uint8Array = new Uint8Array(),
  headerLength?: bigint,
): Uint8Array {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(headerLength ?? BigInt(json.length));
  return Buffer.concat([prefix, json, data]);
}
