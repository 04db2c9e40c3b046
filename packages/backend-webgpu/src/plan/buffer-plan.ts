/** A value that needs a buffer of `bytes`, written at step `def` and last read at step `lastUse`. */
export interface Interval {
  readonly bytes: number;
  readonly def: number;
  readonly lastUse: number;
}

export interface BufferPlan {
  /** Byte size of each planned buffer. */
  readonly buffers: readonly number[];
  /** For each interval, the buffer it lives in. */
  readonly assignment: readonly number[];
}

/**
 * Assigns values to buffers by liveness, once per graph: at each step the value defined there
 * takes the smallest free buffer that holds it (and is at most twice its size, so a small value
 * does not pin a large buffer), else a new one; a buffer is free again after its value's last
 * read. A value is placed before the values its step reads are freed, so a kernel never writes
 * the buffer it reads.
 */
export function planBuffers(intervals: readonly Interval[]): BufferPlan {
  const buffers: number[] = [];
  const assignment = new Array<number>(intervals.length).fill(-1);
  const free = new Set<number>();
  const order = intervals.map((_, i) => i).sort((a, b) => intervals[a].def - intervals[b].def);
  const endingAt = new Map<number, number[]>();
  for (const [i, v] of intervals.entries()) {
    const list = endingAt.get(v.lastUse) ?? [];
    list.push(i);
    endingAt.set(v.lastUse, list);
  }
  let released = -1;
  const releaseThrough = (step: number) => {
    for (let s = released + 1; s <= step; s++) {
      for (const i of endingAt.get(s) ?? []) if (assignment[i] >= 0) free.add(assignment[i]);
    }
    released = Math.max(released, step);
  };
  for (const i of order) {
    const { bytes, def } = intervals[i];
    releaseThrough(def - 1);
    let best = -1;
    for (const b of free) {
      if (
        buffers[b] >= bytes &&
        buffers[b] <= 2 * bytes &&
        (best < 0 || buffers[b] < buffers[best])
      )
        best = b;
    }
    if (best < 0) {
      best = buffers.length;
      buffers.push(bytes);
    } else {
      free.delete(best);
    }
    assignment[i] = best;
  }
  return { buffers, assignment };
}
