/** Decodes token ids to text, keeping special tokens and skipping any clean-up. */
export type RawDecode = (ids: readonly number[]) => string;

/** The decoded text of some ids and, per token, the `[start, end)` it produced in that text. */
export interface DecodedSpans {
  readonly text: string;
  readonly spans: readonly (readonly [number, number])[];
}

// A character unfinished at a token's end needs at most 3 more bytes, so 3 more tokens
// either finish it (its U+FFFD placeholder changes) or prove it invalid (it stays).
const MAX_CONTINUATION_BYTES = 3;

const REPLACEMENT_CHARACTER = '\uFFFD';

/**
 * Which part of the decoded text each token produced, in linear time.
 *
 * Decoders look at neighbours: a byte-level or byte-fallback token may hold part of a UTF-8
 * character (decoded alone it is U+FFFD), and sentencepiece decoders drop the leading space
 * of the first token only. So each token is decoded inside a small window that starts at the
 * last token whose text is final (the "lead"); the window's text minus the lead's own text is
 * what the tokens after the lead produced. A window's text is final unless it ends in U+FFFD
 * (decoders append to finished text, they do not rewrite it); one that does is final when
 * decoding the next three tokens with it only appends to it; otherwise it ends inside a
 * character, and the window grows until a token finishes that character.
 *
 * A token that holds part of a character is given the whole character, as the tokenizers
 * library does for offsets: two tokens that split an emoji both span it.
 */
export function decodedSpans(ids: readonly number[], decode: RawDecode): DecodedSpans {
  const spans: [number, number][] = [];
  let text = '';
  let from = 0; // first token of the window: the lead, or token 0 before any is final
  let skip = 0; // length of the lead's own text at the start of each window text
  let pending: string[] = []; // window texts through each token that is not final yet
  for (let i = 0; i < ids.length; i++) {
    const window = decode(ids.slice(from, i + 1));
    const lookahead = ids.slice(i + 1, i + 1 + MAX_CONTINUATION_BYTES);
    if (
      window.endsWith(REPLACEMENT_CHARACTER) &&
      lookahead.length > 0 &&
      !decode(ids.slice(from, i + 1 + lookahead.length)).startsWith(window)
    ) {
      pending.push(window);
      continue;
    }
    // Tokens i - pending.length .. i are final; `window` holds their text after `skip`.
    let start = skip;
    for (const partial of pending) {
      const stable = commonPrefixLength(partial, window);
      spans.push([
        text.length + start - skip,
        text.length + stable + charLength(window, stable) - skip,
      ]);
      start = stable; // the next token continues the character this one left unfinished
    }
    spans.push([text.length + start - skip, text.length + window.length - skip]);
    text += window.slice(skip);
    from = i;
    skip = decode(ids.slice(i, i + 1)).length;
    pending = [];
  }
  return { text, spans };
}

function commonPrefixLength(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/** UTF-16 length of the character at `at` (2 for a surrogate pair), 0 at the end. */
function charLength(s: string, at: number): number {
  const cp = s.codePointAt(at);
  return cp === undefined ? 0 : cp > 0xffff ? 2 : 1;
}
