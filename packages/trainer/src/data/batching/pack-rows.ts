/**
 * Packs examples into rows of at most `capacity` tokens, best-fit decreasing (TRL's `bfd`):
 * longest first, each into the fullest row it still fits, a new row when none has room. The
 * number of rows depends only on the lengths; ties keep the order of `ids`, so a shuffled `ids`
 * gives shuffled company. Each row lists example ids in the order they sit in it.
 */
export function packRows(
  ids: readonly number[],
  lengthOf: (id: number) => number,
  capacity: number,
): number[][] {
  const sorted = [...ids].sort((a, b) => lengthOf(b) - lengthOf(a));
  const rows: number[][] = [];
  const free: number[] = [];
  for (const id of sorted) {
    const length = lengthOf(id);
    let best = -1;
    for (let r = 0; r < rows.length; r++) {
      if (free[r] >= length && (best < 0 || free[r] < free[best])) best = r;
    }
    if (best < 0) {
      rows.push([id]);
      free.push(capacity - length);
    } else {
      rows[best].push(id);
      free[best] -= length;
    }
  }
  return rows;
}
