import { words } from './normalize.js';

/**
 * The set of word n-gram shingles of `text`, as 32-bit hashes (texts shorter than `size` words
 * give one shingle of all their words, so short instructions still compare).
 */
export function shingles(text: string, size: number): Set<number> {
  const tokens = words(text);
  const out = new Set<number>();
  if (tokens.length === 0) return out;
  const last = Math.max(tokens.length - size, 0);
  for (let i = 0; i <= last; i++) out.add(hashString(tokens.slice(i, i + size).join(' ')));
  return out;
}

/** FNV-1a over UTF-16 code units, 32 bits. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's 32-bit finaliser: a bijective mixer, so `mix(x ^ seed)` is one of a family of hash functions. */
function mix(x: number): number {
  let h = x;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Fixed seeds of the `count` hash functions (a seeded generator, so signatures are reproducible). */
export function minhashSeeds(count: number, seed = 1): Uint32Array {
  const seeds = new Uint32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    seeds[i] = mix(state);
  }
  return seeds;
}

/**
 * The MinHash signature of a shingle set: per hash function the smallest hash of any shingle. Two
 * signatures agree at a position with probability equal to the sets' Jaccard similarity.
 */
export function minhashSignature(set: ReadonlySet<number>, seeds: Uint32Array): Uint32Array {
  const signature = new Uint32Array(seeds.length).fill(0xffffffff);
  for (const shingle of set) {
    for (let i = 0; i < seeds.length; i++) {
      const h = mix(shingle ^ (seeds[i] as number));
      if (h < (signature[i] as number)) signature[i] = h;
    }
  }
  return signature;
}

/** |a ∩ b| / |a ∪ b|; two empty sets are the same (1). */
export function jaccard(a: ReadonlySet<number>, b: ReadonlySet<number>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / (a.size + b.size - shared);
}
