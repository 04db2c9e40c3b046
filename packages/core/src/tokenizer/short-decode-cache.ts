import type { RawDecode } from './decoded-spans.js';

/** Entries kept before the cache starts over (a few MB of short strings). */
const MAX_ENTRIES = 1 << 16;

/**
 * `decode` with the texts of one- and two-token windows remembered: computing offsets decodes
 * every token alone and beside the one before it, and in real text most pairs come back.
 * Decoding is a pure function of the ids, so a cached text is the text.
 */
export class ShortDecodeCache {
  private readonly texts = new Map<number, string>();

  constructor(
    private readonly decode: RawDecode,
    /** Ids are below this, so (a, b) keys as a * idLimit + b. */
    private readonly idLimit: number,
  ) {}

  text(ids: readonly number[]): string {
    if (ids.length > 2) return this.decode(ids);
    // one token keys as (-1, id): below every pair
    const key = ids.length === 1 ? -1 - ids[0] : ids[0] * this.idLimit + ids[1];
    let text = this.texts.get(key);
    if (text === undefined) {
      if (this.texts.size >= MAX_ENTRIES) this.texts.clear();
      text = this.decode(ids);
      this.texts.set(key, text);
    }
    return text;
  }
}
