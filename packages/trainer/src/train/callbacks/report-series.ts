/** What report.html draws, decided from the logged values before the page is written. */

/** One metric's finite values at the steps where it was measured, in step order. */
export interface StepSeries {
  readonly name: string;
  readonly steps: readonly number[];
  readonly values: readonly number[];
}

/** An evaluation as the report keeps it: its step and its metrics (`eval_loss`...). */
export interface LoggedEvaluation {
  readonly step: number;
  readonly metrics: Readonly<Record<string, number>>;
}

/**
 * Fewer points than this make no curve: a line through the evaluations before and after training
 * would claim values at the steps between, which were never measured. Such metrics go in a table.
 */
export const MIN_CURVE_POINTS = 3;

/** How the report shows the eval metrics. */
export interface EvalSeriesGroups {
  /** Measured at MIN_CURVE_POINTS steps or more: a chart each, with a marker on every point. */
  readonly curves: readonly StepSeries[];
  /** Measured at fewer steps (typically before and after training): a before/after table. */
  readonly sparse: readonly StepSeries[];
  /** 0 at every evaluation (BLEU on one-token answers): named in one line, not charted. */
  readonly zero: readonly string[];
}

/** Every eval metric (not `epoch`) as a series of its finite values, in the order first logged. */
export function evalSeries(evals: readonly LoggedEvaluation[]): StepSeries[] {
  const names = [...new Set(evals.flatMap((e) => Object.keys(e.metrics)))].filter(
    (name) => name !== 'epoch',
  );
  return names.map((name) => {
    const measured = evals.filter((e) => Number.isFinite(e.metrics[name]));
    return {
      name,
      steps: measured.map((e) => e.step),
      values: measured.map((e) => e.metrics[name]),
    };
  });
}

export function groupEvalSeries(evals: readonly LoggedEvaluation[]): EvalSeriesGroups {
  const all = evalSeries(evals).filter((s) => s.values.length > 0);
  const zero = all.filter((s) => s.values.every((v) => v === 0));
  const rest = all.filter((s) => !zero.includes(s));
  return {
    curves: rest.filter((s) => s.values.length >= MIN_CURVE_POINTS),
    sparse: rest.filter((s) => s.values.length < MIN_CURVE_POINTS),
    zero: zero.map((s) => s.name),
  };
}

/**
 * Whether the training loss opens on a log axis: when it is positive and falls (or rises) by more
 * than this factor, a linear axis spends its height on the first steps and draws the rest flat.
 */
export const LOG_SCALE_RATIO = 5;

export function prefersLogScale(values: readonly number[]): boolean {
  return logScaleAllowed(values) && spread(values) > LOG_SCALE_RATIO;
}

/** A log axis needs every value positive. */
export function logScaleAllowed(values: readonly number[]): boolean {
  return values.length > 0 && values.every((v) => v > 0);
}

/** max / min, in a loop: a long run has more values than a call takes arguments. */
function spread(values: readonly number[]): number {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi / lo;
}
