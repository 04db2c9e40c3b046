/** How many records a warning lists before "and N more". */
const LISTED = 5;

/**
 * The records a load left out or changed, by `file:line`, and the log lines that report them.
 * Skipped records keep the error that made them invalid.
 */
export class DataTally {
  readonly skipped: string[] = [];
  readonly truncated: string[] = [];
  readonly duplicates: string[] = [];
  readonly unsupervised: string[] = [];
  readonly doubleBos: string[] = [];

  warnings(maxLength: number): string[] {
    const lines: string[] = [];
    if (this.skipped.length > 0) {
      lines.push(
        `${this.skipped.length} invalid records skipped (skip_invalid): ${this.skipped.slice(0, 3).join('; ')}${this.skipped.length > 3 ? `; and ${this.skipped.length - 3} more` : ''}`,
      );
    }
    if (this.truncated.length > 0) {
      lines.push(
        `${this.truncated.length} examples are longer than max_length (${maxLength} tokens): their oldest turns were dropped or their end cut: ${listed(this.truncated)}`,
      );
    }
    if (this.duplicates.length > 0)
      lines.push(
        `${this.duplicates.length} duplicate examples removed: ${listed(this.duplicates)}`,
      );
    if (this.unsupervised.length > 0) {
      lines.push(
        `${this.unsupervised.length} examples have no token that carries loss and are left out: ${listed(this.unsupervised)}`,
      );
    }
    if (this.doubleBos.length > 0) {
      lines.push(
        `${this.doubleBos.length} examples had BOS from both the template and the tokenizer; it was emitted once: ${listed(this.doubleBos)}`,
      );
    }
    return lines;
  }
}

function listed(records: readonly string[]): string {
  const shown = records.slice(0, LISTED).join(', ');
  return records.length > LISTED ? `${shown} and ${records.length - LISTED} more` : shown;
}
