/**
 * Turns the growing list of generated token ids into text to print as it arrives. Decoding is not
 * per-token additive (a character may span byte tokens, a tokenizer may join pieces), so the whole
 * list is decoded again each time and only the new tail is written. Text is held back while it
 * ends in an incomplete character (U+FFFD) or in what could be the start of a stop string, so what
 * is printed never runs past where generation will cut its text.
 */
export class TextStream {
  private readonly ids: number[] = [];
  private printed = '';

  constructor(
    private readonly decode: (ids: readonly number[]) => string,
    private readonly write: (text: string) => void,
    private readonly stopStrings: readonly string[] = [],
  ) {}

  /** Adds a token and writes whatever text became final. */
  push(tokenId: number): void {
    this.ids.push(tokenId);
    this.emit(this.settled(this.decode(this.ids)));
  }

  /** Writes the rest of the finished text (the generator's, cut before eos or a stop string). */
  end(finalText: string): void {
    this.emit(finalText);
  }

  private emit(text: string): void {
    // A decode that rewrote already printed text cannot be taken back; only a longer text adds.
    if (text.length > this.printed.length && text.startsWith(this.printed)) {
      this.write(text.slice(this.printed.length));
      this.printed = text;
    }
  }

  /**
   * The part of `text` that cannot change or be cut: before the first stop string, without a
   * trailing incomplete character or a tail that may begin a stop string.
   */
  private settled(text: string): string {
    let end = text.length;
    for (const stop of this.stopStrings) {
      const at = text.indexOf(stop);
      if (at >= 0) end = Math.min(end, at);
    }
    let kept = text.slice(0, end);
    while (kept.endsWith('\uFFFD')) kept = kept.slice(0, -1);
    for (const stop of this.stopStrings) {
      for (let n = Math.min(stop.length - 1, kept.length); n > 0; n--) {
        if (kept.endsWith(stop.slice(0, n))) {
          kept = kept.slice(0, -n);
          break;
        }
      }
    }
    return kept;
  }
}
