import { createHash } from 'node:crypto';
import type { Example } from './example.js';

/** Remembers the examples it has seen: two are duplicates when their tokens and labels are equal. */
export class DuplicateFilter {
  private readonly seen = new Set<string>();

  /** True when an equal example was seen before; otherwise remembers this one. */
  isDuplicate(example: Pick<Example, 'input_ids' | 'labels'>): boolean {
    const key = createHash('sha256')
      .update(
        new Uint8Array(
          example.input_ids.buffer,
          example.input_ids.byteOffset,
          example.input_ids.byteLength,
        ),
      )
      .update(
        new Uint8Array(example.labels.buffer, example.labels.byteOffset, example.labels.byteLength),
      )
      .digest('base64');
    if (this.seen.has(key)) return true;
    this.seen.add(key);
    return false;
  }
}
