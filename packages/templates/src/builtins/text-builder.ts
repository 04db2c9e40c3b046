import type { ChatRole, ChatSpan, RenderedChat } from '@tunekit/core';

/**
 * Appends rendered pieces and records which role owns each: a built-in template writes its
 * format as a sequence of `add` calls, and the spans fall out of the same calls as the text.
 */
export class TextBuilder {
  private text = '';
  private readonly spans: ChatSpan[] = [];

  /** Appends `piece`; with a `role`, the piece is one span of that role (empty pieces are none). */
  add(piece: string, role?: ChatRole): this {
    if (role !== undefined && piece.length > 0) {
      this.spans.push({ role, start: this.text.length, end: this.text.length + piece.length });
    }
    this.text += piece;
    return this;
  }

  build(): RenderedChat {
    return { text: this.text, spans: [...this.spans] };
  }
}
