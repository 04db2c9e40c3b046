/** What a classifier scored on labelled examples. */
export interface ClassificationScores {
  readonly accuracy: number;
  /** The unweighted mean of each class's F1 (scikit-learn's `f1_score(average='macro')`). */
  readonly macro_f1: number;
  /** confusion[gold][predicted]: how many examples of class `gold` were predicted as `predicted`. */
  readonly confusion: number[][];
  /** Per class: precision, recall, F1 and support (examples of it), by class id. */
  readonly per_class: { precision: number; recall: number; f1: number; support: number }[];
}

/**
 * Accuracy, macro-F1 and the confusion matrix of `predicted` against `gold` (class ids
 * 0..numLabels-1). As scikit-learn with `zero_division=0`: a class never predicted has precision
 * 0, one never present recall 0; every class counts in the macro mean.
 */
export function classificationScores(
  gold: readonly number[],
  predicted: readonly number[],
  numLabels: number,
): ClassificationScores {
  const confusion = Array.from({ length: numLabels }, () => new Array<number>(numLabels).fill(0));
  gold.forEach((g, i) => {
    confusion[g][predicted[i]]++;
  });
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const per_class = confusion.map((row, k) => {
    const tp = row[k];
    const support = row.reduce((s, v) => s + v, 0);
    const predictedK = confusion.reduce((s, r) => s + r[k], 0);
    const precision = ratio(tp, predictedK);
    const recall = ratio(tp, support);
    return { precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
  const correct = confusion.reduce((s, row, k) => s + row[k], 0);
  return {
    accuracy: ratio(correct, gold.length),
    macro_f1: per_class.reduce((s, c) => s + c.f1, 0) / numLabels,
    confusion,
    per_class,
  };
}
