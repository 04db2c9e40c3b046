/**
 * Maps spans of the text a tokenizer decodes back to the text it was given. The two differ
 * where the tokenizer normalised (NFC, lowercasing), dropped whitespace (an added token's
 * `lstrip`/`rstrip`), added a prefix space, or produced an unknown token; elsewhere they are
 * equal character for character.
 */
export interface TextAlignment {
  /** `[start, end)` of `decoded.slice(start, end)` in the original text. */
  span(start: number, end: number): [number, number];
}

// Past this many edits the unmatched middle is treated as one replaced block: every token in
// it spans the whole block. Keeps time O((n+m)·d) and memory O(d²) bounded.
const MAX_EDITS = 2048;

/**
 * Aligns `decoded` to `original` with Myers' shortest edit script (after trimming their
 * common prefix and suffix, so equal texts cost one pass). A span touching a replaced block
 * covers all of it, as a token touching part of a character covers the whole character.
 */
export function alignTexts(decoded: string, original: string): TextAlignment {
  const n = decoded.length;
  const m = original.length;
  const match = new Int32Array(n).fill(-1); // match[i]: where decoded[i] sits in original, or -1
  let pre = 0;
  while (pre < n && pre < m && decoded[pre] === original[pre]) match[pre] = pre++;
  let suf = 0;
  while (suf < n - pre && suf < m - pre && decoded[n - 1 - suf] === original[m - 1 - suf]) {
    match[n - 1 - suf] = m - 1 - suf;
    suf++;
  }
  for (const [i, j] of myersMatches(decoded.slice(pre, n - suf), original.slice(pre, m - suf))) {
    match[pre + i] = pre + j;
  }

  // startAt[p]: where a span starting at decoded[p] starts; an unmatched char starts right
  // after the last matched one. endAt[p]: where a span ending before decoded[p] ends; an
  // unmatched char ends right before the next matched one.
  const startAt = new Int32Array(n + 1);
  let after = 0;
  for (let p = 0; p < n; p++) {
    startAt[p] = match[p] >= 0 ? match[p] : after;
    if (match[p] >= 0) after = match[p] + 1;
  }
  startAt[n] = after;
  const endAt = new Int32Array(n + 1);
  let before = m;
  for (let p = n; p > 0; p--) {
    endAt[p] = match[p - 1] >= 0 ? match[p - 1] + 1 : before;
    if (match[p - 1] >= 0) before = match[p - 1];
  }
  endAt[0] = before;
  return {
    span(start, end) {
      const s = startAt[start];
      return [s, Math.max(s, endAt[end])];
    },
  };
}

/**
 * Pairs `[i, j]` with `a[i] === b[j]` on a shortest edit script from `a` to `b` (Myers 1986,
 * greedy forward pass, then a walk back through the saved frontiers); none when the script
 * needs more than MAX_EDITS edits.
 */
function myersMatches(a: string, b: string): [number, number][] {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return [];
  // v[k]: furthest x reached on diagonal k = x - y; frontiers[d] is v before round d, over
  // the diagonals -d-1 .. d+1 that round d reads.
  const max = Math.min(n + m, MAX_EDITS);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const frontiers: Int32Array[] = [];
  let reached = false;
  for (let d = 0; d <= max && !reached; d++) {
    frontiers.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1])
          ? v[offset + k + 1] // down: skip b[y]
          : v[offset + k - 1] + 1; // right: skip a[x]
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        reached = true;
        break;
      }
    }
  }
  if (!reached) return [];

  const pairs: [number, number][] = [];
  let x = n;
  let y = m;
  for (let d = frontiers.length - 1; d >= 0; d--) {
    const f = frontiers[d];
    const at = (k: number) => f[k + d + 1];
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      pairs.push([x, y]);
    }
    x = prevX;
    y = prevY;
  }
  return pairs;
}
