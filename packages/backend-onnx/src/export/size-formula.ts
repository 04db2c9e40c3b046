/** The sizes an exported causal LM takes at run time: batch B, new tokens T, past tokens P. */
export interface Sizes {
  readonly batch: number;
  readonly seq: number;
  readonly past: number;
}

export type SizeName = keyof Sizes;

/** Optimum's names of the dynamic axes. */
export const DIM_NAMES: Readonly<Record<SizeName, string>> = {
  batch: 'batch_size',
  past: 'past_sequence_length',
  seq: 'sequence_length',
};

/** The monomials 1, B, P, T, BP, BT, PT, BPT: every product of distinct sizes. */
export const MONOMIALS: readonly (readonly SizeName[])[] = [
  [],
  ['batch'],
  ['past'],
  ['seq'],
  ['batch', 'past'],
  ['batch', 'seq'],
  ['past', 'seq'],
  ['batch', 'past', 'seq'],
];

/**
 * Where the graph is traced: the 2 x 2 x 2 grid on which any function is exactly one combination
 * of the monomials, then a point off the grid that checks the fit. Every size is at least 2 (a
 * size of 1 could let a broadcast hide an op) and no two sizes are equal within a trace.
 */
export const TRACE_SIZES: readonly Sizes[] = [
  ...[2, 3].flatMap((batch) =>
    [4, 5].flatMap((seq) => [6, 9].map((past) => ({ batch, seq, past }))),
  ),
  { batch: 5, seq: 7, past: 3 },
];

/** An integer coefficient for each of MONOMIALS. */
export type SizeFormula = readonly number[];

export function evaluateFormula(formula: SizeFormula, sizes: Sizes): number {
  return formula.reduce(
    (sum, c, m) => sum + c * MONOMIALS[m].reduce((p, name) => p * sizes[name], 1),
    0,
  );
}

/**
 * The integer combination of the monomials that gives `values` (one per entry of TRACE_SIZES), or
 * undefined when there is none: the values are no polynomial of degree at most 1 in each size.
 */
export function fitFormula(values: readonly number[]): SizeFormula | undefined {
  const n = MONOMIALS.length;
  // solve on the grid by Gaussian elimination, round, then demand every trace back exactly
  const rows = TRACE_SIZES.slice(0, n).map((sizes, i) => [
    ...MONOMIALS.map((_, m) => evaluateFormula(unit(m), sizes)),
    values[i],
  ]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++)
      if (Math.abs(rows[r][col]) > Math.abs(rows[pivot][col])) pivot = r;
    [rows[col], rows[pivot]] = [rows[pivot], rows[col]];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = rows[r][col] / rows[col][col];
      for (let c = col; c <= n; c++) rows[r][c] -= f * rows[col][c];
    }
  }
  const formula = rows.map((row, i) => Math.round(row[n] / row[i]) + 0);
  const fits = TRACE_SIZES.every((sizes, i) => evaluateFormula(formula, sizes) === values[i]);
  return fits ? formula : undefined;
}

function unit(m: number): SizeFormula {
  return MONOMIALS.map((_, i) => (i === m ? 1 : 0));
}

/** The formula of a constant, or undefined when it varies. */
export function constantOf(formula: SizeFormula): number | undefined {
  return formula.every((c, m) => m === 0 || c === 0) ? formula[0] : undefined;
}

/** How an ONNX dimension reads: `past_sequence_length + sequence_length`, `2*batch_size - 1`. */
export function formatFormula(formula: SizeFormula): string {
  let text = '';
  const terms = [...formula.keys()].filter((m) => m !== 0 && formula[m] !== 0);
  for (const m of [...terms, 0]) {
    const c = formula[m];
    if (c === 0) continue;
    const name = MONOMIALS[m].map((s) => DIM_NAMES[s]).join('*');
    const magnitude = Math.abs(c);
    const term = name === '' ? `${magnitude}` : magnitude === 1 ? name : `${magnitude}*${name}`;
    text += text === '' ? (c < 0 ? `-${term}` : term) : c < 0 ? ` - ${term}` : ` + ${term}`;
  }
  return text === '' ? '0' : text;
}
