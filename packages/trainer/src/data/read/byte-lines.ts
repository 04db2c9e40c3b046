/** One line of a file: its number (1-based), where it starts, and its bytes without the line end. */
export interface ByteLine {
  readonly line: number;
  /** Byte offset of the line's first byte in the file. */
  readonly offset: number;
  /** The line's bytes; undefined for a line longer than the limit, whose bytes are not kept. */
  readonly bytes: Buffer | undefined;
  /** The line's length in bytes. */
  readonly length: number;
}

/**
 * Splits chunks of a file into lines ending in `\n` or `\r\n` (the last may lack one), without
 * decoding them, so each line's bytes can be checked as UTF-8 on their own. A line over
 * `maxLineBytes` is reported by its length only: memory stays bounded by the limit. A line's
 * bytes may share memory with the chunk it came from.
 */
export class ByteLineSplitter {
  private parts: Buffer[] = [];
  private length = 0; // bytes of the current line seen so far
  private offset = 0; // where the current line starts
  private line = 1;

  constructor(private readonly maxLineBytes: number) {}

  /** The lines that `chunk` ends. */
  push(chunk: Buffer): ByteLine[] {
    const lines: ByteLine[] = [];
    let start = 0;
    for (let end = chunk.indexOf(0x0a); end >= 0; end = chunk.indexOf(0x0a, start)) {
      this.keep(chunk.subarray(start, end));
      lines.push(this.finish());
      start = end + 1;
    }
    this.keep(chunk.subarray(start));
    return lines;
  }

  /** The last line, when the file does not end with a line end. */
  end(): ByteLine | undefined {
    return this.length > 0 ? this.finish() : undefined;
  }

  private keep(part: Buffer): void {
    this.length += part.length;
    if (this.length <= this.maxLineBytes) this.parts.push(part);
    else this.parts = [];
  }

  private finish(): ByteLine {
    const { parts, length } = this;
    let bytes: Buffer | undefined;
    if (length <= this.maxLineBytes)
      bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts, length);
    let size = length;
    if (bytes !== undefined && bytes[size - 1] === 0x0d) bytes = bytes.subarray(0, --size);
    const out = { line: this.line++, offset: this.offset, bytes, length: size };
    this.parts = [];
    this.offset += length + 1;
    this.length = 0;
    return out;
  }
}
