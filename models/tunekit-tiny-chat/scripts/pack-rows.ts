/**
 * Packs tokenised documents into rows of `length` tokens, each followed by the separator: a row
 * always starts at the start of a document, and the document that does not fit is cut at the end
 * of the row (its rest is dropped), so every row is full and no position is padding.
 */
export function* packRows(
  documents: Iterator<number[]>,
  length: number,
  separator: number,
): Generator<number[]> {
  for (;;) {
    const row: number[] = [];
    while (row.length < length) row.push(...(documents.next().value as number[]), separator);
    yield row.slice(0, length);
  }
}
