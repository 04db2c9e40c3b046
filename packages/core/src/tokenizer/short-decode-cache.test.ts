import { describe, expect, it } from 'vitest';
import { ShortDecodeCache } from './short-decode-cache.js';

describe('ShortDecodeCache', () => {
  it('gives the decoded text, decoding each one- or two-token window once', () => {
    const calls: string[] = [];
    const decode = (ids: readonly number[]) => {
      calls.push(ids.join());
      return ids.map((id) => String.fromCharCode(97 + id)).join('');
    };
    const cache = new ShortDecodeCache(decode, 4);
    const windows = [[1], [1, 2], [2, 1], [1], [1, 2], [3, 0], [0, 1, 2], [0, 1, 2], [6]];
    expect(windows.map((w) => cache.text(w))).toEqual(windows.map(decode));
    calls.length = 0;
    for (const w of windows) cache.text(w);
    // only the three-token window is decoded again; (1, 2), (2, 1) and (1) are kept apart
    expect(calls).toEqual(['0,1,2', '0,1,2']);
  });
});
